/**
 * The shared path of the vision and audio embedders: flattened patches [B, N, P] -> (DropToken)
 * -> dense to the embedder width -> per-modality dense to the model width -> + factorised
 * positions -> LayerNorm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors';
import { dense, gatherRows, layerNorm } from '../core/ops';
import { dropTokenIndices, flatIndices } from './drop_token';
import { Embedded, EmbedOptions, unravel } from './embedded';
import { factorisedPositions } from './positional';

export interface DenseParams { w: tf.Variable; b?: tf.Variable }
export interface NormParams { scale: tf.Variable; bias: tf.Variable }

/** Parameters of one modality's projection to the model width. */
export interface ModalityProjection { proj: DenseParams; ln: NormParams }

export function embedPatches(
  patches: tf.Tensor3D, // [B, N, P]
  grid: number[],
  patchProj: DenseParams,
  modality: ModalityProjection,
  posTables: tf.Tensor[],
  opts: EmbedOptions,
): Embedded {
  const [b, n, p] = patches.shape;
  const rate = opts.dropToken ?? 0;
  let index: Int32Array;
  let k = n;
  let kept: tf.Tensor = patches;
  if (rate > 0) {
    if (!opts.rng) throw new ConfigError('dropToken', rate, 'a rate > 0 only together with an rng');
    const d = dropTokenIndices(b, n, rate, opts.rng);
    k = d.k;
    index = d.kept;
    const rows = tf.tensor1d(flatIndices(index, b, n), 'int32');
    kept = gatherRows(patches.reshape([b * n, p]), rows).reshape([b, k, p]); // [B, K, P]
  } else {
    index = new Int32Array(b * n);
    for (let i = 0; i < b; i++) for (let j = 0; j < n; j++) index[i * n + j] = j;
  }
  let x = dense(kept, patchProj.w, patchProj.b); // [B, K, E]
  x = dense(x, modality.proj.w, modality.proj.b); // [B, K, D]
  const axesIndex = rate > 0 ? unravel(index, grid) : unravel(index.subarray(0, n), grid);
  const pos = factorisedPositions(posTables.map((table, a) => ({ index: axesIndex[a], length: grid[a], table })));
  const d = x.shape[2] as number;
  x = x.add(rate > 0 ? pos.reshape([b, k, d]) : pos); // [B, K, D]
  const tokens = layerNorm(x, modality.ln.scale, modality.ln.bias) as tf.Tensor3D;
  return { tokens, grid, index };
}
