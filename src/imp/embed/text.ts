/**
 * Text embedder: token ids [B, L] (0 = padding) -> table lookup -> dense to the model width,
 * + 1-D positions by normalised coordinate, LayerNorm. Padding is carried as a mask so attention
 * and pooling ignore it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';
import { dense, layerNorm, lookup } from '../core/ops';
import { ModelConfig } from '../model/config';
import { Embedded } from './embedded';
import { ModalityProjection } from './patches';
import { factorisedPositions } from './positional';

export interface TextParams extends ModalityProjection {
  table: tf.Variable; // [V, E]
  pos: { l: tf.Variable };
}

/**
 * Embeds token ids [B, L] into tokens [B, L, D] with a padding mask [B, L].
 *
 * @example
 * ```ts
 * const model = createModel({ size: 'micro', modalities: ['image', 'text'] }, { seed: 0 });
 * const e = embedText(model.params.embed.text!, model.config, tf.tensor2d([[5, 6, 0]], undefined, 'int32'));
 * e.mask!.arraySync(); // [[1, 1, 0]]
 * ```
 */
export function embedText(p: TextParams, cfg: ModelConfig, ids: tf.Tensor): Embedded {
  if (ids.rank !== 2 || ids.dtype !== 'int32' || ids.shape[1] === 0) throw new ShapeError('text input', ids.shape, '[B, L] int32 token ids (L >= 1)');
  const [b, l] = ids.shape;
  const mask = ids.greater(0).toFloat() as tf.Tensor2D; // [B, L]
  let x = lookup(p.table, ids); // [B, L, E]
  x = dense(x, p.proj.w, p.proj.b); // [B, L, D]
  const index = new Int32Array(l).map((_, i) => i);
  // Normalise by the table length, not by L: padding then never moves a real token's position,
  // and only texts longer than the table are compressed onto it.
  const length = Math.max(l, cfg.text.posBuckets);
  x = x.add(factorisedPositions([{ index, length, table: p.pos.l }]));
  const tokens = layerNorm(x, p.ln.scale, p.ln.bias) as tf.Tensor3D;
  const full = new Int32Array(b * l);
  for (let i = 0; i < b; i++) full.set(index, i * l);
  return { tokens, mask, grid: [l], index: full };
}
