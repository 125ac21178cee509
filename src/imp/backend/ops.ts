/**
 * Ops with a fused kernel on the native (and cpu) backend and a composed fallback elsewhere.
 *
 * @example
 * ```ts
 * import { geluTanh } from 'imp-lab';
 * geluTanh(tf.tensor1d([-1, 0, 1])).print(); // [-0.1588, 0, 0.8412]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ATTENTION, ATTENTION_MASKED, ATTENTION_QKV, ATTENTION_QKV_MASKED, registerAttentionGradients,
} from './native/kernels/attention';
import { GELU_TANH, registerGeluKernelsCommon } from './native/kernels/gelu';
import { LAYER_NORM, registerLayerNormKernelsCommon } from './native/kernels/layer_norm';

const C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). One kernel forward and one
 * backward where the backend has them (native, cpu); the composed formula elsewhere.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  registerGeluKernelsCommon();
  if (x.dtype === 'float32' && tf.getKernel(GELU_TANH, tf.getBackend())) {
    return tf.engine().runKernel(GELU_TANH, { x }, {}) as tf.Tensor;
  }
  return tf.tidy(() => x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(C).tanh().add(1)));
}

/** True when t holds d values along its last axis with only 1s before it (it broadcasts as [d]). */
function isRowParam(t: tf.Tensor | undefined, d: number, rank: number): boolean {
  if (!t) return true;
  const s = t.shape;
  return t.dtype === 'float32' && s.length >= 1 && s.length <= rank && s[s.length - 1] === d &&
    s.slice(0, -1).every((v) => v === 1);
}

/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * scale (+ bias), with the biased
 * variance. One kernel forward and one backward (dx, dscale, dbias) where the backend has them
 * (native, cpu) and scale/bias are one row of D values; the composed formula otherwise.
 *
 * @example
 * ```ts
 * // Row [1, 3]: mean 2, var 1 -> [-1, 1] (eps aside), times scale [2, 2] plus bias [0, 1].
 * layerNormFused(tf.tensor2d([[1, 3]]), tf.tensor1d([2, 2]), tf.tensor1d([0, 1])).print(); // [[-2, 3]]
 * ```
 */
export function layerNormFused(x: tf.Tensor, scale: tf.Tensor, bias?: tf.Tensor, eps = 1e-6): tf.Tensor {
  registerLayerNormKernelsCommon();
  const d = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  if (x.dtype === 'float32' && x.rank >= 1 && isRowParam(scale, d, x.rank) && isRowParam(bias, d, x.rank) &&
    tf.getKernel(LAYER_NORM, tf.getBackend())) {
    const inputs: tf.NamedTensorMap = bias ? { x, scale, bias } : { x, scale };
    return tf.engine().runKernel(LAYER_NORM, inputs, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return layerNormComposed(x, scale, bias, eps);
}

/** The composed LayerNorm (7 kernels forward): the fallback and the parity reference. */
export function layerNormComposed(x: tf.Tensor, scale: tf.Tensor, bias?: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = x.mean(axis, true);
    const centered = x.sub(mean);
    const variance = centered.square().mean(axis, true);
    const y = centered.mul(variance.add(eps).rsqrt()).mul(scale);
    return bias ? y.add(bias) : y;
  });
}

/**
 * Multi-head attention core: q, k, v [B, N, D] (heads side by side along D) ->
 * softmax(q_h k_h^T / sqrt(dh) + mask bias) v_h, concatenated back to [B, N, D]. mask [B, N]
 * (1 = real key) puts -1e9 on padded keys' logits. One kernel forward and one backward on
 * native; the composed formula (transposes, batched matmuls, softmax) elsewhere.
 *
 * @example
 * ```ts
 * const q = tf.randomNormal([2, 5, 8]);
 * multiHeadAttention(q, q, q, 2).shape; // [2, 5, 8]
 * ```
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number,
  mask?: tf.Tensor2D): tf.Tensor3D {
  registerAttentionGradients();
  const [b, n, d] = q.shape;
  const name = mask ? ATTENTION_MASKED : ATTENTION;
  const same = (t: tf.Tensor) => t.dtype === 'float32' && t.rank === 3 && t.shape.every((s, i) => s === q.shape[i]);
  if (same(q) && same(k) && same(v) && d % heads === 0 && (!mask || (mask.dtype === 'float32' &&
    mask.rank === 2 && mask.shape[0] === b && mask.shape[1] === n)) && tf.getKernel(name, tf.getBackend())) {
    const inputs: tf.NamedTensorMap = mask ? { q, k, v, mask } : { q, k, v };
    return tf.engine().runKernel(name, inputs, { heads } as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  }
  return multiHeadAttentionComposed(q, k, v, heads, mask);
}

/** The composed attention core: the fallback and the parity reference. */
export function multiHeadAttentionComposed(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number,
  mask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n, d] = q.shape;
    const dh = d / heads;
    const split = (t: tf.Tensor) => t.reshape([b, n, heads, dh]).transpose([0, 2, 1, 3]).reshape([b * heads, n, dh]); // [B*H, N, dh]
    let scores = tf.matMul(split(q), split(k), false, true).mul(1 / Math.sqrt(dh)); // [B*H, N, N]
    if (mask) {
      // -1e9 on padded keys: softmax weight underflows to exactly 0.
      const bias = tf.sub(1, mask).mul(-1e9).reshape([b, 1, 1, n]); // [B, 1, 1, N]
      scores = scores.reshape([b, heads, n, n]).add(bias).reshape([b * heads, n, n]);
    }
    const attn = tf.softmax(scores); // [B*H, N, N]
    return tf.matMul(attn, split(v)) // [B*H, N, dh]
      .reshape([b, heads, n, dh]).transpose([0, 2, 1, 3]).reshape([b, n, d]) as tf.Tensor3D;
  });
}

/**
 * Whether the current backend runs packed attention as one kernel. Where it does not, callers
 * should project q, k and v separately: splitting a packed tensor costs three strided slices
 * forward and three pads backward.
 */
export function packedAttentionAvailable(masked = false): boolean {
  return !!tf.getKernel(masked ? ATTENTION_QKV_MASKED : ATTENTION_QKV, tf.getBackend());
}

/**
 * `multiHeadAttention` with q, k and v packed along the last axis of one [B, N, 3D] tensor (the
 * output of one fused q/k/v projection): one kernel each way on native, reading the packed rows
 * in place; elsewhere the three are split off and the composed formula runs.
 *
 * @example
 * ```ts
 * multiHeadAttentionPacked(tf.randomNormal([2, 5, 24]), 2).shape; // [2, 5, 8]
 * ```
 */
export function multiHeadAttentionPacked(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  registerAttentionGradients();
  const [b, n, d3] = qkv.shape;
  const name = mask ? ATTENTION_QKV_MASKED : ATTENTION_QKV;
  if (qkv.dtype === 'float32' && d3 % 3 === 0 && (d3 / 3) % heads === 0 && (!mask || (mask.dtype === 'float32' &&
    mask.rank === 2 && mask.shape[0] === b && mask.shape[1] === n)) && tf.getKernel(name, tf.getBackend())) {
    const inputs: tf.NamedTensorMap = mask ? { qkv, mask } : { qkv };
    return tf.engine().runKernel(name, inputs, { heads } as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  }
  return tf.tidy(() => {
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[];
    return multiHeadAttention(q, k, v, heads, mask);
  });
}
