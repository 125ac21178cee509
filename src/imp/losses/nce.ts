/**
 * Symmetric contrastive (NCE) loss on L2-normalised embeddings with a temperature, and its
 * MIL-NCE form when a sample has several positives (IMP.md "Objectives").
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';
import { l2Normalize } from '../core/ops';

/**
 * loss = (CE(a->b) + CE(b->a)) / 2 with logits = norm(a) norm(b)^T / temperature and the
 * diagonal as targets. a, b: [B, D].
 *
 * @example
 * ```ts
 * // orthonormal pairs, temperature 1: logits = I, loss = log(e + (B-1)) - 1
 * ncePairLoss(tf.eye(2), tf.eye(2), tf.scalar(1)).dataSync()[0]; // log(e + 1) - 1 = 0.3133
 * ```
 */
export function ncePairLoss(a: tf.Tensor2D, b: tf.Tensor2D, temperature: tf.Scalar | number): tf.Scalar {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new ShapeError('nce inputs', [a.shape, b.shape], 'two [B, D] tensors of the same shape');
  }
  return tf.tidy(() => {
    const logits = tf.matMul(l2Normalize(a), l2Normalize(b), false, true).div(temperature); // [B, B]
    const n = a.shape[0];
    const labels = tf.oneHot(tf.range(0, n, 1, 'int32'), n).toFloat();
    const ab = tf.losses.softmaxCrossEntropy(labels, logits);
    const ba = tf.losses.softmaxCrossEntropy(labels, logits.transpose());
    return ab.add(ba).div(2) as tf.Scalar;
  });
}

/**
 * MIL-NCE: sample i of `a` [B, D] has P positives in `b` [B*P, D] (rows i*P .. i*P+P-1).
 * a->b: -log(sum_pos exp(s) / sum_all exp(s)) (log-sum-exp over the positives);
 * b->a: each positive row classifies its own sample. The two directions are averaged.
 * With P = 1 this equals ncePairLoss.
 */
export function milNceLoss(a: tf.Tensor2D, b: tf.Tensor2D, positives: number, temperature: tf.Scalar | number): tf.Scalar {
  const n = a.shape[0];
  if (a.rank !== 2 || b.rank !== 2 || b.shape[0] !== n * positives || a.shape[1] !== b.shape[1]) {
    throw new ShapeError('mil-nce inputs', [a.shape, b.shape], `a [B, D] and b [B*${positives}, D]`);
  }
  return tf.tidy(() => {
    const logits = tf.matMul(l2Normalize(a), l2Normalize(b), false, true).div(temperature); // [B, B*P]
    const all = logits.logSumExp(1); // [B]
    const owner = tf.tensor1d(Array.from({ length: n * positives }, (_, j) => Math.floor(j / positives)), 'int32'); // [B*P]
    const isPos = tf.oneHot(owner, n).toFloat().transpose(); // [B, B*P], 1 where column j is a positive of row i
    const own = logits.add(tf.sub(1, isPos).mul(-1e9)); // non-positives pushed to -inf
    const ab = all.sub(own.logSumExp(1)).mean();
    const ba = tf.losses.softmaxCrossEntropy(isPos.transpose(), logits.transpose()); // row j's target is its owner
    return ab.add(ba).div(2) as tf.Scalar;
  });
}
