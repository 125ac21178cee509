import * as tf from '@tensorflow/tfjs-core';

/** What every embedder returns: tokens at model width, plus where each token sits. */
export interface Embedded {
  tokens: tf.Tensor3D; // [B, K, D]
  /** 1 for real tokens, 0 for padding (text only). [B, K] */
  mask?: tf.Tensor2D;
  /** The token grid before DropToken (vision [T, H, W], audio [T, F], text [L]). */
  grid: number[];
  /** Each kept token's flat index into that grid, [B * K] row-major. */
  index: Int32Array;
}

/** Options shared by the embedders. */
export interface EmbedOptions {
  /** Fraction of tokens dropped before the encoder (IMP's DropToken); 0 keeps all. */
  dropToken?: number;
  /** Required when dropToken > 0. */
  rng?: import('../core/rng').Rng;
}

/** Splits a flat grid index into per-axis indices (row-major). */
export function unravel(index: Int32Array, grid: number[]): Int32Array[] {
  const out = grid.map(() => new Int32Array(index.length));
  for (let i = 0; i < index.length; i++) {
    let r = index[i];
    for (let a = grid.length - 1; a >= 0; a--) {
      out[a][i] = r % grid[a];
      r = Math.floor(r / grid[a]);
    }
  }
  return out;
}
