import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';

/**
 * Softmax cross-entropy, mean over the batch. `labels` are int32 class ids [B] or multi-label
 * targets [B, K], normalised to sum 1 per row (IMP.md "Objectives").
 *
 * @example
 * ```ts
 * // uniform logits over 4 classes: loss = log 4
 * softmaxCrossEntropy(tf.zeros([2, 4]), tf.tensor1d([0, 3], 'int32')).dataSync()[0]; // 1.3863
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  const [b, k] = logits.shape;
  return tf.tidy(() => {
    let targets: tf.Tensor;
    if (labels.rank === 1) {
      if (labels.shape[0] !== b) throw new ShapeError('labels', labels.shape, `[${b}] class ids`);
      targets = tf.oneHot(labels.toInt() as tf.Tensor1D, k).toFloat();
    } else {
      if (labels.rank !== 2 || labels.shape[0] !== b || labels.shape[1] !== k) throw new ShapeError('labels', labels.shape, `[${b}] class ids or [${b}, ${k}] targets`);
      targets = labels.div(labels.sum(1, true).maximum(1e-12));
    }
    const logp = tf.logSoftmax(logits);
    return targets.mul(logp).sum(1).neg().mean() as tf.Scalar;
  });
}
