import './tf';
/**
 * Small differentiable building blocks shared by the embedders, encoder and heads. Each is a
 * pure function of explicit parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { geluTanh, layerNormFused } from '../backend/ops';

/**
 * y = x @ w (+ b) over the last axis of x. x [..., I], w [I, O] -> [..., O]. With a bias this is
 * one fused matmul kernel: on native the GEMM accumulates onto the bias rows, saving a full pass
 * over the output (memory-bound: ~3 ms for [2048, 768] on this machine).
 */
export function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  const x2 = x.reshape([-1, inDim]) as tf.Tensor2D; // [N, I]
  const y = b ? tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias: b }) : tf.matMul(x2, w as tf.Tensor2D); // [N, O]
  return y.reshape([...shape.slice(0, -1), w.shape[1] as number]);
}

/**
 * LayerNorm over the last axis with learned scale (and optional bias): one fused kernel forward
 * and backward where the backend has it (native, cpu), the composed formula elsewhere.
 */
export function layerNorm(x: tf.Tensor, scale: tf.Tensor, bias?: tf.Tensor, eps = 1e-6): tf.Tensor {
  return layerNormFused(x, scale, bias, eps);
}

/**
 * Approximate (tanh) GELU, as in the IMP release: one fused kernel forward and backward where
 * the backend has it (native, cpu), the composed formula elsewhere.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluTanh(x);
}

/** L2-normalises rows (last axis). */
export function l2Normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  return x.mul(x.square().sum(-1, true).add(eps).rsqrt());
}

// tf.customGrad's declared type takes a variadic function; ours have fixed arity.
type Custom2 = (a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };
const customGrad2 = (f: Custom2) => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * `x[idx]` along axis 0 with a scatter-add gradient. tfjs's own gather gradient goes through
 * UnsortedSegmentSum, which the cpu backend computes segment by segment (it dominated a training
 * step at 60 % of the time) and the wasm backend lacks; ScatterNd accumulates duplicates in one
 * pass on both. x [N, ...], idx int32 [M] -> [M, ...].
 *
 * @example
 * ```ts
 * gatherRows(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([1, 1, 0], 'int32')).arraySync(); // [[3,4],[3,4],[1,2]]
 * ```
 */
export function gatherRows(x: tf.Tensor, idx: tf.Tensor1D): tf.Tensor {
  const f = customGrad2((xs, is, save) => {
    save([is]);
    return {
      value: tf.gather(xs, is as tf.Tensor1D),
      gradFunc: (dy, saved) => [tf.scatterND(saved[0].expandDims(1), dy, xs.shape), tf.zerosLike(saved[0])],
    };
  });
  return f(x, idx);
}

/**
 * Sums rows of `updates` [M, ...] into `rows` output rows at `idx` [M] (duplicates add), with a
 * gather gradient: the MoE combine. Out-of-range ids are an error, so callers route empty
 * slots to a spare row.
 */
export function scatterAddRows(updates: tf.Tensor, idx: tf.Tensor1D, rows: number): tf.Tensor {
  const f = customGrad2((us, is, save) => {
    save([is]);
    return {
      value: tf.scatterND(is.expandDims(1), us, [rows, ...us.shape.slice(1)]),
      gradFunc: (dy, saved) => [tf.gather(dy, saved[0] as tf.Tensor1D), tf.zerosLike(saved[0])],
    };
  });
  return f(updates, idx);
}

/** Row lookup `table[ids]`: ids int32 [...], table [V, D] -> [..., D]. */
export function lookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return gatherRows(table, ids.reshape([-1]) as tf.Tensor1D).reshape([...ids.shape, table.shape[1] as number]);
}

/** Mean over axis 1 of x [B, N, D] counting only positions where mask [B, N] is 1. */
export function maskedMean(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return x.mean(1) as tf.Tensor2D;
  const m = mask.expandDims(-1); // [B, N, 1]
  return x.mul(m).sum(1).div(m.sum(1).maximum(1)) as tf.Tensor2D;
}
