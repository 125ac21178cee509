/**
 * The `native` tfjs backend: tfjs-backend-cpu's storage (plain JS typed arrays) and all of its
 * kernels, with the hot ones of a transformer training step replaced by C++ (OpenBLAS sgemm for
 * the matmul family; threaded loops for softmax, GELU, LayerNorm, attention, elementwise ops,
 * reductions, transpose, gather and segment sums). Because the storage is the cpu backend's, every cpu kernel keeps
 * working unchanged as the fallback for dtypes and cases the native code does not cover.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { registerNativeBackend } from './backend';
 * if (registerNativeBackend()) await tf.setBackend('native');
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadAddon, NativeAddon } from './addon';
import { concatSplitKernels } from './kernels/concat_split';
import { elementwiseKernels } from './kernels/elementwise';
import { gatherKernels } from './kernels/gather';
import { attentionKernels, registerAttentionGradients } from './kernels/attention';
import { geluKernels, registerGeluKernelsCommon } from './kernels/gelu';
import { layerNormKernels, registerLayerNormKernelsCommon } from './kernels/layer_norm';
import { matMulKernels } from './kernels/matmul';
import { reduceKernels } from './kernels/reduce';
import { scatterPadKernels } from './kernels/scatter_pad';
import { softmaxKernels } from './kernels/softmax';
import { transposeKernels } from './kernels/transpose';

export const NATIVE_BACKEND = 'native';

/** tfjs-backend-cpu with its "install tfjs-node" notice switched off: this is the fast path. */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

let registered = false;
let nativeNames: string[] = [];

/** Every kernel config the addon provides (exported for the parity tests). */
export function nativeKernelConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [
    ...matMulKernels(addon), ...elementwiseKernels(addon), ...reduceKernels(addon), ...softmaxKernels(addon),
    ...transposeKernels(addon), ...gatherKernels(addon), ...geluKernels(addon), ...layerNormKernels(addon),
    ...attentionKernels(addon), ...scatterPadKernels(addon), ...concatSplitKernels(),
  ];
}

/**
 * Registers the `native` backend when the addon loads; returns false (and registers nothing)
 * when it does not. Safe to call more than once.
 */
export function registerNativeBackend(): boolean {
  if (registered) return true;
  const addon = loadAddon();
  if (!addon) return false;
  registerGeluKernelsCommon();
  registerLayerNormKernelsCommon();
  registerAttentionGradients();
  const own = nativeKernelConfigs(addon);
  const ownNames = new Set(own.map((k) => k.kernelName));
  // Priority 3: above wasm (2) and cpu (1), so tfjs's own default choice also lands here.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 3);
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (!ownNames.has(k.kernelName)) tf.registerKernel({ ...k, backendName: NATIVE_BACKEND });
  }
  for (const k of own) tf.registerKernel(k);
  nativeNames = [...ownNames].sort();
  registered = true;
  return true;
}

/** Names of the kernels that run in C++ on the native backend (empty before registration). */
export function nativeKernelNames(): string[] {
  return nativeNames.slice();
}
