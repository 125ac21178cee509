import './tf';
/**
 * Small differentiable building blocks shared by the embedders, encoder and heads. Each is a
 * pure function of explicit parameters.
 */
import * as tf from '@tensorflow/tfjs-core';

/** y = x @ w (+ b) over the last axis of x. x [..., I], w [I, O] -> [..., O]. */
export function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  const x2 = x.reshape([-1, inDim]); // [N, I]
  let y = tf.matMul(x2, w as tf.Tensor2D); // [N, O]
  if (b) y = y.add(b);
  return y.reshape([...shape.slice(0, -1), w.shape[1] as number]);
}

/** LayerNorm over the last axis with learned scale (and optional bias). */
export function layerNorm(x: tf.Tensor, scale: tf.Tensor, bias?: tf.Tensor, eps = 1e-6): tf.Tensor {
  const axis = x.rank - 1;
  const mean = x.mean(axis, true);
  const centered = x.sub(mean);
  const variance = centered.square().mean(axis, true);
  let y = centered.mul(variance.add(eps).rsqrt()).mul(scale);
  if (bias) y = y.add(bias);
  return y;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** Approximate (tanh) GELU, as in the IMP release. */
export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = x.add(x.pow(3).mul(0.044715)).mul(GELU_C);
  return x.mul(0.5).mul(inner.tanh().add(1));
}

/** L2-normalises rows (last axis). */
export function l2Normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  return x.mul(x.square().sum(-1, true).add(eps).rsqrt());
}

/**
 * Row lookup `table[ids]` that is differentiable on every backend. The gradient of `gather` needs
 * UnsortedSegmentSum, which the stock wasm backend lacks; there a one-hot matmul is used instead.
 * ids int32 [...], table [V, D] -> [..., D].
 */
export function lookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const flat = ids.reshape([-1]);
  const haveScatter = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
  const rows = haveScatter
    ? tf.gather(table, flat)
    : tf.matMul(tf.oneHot(flat as tf.Tensor1D, table.shape[0]).toFloat(), table as tf.Tensor2D);
  return rows.reshape([...ids.shape, table.shape[1] as number]);
}

/** Mean over axis 1 of x [B, N, D] counting only positions where mask [B, N] is 1. */
export function maskedMean(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return x.mean(1) as tf.Tensor2D;
  const m = mask.expandDims(-1); // [B, N, 1]
  return x.mul(m).sum(1).div(m.sum(1).maximum(1)) as tf.Tensor2D;
}
