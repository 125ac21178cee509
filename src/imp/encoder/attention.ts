/**
 * Multi-head self-attention with optional query/key LayerNorm (used by IMP's MoE variants to
 * keep attention logits bounded) and a key padding mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import { multiHeadAttention, multiHeadAttentionPacked, packedAttentionAvailable } from '../backend/ops';
import { dense, layerNorm } from '../core/ops';
import { DenseParams, NormParams } from '../embed/patches';

export interface AttentionParams {
  q: DenseParams;
  k: DenseParams;
  v: DenseParams;
  o: DenseParams;
  qNorm?: NormParams; // over the head dim
  kNorm?: NormParams;
}

/**
 * x [B, N, D] -> [B, N, D]. mask [B, N] (1 = real key) keeps padding out of every softmax.
 *
 * @example
 * ```ts
 * const y = selfAttention(p, tf.randomNormal([2, 5, 32]), 2); // [2, 5, 32]
 * ```
 */
export function selfAttention(p: AttentionParams, x: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  const [b, n, d] = x.shape;
  const dh = d / heads;
  const biases = [p.q.b, p.k.b, p.v.b];
  if (!p.qNorm && !p.kNorm && (biases.every((t) => t) || biases.every((t) => !t)) && packedAttentionAvailable(!!mask)) {
    // One projection for q, k and v ([D, 3D] weights: one GEMM each way instead of three),
    // read in place by the attention core. The concat costs one small copy of the weights.
    const w = tf.concat([p.q.w, p.k.w, p.v.w], 1); // [D, 3D]
    const bias = p.q.b ? tf.concat([p.q.b, p.k.b as tf.Tensor, p.v.b as tf.Tensor], 0) : undefined; // [3D]
    const out = multiHeadAttentionPacked(dense(x, w, bias) as tf.Tensor3D, heads, mask); // [B, N, D]
    return dense(out, p.o.w, p.o.b) as tf.Tensor3D;
  }
  // q, k, v stay [B, N, D] with the heads side by side: the attention core reads each head's
  // columns in place (one kernel on native), so no [B, H, N, dh] transposes are needed here.
  let q = dense(x, p.q.w, p.q.b) as tf.Tensor3D; // [B, N, D]
  let k = dense(x, p.k.w, p.k.b) as tf.Tensor3D;
  const v = dense(x, p.v.w, p.v.b) as tf.Tensor3D;
  // Query/key norm is over each head's dh values.
  if (p.qNorm) q = layerNorm(q.reshape([b, n, heads, dh]), p.qNorm.scale, p.qNorm.bias).reshape([b, n, d]) as tf.Tensor3D;
  if (p.kNorm) k = layerNorm(k.reshape([b, n, heads, dh]), p.kNorm.scale, p.kNorm.bias).reshape([b, n, d]) as tf.Tensor3D;
  const out = multiHeadAttention(q, k, v, heads, mask); // [B, N, D]
  return dense(out, p.o.w, p.o.b) as tf.Tensor3D;
}
