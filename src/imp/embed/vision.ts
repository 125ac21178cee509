/**
 * Vision embedder shared by images and videos (IMP.md "Embedders"): the input is cut into
 * tubelets of tt frames x ph x pw pixels; an image (or any clip shorter than tt frames) is tiled
 * in time to tt frames, so images and videos share one patch projection. Each modality then has
 * its own dense to the model width and LayerNorm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';
import { ModelConfig } from '../model/config';
import { Embedded, EmbedOptions } from './embedded';
import { DenseParams, embedPatches, ModalityProjection } from './patches';

export interface VisionParams {
  patch: DenseParams;
  pos: { t: tf.Variable; h: tf.Variable; w: tf.Variable };
  image?: ModalityProjection;
  video?: ModalityProjection;
}

/** Checks a vision input and returns the tubelet grid [Tn, Hn, Wn]. */
export function visionGrid(cfg: ModelConfig, shape: number[], what = 'vision input'): number[] {
  const [tt, ph, pw] = cfg.vision.tubelet;
  const expected = `[B, T, H, W, ${cfg.vision.channels}] with H % ${ph} == 0, W % ${pw} == 0, and T % ${tt} == 0 or ${tt} % T == 0`;
  if (shape.length !== 5) throw new ShapeError(what, shape, expected);
  const [, t, h, w, c] = shape;
  if (c !== cfg.vision.channels || h % ph !== 0 || w % pw !== 0 || h === 0 || w === 0 || t === 0) throw new ShapeError(what, shape, expected);
  if (t % tt !== 0 && tt % t !== 0) throw new ShapeError(what, shape, expected);
  return [Math.max(1, t / tt), h / ph, w / pw];
}

/**
 * Embeds images or videos [B, T, H, W, C] into tokens [B, K, D] (K = Tn*Hn*Wn, or fewer after
 * DropToken).
 *
 * @example
 * ```ts
 * const model = createModel({ size: 'micro', modalities: ['image', 'text'] }, { seed: 0 });
 * const e = embedVision(model.params.embed.vision!, model.config, 'image', tf.zeros([2, 1, 8, 8, 1]));
 * e.tokens.shape; // [2, 4, 32] with the default 4x4 patches
 * ```
 */
export function embedVision(p: VisionParams, cfg: ModelConfig, modality: 'image' | 'video', x: tf.Tensor, opts: EmbedOptions = {}): Embedded {
  const grid = visionGrid(cfg, x.shape, `${modality} input`);
  const proj = p[modality];
  if (!proj) throw new ShapeError(`${modality} input`, x.shape, `a model with "${modality}" in model.modalities`);
  const [tt, ph, pw] = cfg.vision.tubelet;
  const [b, t, , , c] = x.shape;
  const [tn, hn, wn] = grid;
  let clip = x;
  if (t < tt) clip = tf.tile(x, [1, tt / t, 1, 1, 1]); // images: repeat frames to one tubelet
  // [B*Tn, tt, Hn, ph, Wn, pw*C] -> [B*Tn, Hn, Wn, tt, ph, pw*C]: rank 6 keeps every backend's transpose happy.
  const patches = clip
    .reshape([b * tn, tt, hn, ph, wn, pw * c])
    .transpose([0, 2, 4, 1, 3, 5])
    .reshape([b, tn * hn * wn, tt * ph * pw * c]) as tf.Tensor3D; // [B, N, P]
  return embedPatches(patches, grid, p.patch, proj, [p.pos.t, p.pos.h, p.pos.w], opts);
}
