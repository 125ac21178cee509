/**
 * The reference training steps of the benchmark (DESIGN.md "Performance"), built with the IMP
 * library itself: images 32x32x3, patch 4 (64 tokens), width 192, 6 pre-LN layers, 3 heads,
 * MLP 768 (tanh GELU), mean pool, 10-class softmax head, batch 32, Adam, fp32.
 * `ref-moe-ec` / `ref-moe-tc` make every other MLP an 8-expert MoE (expert choice, capacity
 * 1.0 / token choice top-2, capacity 1.25). bench/peer/ref_step.py builds the same in PyTorch.
 *
 * @example
 * ```ts
 * const step = createRefStep('ref-dense', { seed: 0 });
 * const loss = step.run(); // one Adam step; returns the loss
 * step.dispose();
 * ```
 */
import '../src/imp/core/tf';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../src/imp/core/errors';
import { Rng } from '../src/imp/core/rng';
import { classify } from '../src/imp/heads/heads';
import { softmaxCrossEntropy } from '../src/imp/losses/cross_entropy';
import { createModel, disposeModel, encode, ImpModel, parameterCount } from '../src/imp/model/model';
import type { ModelConfigInput } from '../src/imp/model/config';
import { AdamWConfig, applyAdamW, createAdamW, disposeAdamW } from '../src/imp/train/optimizer';

export const REF_CONFIGS = ['ref-dense', 'ref-moe-ec', 'ref-moe-tc'] as const;
export type RefConfigName = (typeof REF_CONFIGS)[number];

export interface RefShape {
  batch: number;
  image: number;
  channels: number;
  patch: number;
  classes: number;
}
export const REF_SHAPE: RefShape = { batch: 32, image: 32, channels: 3, patch: 4, classes: 10 };

/** The model config of a reference step; `layers` can be cut for a quick run. */
export function refModelConfig(name: RefConfigName, layers = 6): ModelConfigInput {
  const base: ModelConfigInput = {
    size: 'ref', layers, useBias: true, qkNorm: false, modalities: ['image'],
    vision: { tubelet: [1, REF_SHAPE.patch, REF_SHAPE.patch], channels: REF_SHAPE.channels, embedDim: 192, posBuckets: [1, 8, 8] },
    heads: { pairs: [], classifiers: { ref: REF_SHAPE.classes } },
  };
  if (name === 'ref-dense') return { ...base, moe: null };
  const moe = name === 'ref-moe-ec'
    ? { numExperts: 8, router: 'expert-choice' as const, capacityFactor: 1.0, topK: 1 }
    : { numExperts: 8, router: 'token-choice' as const, capacityFactor: 1.25, topK: 2 };
  return { ...base, moe: { ...moe, placement: { every: 2 }, groupSize: 2048, batchPriority: false, zLossWeight: 0.01, balanceLossWeight: 0.01 } };
}

export interface RefStep {
  readonly name: RefConfigName;
  readonly model: ImpModel;
  readonly params: number;
  /** Forward FLOPs of the step's matmuls (multiply-adds x 2), active experts only. */
  readonly forwardFlops: number;
  /** One training step (forward, backward, Adam); returns the loss. */
  run(): number;
  dispose(): void;
}

/** Matmul FLOPs of one forward pass, the convention the PyTorch peer uses too. */
export function refForwardFlops(name: RefConfigName, layers = 6): number {
  const { batch, image, patch, channels } = REF_SHAPE;
  const T = batch * (image / patch) ** 2, D = 192, F = 768, N = (image / patch) ** 2;
  const patchIn = patch * patch * channels;
  let f = 2 * T * patchIn * D + 2 * T * D * D; // patch dense + projection
  for (let l = 0; l < layers; l++) {
    f += 4 * 2 * T * D * D + 2 * 2 * batch * N * N * D; // q,k,v,o + scores + weighted sum
    const moe = name !== 'ref-dense' && l % 2 === 1;
    const tokensPerExpertSlot = name === 'ref-moe-tc' ? 2 * 1.25 : 1.0; // slots per token
    f += 2 * 2 * T * D * F * (moe ? tokensPerExpertSlot : 1);
  }
  return f + 2 * batch * D * REF_SHAPE.classes;
}

/** Adam as the peer runs it (torch.optim.Adam defaults with lr 1e-3). */
export const REF_ADAM: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 };

/** Builds a reference step with fixed random inputs (same seed, same bytes). */
export function createRefStep(name: RefConfigName, opts: { seed?: number; layers?: number; batch?: number; model?: ImpModel } = {}): RefStep {
  if (!(REF_CONFIGS as readonly string[]).includes(name)) {
    throw new ConfigError('config', name, REF_CONFIGS.map((c) => `"${c}"`).join(' | '));
  }
  const seed = opts.seed ?? 0;
  const layers = opts.layers ?? 6;
  // A shared model lets several steps (AGD tasks of different shapes) train the same weights.
  const model = opts.model ?? createModel(refModelConfig(name, layers), { seed });
  const rng = new Rng(seed + 1);
  const { image, channels, classes } = REF_SHAPE;
  const batch = opts.batch ?? REF_SHAPE.batch;
  const px = new Float32Array(batch * image * image * channels);
  for (let i = 0; i < px.length; i++) px[i] = rng.normal();
  const lab = new Int32Array(batch);
  for (let i = 0; i < batch; i++) lab[i] = rng.int(classes);
  const x = tf.tensor5d(px, [batch, 1, image, image, channels]);
  const y = tf.tensor1d(lab, 'int32');
  // The library's optimizer (one fused pass per parameter on host-storage backends), set to
  // plain Adam as in the peer's torch.optim.Adam(lr=1e-3): no weight decay, no clipping, eps 1e-8.
  const vars = collectVariables(model.params);
  const named: Record<string, tf.Variable> = Object.fromEntries(vars.map((v) => [v.name, v]));
  const adam = createAdamW(named);
  const moe = model.config.moe;
  const lossFn = (): tf.Scalar => {
    const out = encode(model, 'image', x);
    let loss = softmaxCrossEntropy(classify(model.params.heads, 'ref', out.pooled), y);
    if (moe) loss = loss.add(out.aux.zLoss.mul(moe.zLossWeight)).add(out.aux.balanceLoss.mul(moe.balanceLossWeight));
    return loss as tf.Scalar;
  };
  const run = (): number => {
    const { value, grads } = tf.variableGrads(lossFn, vars);
    applyAdamW(adam, named, grads, 1e-3, REF_ADAM, 0);
    const v = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return v;
  };
  return {
    name, model, params: parameterCount(model), forwardFlops: refForwardFlops(name, layers), run,
    dispose: () => { disposeAdamW(adam); if (!opts.model) disposeModel(model); x.dispose(); y.dispose(); },
  };
}

function collectVariables(tree: unknown, out: tf.Variable[] = []): tf.Variable[] {
  if (tree instanceof tf.Variable) out.push(tree);
  else if (tree && typeof tree === 'object') for (const v of Object.values(tree)) collectVariables(v, out);
  return out;
}
