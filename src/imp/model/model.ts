/**
 * An IMP model: thin per-modality embedders, one shared encoder (dense or MoE MLPs), pooled
 * per-modality outputs and heads. `createModel` builds the parameter tree; `encode` runs one
 * modality's pass. Everything is a function of explicit parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors';
import { maskedMean } from '../core/ops';
import { constParam, countParams, denseParam, disposeParams, normalParam, ParamTree } from '../core/params';
import { Rng } from '../core/rng';
import { Modality } from '../data/types';
import { AudioParams, embedAudio } from '../embed/audio';
import { Embedded, EmbedOptions } from '../embed/embedded';
import { DenseParams, ModalityProjection, NormParams } from '../embed/patches';
import { embedText, TextParams } from '../embed/text';
import { embedVision, VisionParams } from '../embed/vision';
import { EncoderAux, EncoderParams, LayerParams, runEncoder } from '../encoder/encoder';
import { headKey, HeadsParams, pairKey } from '../heads/heads';
import { ModelConfig, ModelConfigInput, moeLayers, resolveModelConfig } from './config';
import { expertChoiceCapacity, groupCount } from '../moe/routing';
import { audioGrid } from '../embed/audio';
import { visionGrid } from '../embed/vision';

export interface ImpParams {
  embed: { vision?: VisionParams; audio?: AudioParams; text?: TextParams };
  encoder: EncoderParams;
  heads: HeadsParams;
}

export interface ImpModel {
  readonly config: ModelConfig;
  readonly params: ImpParams;
  readonly seed: number;
}

export interface EncodeOptions extends EmbedOptions {}

/** One modality's encoder pass. */
export interface Encoded {
  /** Global average pool of the encoder output over real tokens. [B, D] */
  pooled: tf.Tensor2D;
  /** Encoder output tokens. [B, K, D] */
  tokens: tf.Tensor3D;
  /** Token positions (grid and kept indices), for routing drill-downs. */
  embedded: Pick<Embedded, 'grid' | 'index'>;
  aux: EncoderAux;
}

const norm = (d: number): NormParams => ({ scale: constParam([d], 1), bias: constParam([d], 0) });
function denseP(rng: Rng, i: number, o: number, bias: boolean): DenseParams {
  return bias ? { w: denseParam(rng, [i, o]), b: constParam([o], 0) } : { w: denseParam(rng, [i, o]) };
}
const projection = (rng: Rng, i: number, d: number, bias: boolean): ModalityProjection => ({ proj: denseP(rng, i, d, bias), ln: norm(d) });

function initParams(cfg: ModelConfig, rng: Rng): ImpParams {
  const D = cfg.width;
  const bias = cfg.useBias;
  const has = (m: Modality) => cfg.modalities.includes(m);
  const embed: ImpParams['embed'] = {};
  if (has('image') || has('video')) {
    const [tt, ph, pw] = cfg.vision.tubelet;
    const [bt, bh, bw] = cfg.vision.posBuckets;
    const E = cfg.vision.embedDim;
    embed.vision = {
      patch: denseP(rng, tt * ph * pw * cfg.vision.channels, E, bias),
      pos: { t: normalParam(rng, [bt, D], 0.02), h: normalParam(rng, [bh, D], 0.02), w: normalParam(rng, [bw, D], 0.02) },
      ...(has('image') ? { image: projection(rng, E, D, bias) } : {}),
      ...(has('video') ? { video: projection(rng, E, D, bias) } : {}),
    };
  }
  if (has('audio')) {
    const [pt, pf] = cfg.audio.patch;
    embed.audio = {
      patch: denseP(rng, pt * pf, cfg.audio.embedDim, bias),
      ...projection(rng, cfg.audio.embedDim, D, bias),
      pos: { t: normalParam(rng, [cfg.audio.posBuckets[0], D], 0.02), f: normalParam(rng, [cfg.audio.posBuckets[1], D], 0.02) },
    };
  }
  if (has('text')) {
    embed.text = {
      table: normalParam(rng, [cfg.text.vocabSize, cfg.text.embedDim], 0.02),
      ...projection(rng, cfg.text.embedDim, D, bias),
      pos: { l: normalParam(rng, [cfg.text.posBuckets, D], 0.02) },
    };
  }
  const moeAt = new Set(moeLayers(cfg));
  const layers: LayerParams[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const dh = D / cfg.numHeads;
    const lp: LayerParams = {
      ln1: norm(D),
      attn: {
        q: denseP(rng, D, D, bias), k: denseP(rng, D, D, bias), v: denseP(rng, D, D, bias), o: denseP(rng, D, D, bias),
        ...(cfg.qkNorm ? { qNorm: norm(dh), kNorm: norm(dh) } : {}),
      },
      ln2: norm(D),
    };
    if (moeAt.has(i) && cfg.moe) {
      const E = cfg.moe.numExperts;
      const F = cfg.moe.expertMlpDim ?? cfg.mlpDim;
      lp.moe = {
        router: normalParam(rng, [D, E], 0.02),
        w1: denseParam(rng, [E, D, F]),
        w2: denseParam(rng, [E, F, D]),
        ...(bias ? { b1: constParam([E, 1, F], 0), b2: constParam([E, 1, D], 0) } : {}),
      };
    } else {
      lp.mlp = { w1: denseP(rng, D, cfg.mlpDim, bias), w2: denseP(rng, cfg.mlpDim, D, bias) };
    }
    layers.push(lp);
  }
  const C = cfg.heads.contrastiveDim;
  const heads: HeadsParams = { contrastive: {}, logTemperature: {}, classifiers: {} };
  for (const [a, b] of cfg.heads.pairs) {
    for (const [s, t] of [[a, b], [b, a]] as [Modality, Modality][]) {
      heads.contrastive[headKey(s, t)] = { w1: denseP(rng, D, C, bias), w2: denseP(rng, C, C, bias), ln: norm(C) };
    }
    heads.logTemperature[pairKey(a, b)] = tf.tidy(() => tf.variable(tf.scalar(Math.log(cfg.heads.temperatureInit))));
  }
  for (const [name, k] of Object.entries(cfg.heads.classifiers)) heads.classifiers[name] = { w: normalParam(rng, [D, k], 0.02), b: constParam([k], 0) };
  return { embed, encoder: { layers, lnFinal: norm(D) }, heads };
}

/**
 * Builds an IMP model from a (partial) config; the same seed gives the same weights.
 *
 * @example
 * ```ts
 * const model = createModel({ size: 'tiny', moe: { numExperts: 4, placement: { last: 2 } },
 *   heads: { classifiers: { mnist: 10 } } }, { seed: 0 });
 * parameterCount(model); // total scalars
 * ```
 */
export function createModel(config: ModelConfigInput = {}, opts: { seed?: number } = {}): ImpModel {
  const cfg = resolveModelConfig(config);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ConfigError('seed', seed, 'an integer');
  return { config: cfg, params: initParams(cfg, new Rng(seed)), seed };
}

export function parameterCount(model: ImpModel): number {
  return countParams(model.params as unknown as ParamTree);
}

export function disposeModel(model: ImpModel): void {
  disposeParams(model.params as unknown as ParamTree);
}

/**
 * Fails before any tensor work when an expert-choice MoE cannot give every expert at least one
 * slot for this input's token count (the ConfigError names capacityFactor and the numbers).
 */
function checkCapacity(cfg: ModelConfig, modality: Modality, shape: number[], dropToken: number): void {
  if (!cfg.moe || cfg.moe.router !== 'expert-choice') return;
  let perExample: number;
  if (modality === 'image' || modality === 'video') perExample = visionGrid(cfg, shape, `${modality} input`).reduce((a, b) => a * b, 1);
  else if (modality === 'audio') perExample = audioGrid(cfg, shape).reduce((a, b) => a * b, 1);
  else perExample = shape[1];
  if (dropToken > 0) perExample = Math.max(1, Math.round(perExample * (1 - dropToken)));
  const tokens = shape[0] * perExample;
  expertChoiceCapacity(tokens / groupCount(tokens, cfg.moe.groupSize), cfg.moe.numExperts, cfg.moe.capacityFactor);
}

/**
 * Encodes one modality in its own pass through the shared encoder. Inputs: image/video
 * [B, T, H, W, C] float32; audio [B, T, F]; text [B, L] int32 (0 = padding).
 *
 * @example
 * ```ts
 * const out = encode(model, 'image', tf.zeros([4, 1, 28, 28, 1]));
 * out.pooled.shape; // [4, width]
 * ```
 */
export function encode(model: ImpModel, modality: Modality, input: tf.Tensor, opts: EncodeOptions = {}): Encoded {
  const cfg = model.config;
  if (!cfg.modalities.includes(modality)) throw new ConfigError('modality', modality, `one of model.modalities (${cfg.modalities.join(', ')})`);
  checkCapacity(cfg, modality, input.shape, opts.dropToken ?? 0);
  const e = model.params.embed;
  let emb: Embedded;
  if (modality === 'image' || modality === 'video') emb = embedVision(e.vision as VisionParams, cfg, modality, input, opts);
  else if (modality === 'audio') emb = embedAudio(e.audio as AudioParams, cfg, input, opts);
  else {
    if (opts.dropToken) throw new ConfigError('dropToken', opts.dropToken, '0 for text (padding makes dropped text ambiguous)');
    emb = embedText(e.text as TextParams, cfg, input);
  }
  const { x, aux } = runEncoder(model.params.encoder, cfg, emb.tokens, emb.mask);
  return { pooled: maskedMean(x, emb.mask), tokens: x, embedded: { grid: emb.grid, index: emb.index }, aux };
}
