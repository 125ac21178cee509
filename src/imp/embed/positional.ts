/**
 * Factorised learned positional embeddings looked up by normalised coordinates (IMP.md
 * "Positional embeddings"). A token at grid index i of n along an axis with b buckets uses row
 * floor(i / n * b): one table serves every resolution, and a token kept after DropToken keeps its
 * true position because the lookup uses its original grid index.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lookup } from '../core/ops';

/**
 * Bucket ids for grid indices along one axis.
 *
 * @example
 * ```ts
 * bucketIds(Int32Array.from([0, 1, 2, 3]), 4, 8); // [0, 2, 4, 6]
 * bucketIds(Int32Array.from([0, 1, 2, 3]), 4, 2); // [0, 0, 1, 1]
 * ```
 */
export function bucketIds(index: Int32Array, n: number, buckets: number): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = Math.min(buckets - 1, Math.floor((index[i] / n) * buckets));
  return out;
}

/** One axis of a factorised position: the grid index of each token, the grid length and the table. */
export interface PositionAxis {
  index: Int32Array;
  length: number;
  table: tf.Tensor; // [buckets, D]
}

/**
 * Sum of the per-axis embeddings of each token. `index` arrays have one entry per token
 * (flattened [B, K] or [N]); returns [index.length, D].
 */
export function factorisedPositions(axes: PositionAxis[]): tf.Tensor2D {
  return tf.tidy(() => {
    let sum: tf.Tensor | null = null;
    for (const ax of axes) {
      const ids = tf.tensor1d(bucketIds(ax.index, ax.length, ax.table.shape[0]), 'int32');
      const e = lookup(ax.table, ids); // [N, D]
      sum = sum ? sum.add(e) : e;
    }
    return sum as tf.Tensor2D;
  });
}
