/**
 * Multi-head self-attention with optional query/key LayerNorm (used by IMP's MoE variants to
 * keep attention logits bounded) and a key padding mask.
 */
import * as tf from '@tensorflow/tfjs-core';
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
  const split = (t: tf.Tensor) => t.reshape([b, n, heads, dh]).transpose([0, 2, 1, 3]); // [B, H, N, dh]
  let q = split(dense(x, p.q.w, p.q.b));
  let k = split(dense(x, p.k.w, p.k.b));
  const v = split(dense(x, p.v.w, p.v.b));
  if (p.qNorm) q = layerNorm(q, p.qNorm.scale, p.qNorm.bias);
  if (p.kNorm) k = layerNorm(k, p.kNorm.scale, p.kNorm.bias);
  let scores = tf.matMul(q.reshape([b * heads, n, dh]), k.reshape([b * heads, n, dh]), false, true).mul(1 / Math.sqrt(dh)); // [B*H, N, N]
  if (mask) {
    // -1e9 on padded keys: softmax weight underflows to exactly 0.
    const bias = tf.sub(1, mask).mul(-1e9).reshape([b, 1, 1, n]); // [B, 1, 1, N]
    scores = scores.reshape([b, heads, n, n]).add(bias).reshape([b * heads, n, n]);
  }
  const attn = tf.softmax(scores); // [B*H, N, N]
  const out = tf.matMul(attn, v.reshape([b * heads, n, dh])) // [B*H, N, dh]
    .reshape([b, heads, n, dh]).transpose([0, 2, 1, 3]).reshape([b, n, d]);
  return dense(out, p.o.w, p.o.b) as tf.Tensor3D;
}
