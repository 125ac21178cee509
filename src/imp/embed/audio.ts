/**
 * Audio embedder: a log-mel spectrogram [B, T, F] cut into pt x pf patches, projected to the
 * model width, with factorised time + frequency positions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';
import { ModelConfig } from '../model/config';
import { Embedded, EmbedOptions } from './embedded';
import { DenseParams, embedPatches, ModalityProjection } from './patches';

export interface AudioParams extends ModalityProjection {
  patch: DenseParams;
  pos: { t: tf.Variable; f: tf.Variable };
}

/** Checks an audio input and returns the patch grid [Tn, Fn]. */
export function audioGrid(cfg: ModelConfig, shape: number[]): number[] {
  const [pt, pf] = cfg.audio.patch;
  const expected = `[B, T, F] with T % ${pt} == 0 and F % ${pf} == 0`;
  if (shape.length !== 3 || shape[1] === 0 || shape[2] === 0 || shape[1] % pt !== 0 || shape[2] % pf !== 0) throw new ShapeError('audio input', shape, expected);
  return [shape[1] / pt, shape[2] / pf];
}

/**
 * Embeds log-mel spectrograms [B, T, F] into tokens [B, K, D].
 *
 * @example
 * ```ts
 * const model = createModel({ size: 'micro', modalities: ['audio', 'text'] }, { seed: 0 });
 * embedAudio(model.params.embed.audio!, model.config, tf.zeros([2, 16, 16])).tokens.shape; // [2, 16, 32]
 * ```
 */
export function embedAudio(p: AudioParams, cfg: ModelConfig, x: tf.Tensor, opts: EmbedOptions = {}): Embedded {
  const grid = audioGrid(cfg, x.shape);
  const [pt, pf] = cfg.audio.patch;
  const [b] = x.shape;
  const [tn, fn] = grid;
  const patches = x.reshape([b, tn, pt, fn, pf]).transpose([0, 1, 3, 2, 4]).reshape([b, tn * fn, pt * pf]) as tf.Tensor3D;
  return embedPatches(patches, grid, p.patch, p, [p.pos.t, p.pos.f], opts);
}
