/**
 * Heads on pooled encoder outputs (IMP.md "Heads"): a disjoint contrastive projection for every
 * (source -> target) modality pair — Dense, GELU, Dense, LayerNorm — and a linear classifier per
 * dataset.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors';
import { dense, gelu, layerNorm } from '../core/ops';
import { Modality } from '../data/types';
import { DenseParams, NormParams } from '../embed/patches';

export interface ContrastiveHeadParams { w1: DenseParams; w2: DenseParams; ln: NormParams }

export interface HeadsParams {
  /** Keyed "source->target", e.g. "image->text". */
  contrastive: Record<string, ContrastiveHeadParams>;
  /** log temperature per unordered pair, keyed "a|b" as in the config's pairs. */
  logTemperature: Record<string, tf.Variable>;
  classifiers: Record<string, DenseParams>;
}

export const headKey = (source: Modality, target: Modality): string => `${source}->${target}`;
export const pairKey = (a: Modality, b: Modality): string => `${a}|${b}`;

/**
 * Projects pooled features [B, D] of `source` into the space shared with `target`.
 *
 * @example
 * ```ts
 * const z = contrastiveHead(model.params.heads, 'image', 'text', pooled); // [B, contrastiveDim]
 * ```
 */
export function contrastiveHead(p: HeadsParams, source: Modality, target: Modality, pooled: tf.Tensor2D): tf.Tensor2D {
  const h = p.contrastive[headKey(source, target)];
  if (!h) throw new ConfigError('model.heads.pairs', `${source}->${target}`, `one of ${Object.keys(p.contrastive).join(', ') || '(no pairs)'}`);
  return layerNorm(dense(gelu(dense(pooled, h.w1.w, h.w1.b)), h.w2.w, h.w2.b), h.ln.scale, h.ln.bias) as tf.Tensor2D;
}

/** The learnable temperature of a pair (either order). */
export function pairTemperature(p: HeadsParams, a: Modality, b: Modality): tf.Scalar {
  const v = p.logTemperature[pairKey(a, b)] ?? p.logTemperature[pairKey(b, a)];
  if (!v) throw new ConfigError('model.heads.pairs', [a, b], `one of ${Object.keys(p.logTemperature).join(', ') || '(no pairs)'}`);
  return v.exp() as tf.Scalar;
}

/** Class logits [B, K] of a dataset's linear classifier. */
export function classify(p: HeadsParams, dataset: string, pooled: tf.Tensor2D): tf.Tensor2D {
  const c = p.classifiers[dataset];
  if (!c) throw new ConfigError('model.heads.classifiers', dataset, `one of ${Object.keys(p.classifiers).join(', ') || '(no classifiers)'}`);
  return dense(pooled, c.w, c.b) as tf.Tensor2D;
}
