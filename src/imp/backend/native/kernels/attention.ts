/**
 * Multi-head attention core as one kernel (`ImpAttention`, `ImpAttentionMasked` with a key
 * mask) and one gradient kernel (`ImpAttentionGrad`), native only. q, k and v stay in the
 * [B, N, H*dh] layout the projections produce: each (batch, head) GEMM reads its head's
 * columns with a leading dimension of H*dh, so the four transposes of the composed path, the
 * scale, the mask bias and the softmax (and their ~15 backward kernels) disappear. The softmax
 * probabilities are recomputed in the gradient instead of kept: at N = 64 that is a quarter of
 * the attention FLOPs and no [B, H, N, N] tensor alive between forward and backward.
 * `ImpAttentionQkv` (and `...Masked`) take q, k and v packed in one [B, N, 3D] tensor, the
 * output of a single fused projection, and return its gradient packed the same way.
 * Other backends use the composed formula through `multiHeadAttention()` and
 * `multiHeadAttentionPacked()` in ../../ops.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon';
import { asF32, KernelArgs, outF32 } from '../util';

/**
 * The mask as float32 values. A float32 tensor made by casting a comparison (`ids.greater(0)
 * .toFloat()`) keeps the comparison's Uint8Array storage on cpu-based backends, where `f32()`
 * answers null; reading that as "no mask" silently attended to padding, so convert instead.
 */
function maskValues(backend: MathBackendCPU, mask: tf.TensorInfo | undefined): Float32Array | null {
  if (!mask) return null;
  const v = backend.data.get(mask.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

export const ATTENTION = 'ImpAttention';
export const ATTENTION_MASKED = 'ImpAttentionMasked';
export const ATTENTION_GRAD = 'ImpAttentionGrad';
export const ATTENTION_QKV = 'ImpAttentionQkv';
export const ATTENTION_QKV_MASKED = 'ImpAttentionQkvMasked';
export const ATTENTION_QKV_GRAD = 'ImpAttentionQkvGrad';

export interface AttentionAttrs { heads: number }

/** Registers the gradients of the forward kernels (once, globally). */
export function registerAttentionGradients(): void {
  for (const [name, inputs] of [[ATTENTION_QKV, ['qkv']], [ATTENTION_QKV_MASKED, ['qkv', 'mask']]] as const) {
    if (tf.getGradient(name)) continue;
    tf.registerGradient({
      kernelName: name,
      inputsToSave: [...inputs],
      gradFunc: (dy, saved, attrs) => {
        const [qkv, mask] = saved;
        const gradInputs: tf.NamedTensorMap = { qkv, dy: dy as tf.Tensor };
        if (mask) gradInputs.mask = mask;
        return {
          qkv: () => tf.engine().runKernel(ATTENTION_QKV_GRAD, gradInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
          mask: () => tf.zerosLike(mask),
        };
      },
    });
  }
  for (const [name, inputs] of [[ATTENTION, ['q', 'k', 'v']], [ATTENTION_MASKED, ['q', 'k', 'v', 'mask']]] as const) {
    if (tf.getGradient(name)) continue;
    tf.registerGradient({
      kernelName: name,
      inputsToSave: [...inputs],
      gradFunc: (dy, saved, attrs) => {
        const [q, k, v, mask] = saved;
        // All three gradients from one kernel, run here: each thunk runs in its own tidy.
        const gradInputs: tf.NamedTensorMap = { q, k, v, dy: dy as tf.Tensor };
        if (mask) gradInputs.mask = mask;
        const [dq, dk, dv] = tf.engine().runKernel(ATTENTION_GRAD, gradInputs,
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        // The mask is data, not a parameter: its gradient is zero by definition here.
        return { q: () => dq, k: () => dk, v: () => dv, mask: () => tf.zerosLike(mask) };
      },
    });
  }
}

export function attentionKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward = (args: KernelArgs): tf.TensorInfo => {
    const { q, k, v, mask } = args.inputs;
    const { heads } = args.attrs as unknown as AttentionAttrs;
    const [b, n, d] = q.shape;
    const dh = d / heads;
    const out = outF32(b * n * d);
    addon.attention(asF32(args.backend, q), asF32(args.backend, k),
      asF32(args.backend, v), maskValues(args.backend, mask), out, b, n, heads, dh, 1 / Math.sqrt(dh), d, d);
    return args.backend.makeTensorInfo(q.shape, 'float32', out);
  };
  const backward = (args: KernelArgs): tf.TensorInfo[] => {
    const { q, k, v, mask, dy } = args.inputs;
    const { heads } = args.attrs as unknown as AttentionAttrs;
    const [b, n, d] = q.shape;
    const dh = d / heads;
    const size = b * n * d;
    const dq = outF32(size), dk = outF32(size), dv = outF32(size);
    addon.attentionGrad(asF32(args.backend, q), asF32(args.backend, k),
      asF32(args.backend, v), maskValues(args.backend, mask), asF32(args.backend, dy),
      dq, dk, dv, b, n, heads, dh, 1 / Math.sqrt(dh), d, d);
    return [dq, dk, dv].map((t) => args.backend.makeTensorInfo(q.shape, 'float32', t));
  };
  // Packed: q, k, v are column blocks [0, D), [D, 2D), [2D, 3D) of each row of qkv [B, N, 3D].
  const packedForward = (args: KernelArgs): tf.TensorInfo => {
    const { qkv, mask } = args.inputs;
    const { heads } = args.attrs as unknown as AttentionAttrs;
    const [b, n, d3] = qkv.shape;
    const d = d3 / 3, dh = d / heads;
    const v = asF32(args.backend, qkv);
    const out = outF32(b * n * d);
    addon.attention(v, v.subarray(d), v.subarray(2 * d), maskValues(args.backend, mask), out, b, n, heads, dh,
      1 / Math.sqrt(dh), d3, d);
    return args.backend.makeTensorInfo([b, n, d], 'float32', out);
  };
  const packedBackward = (args: KernelArgs): tf.TensorInfo => {
    const { qkv, mask, dy } = args.inputs;
    const { heads } = args.attrs as unknown as AttentionAttrs;
    const [b, n, d3] = qkv.shape;
    const d = d3 / 3, dh = d / heads;
    const v = asF32(args.backend, qkv);
    const g = outF32(b * n * d3);
    addon.attentionGrad(v, v.subarray(d), v.subarray(2 * d), maskValues(args.backend, mask),
      asF32(args.backend, dy), g, g.subarray(d), g.subarray(2 * d), b, n, heads, dh, 1 / Math.sqrt(dh), d3, d);
    return args.backend.makeTensorInfo(qkv.shape, 'float32', g);
  };
  return [
    { kernelName: ATTENTION, backendName: 'native', kernelFunc: forward as unknown as tf.KernelFunc },
    { kernelName: ATTENTION_MASKED, backendName: 'native', kernelFunc: forward as unknown as tf.KernelFunc },
    { kernelName: ATTENTION_GRAD, backendName: 'native', kernelFunc: backward as unknown as tf.KernelFunc },
    { kernelName: ATTENTION_QKV, backendName: 'native', kernelFunc: packedForward as unknown as tf.KernelFunc },
    { kernelName: ATTENTION_QKV_MASKED, backendName: 'native', kernelFunc: packedForward as unknown as tf.KernelFunc },
    { kernelName: ATTENTION_QKV_GRAD, backendName: 'native', kernelFunc: packedBackward as unknown as tf.KernelFunc },
  ];
}
