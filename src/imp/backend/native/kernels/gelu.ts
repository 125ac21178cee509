/**
 * GELU in its tanh form as one kernel (`ImpGeluTanh`) with a one-kernel gradient
 * (`ImpGeluTanhGrad`), instead of the ~8 elementwise kernels forward and ~15 backward that the
 * composed formula costs. Registered for `native` (C++) and `cpu` (a JS loop); other backends
 * use the composed formula through `geluTanh()` in ../../ops.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon';
import { asF32, KernelArgs, outF32 } from '../util';

export const GELU_TANH = 'ImpGeluTanh';
export const GELU_TANH_GRAD = 'ImpGeluTanhGrad';

const C = Math.sqrt(2 / Math.PI);

function cpuGelu(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x;
  const v = args.backend.data.get(x.dataId).values as Float32Array;
  const out = outF32(v.length);
  for (let i = 0; i < v.length; i++) {
    const u = v[i];
    out[i] = u / (1 + Math.exp(-2 * C * (u + 0.044715 * u * u * u)));  // = 0.5 u (1 + tanh(.))
  }
  return args.backend.makeTensorInfo(x.shape, 'float32', out);
}

function cpuGeluGrad(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const v = args.backend.data.get(x.dataId).values as Float32Array;
  const g = args.backend.data.get(dy.dataId).values as Float32Array;
  const out = outF32(v.length);
  for (let i = 0; i < v.length; i++) {
    const u = v[i];
    const s = 1 / (1 + Math.exp(-2 * C * (u + 0.044715 * u * u * u)));
    out[i] = g[i] * (s + 2 * u * s * (1 - s) * C * (1 + 3 * 0.044715 * u * u));
  }
  return args.backend.makeTensorInfo(x.shape, 'float32', out);
}

/** Registers the gradient (once, globally) and the cpu kernels. */
export function registerGeluKernelsCommon(): void {
  if (!tf.getGradient(GELU_TANH)) {
    tf.registerGradient({
      kernelName: GELU_TANH,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({
        x: () => tf.engine().runKernel(GELU_TANH_GRAD, { x: saved[0], dy: dy as tf.Tensor }, {}) as tf.Tensor,
      }),
    });
  }
  if (!tf.getKernel(GELU_TANH, 'cpu')) {
    tf.registerKernel({ kernelName: GELU_TANH, backendName: 'cpu', kernelFunc: cpuGelu as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: GELU_TANH_GRAD, backendName: 'cpu', kernelFunc: cpuGeluGrad as unknown as tf.KernelFunc });
  }
}

export function geluKernels(addon: NativeAddon): tf.KernelConfig[] {
  const gelu = (args: KernelArgs): tf.TensorInfo => {
    const v = asF32(args.backend as MathBackendCPU, args.inputs.x);
    const out = outF32(v.length);
    addon.gelu(v, out, v.length);
    return args.backend.makeTensorInfo(args.inputs.x.shape, 'float32', out);
  };
  const geluGrad = (args: KernelArgs): tf.TensorInfo => {
    const v = asF32(args.backend, args.inputs.x);
    const g = asF32(args.backend, args.inputs.dy);
    const out = outF32(v.length);
    addon.geluGrad(v, g, out, v.length);
    return args.backend.makeTensorInfo(args.inputs.x.shape, 'float32', out);
  };
  return [
    { kernelName: GELU_TANH, backendName: 'native', kernelFunc: gelu as unknown as tf.KernelFunc },
    { kernelName: GELU_TANH_GRAD, backendName: 'native', kernelFunc: geluGrad as unknown as tf.KernelFunc },
  ];
}
