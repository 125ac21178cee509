/**
 * A sparse Mixture-of-Experts MLP (IMP.md "Mixture-of-Experts"). Tokens are grouped, routed on
 * the host from the router probabilities, dispatched to experts by gather, processed by one
 * batched matmul per expert layer, and combined by a weighted scatter-add. Work is proportional
 * to the filled slots, never to experts x slots as with a one-hot einsum.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../core/errors';
import { gatherRows, gelu, scatterAddRows } from '../core/ops';
import { MoeConfig } from '../model/config';
import { RoutingRecord } from './record';
import { Dispatch, expertChoice, expertChoiceCapacity, groupCount, tokenChoice, tokenChoiceCapacity } from './routing';

export interface MoeParams {
  router: tf.Variable; // [D, E], fp32, no bias, N(0, 0.02)
  w1: tf.Variable; // [E, D, F]
  w2: tf.Variable; // [E, F, D]
  b1?: tf.Variable; // [E, 1, F]
  b2?: tf.Variable; // [E, 1, D]
}

export interface MoeOutput {
  y: tf.Tensor3D; // [B, K, D]
  zLoss: tf.Scalar;
  balanceLoss: tf.Scalar;
  record: RoutingRecord;
}

/** Host statistics of a routing decision, from the probabilities and the dispatch. */
function describe(layer: number, cfg: MoeConfig, d: Dispatch, probs: Float32Array, logits: Float32Array, mask: Float32Array | undefined, T: number): RoutingRecord {
  const E = d.numExperts;
  const expertTokens = new Int32Array(E);
  const expertWeight = new Float32Array(E);
  const tokenWeights = new Float32Array(T * E);
  const slotsPerExpert = d.groups * d.capacity;
  for (let e = 0; e < E; e++) {
    for (let i = 0; i < slotsPerExpert; i++) {
      const t = d.slotToken[e * slotsPerExpert + i];
      if (t < 0) continue;
      expertTokens[e]++;
      expertWeight[e] += probs[t * E + e];
      tokenWeights[t * E + e] = probs[t * E + e];
    }
  }
  const tokenTopExpert = new Int32Array(T).fill(-1);
  const expertProb = new Float32Array(E);
  const top1Count = new Float32Array(E);
  let dropped = 0;
  let real = 0;
  let entropy = 0;
  let z = 0;
  for (let t = 0; t < T; t++) {
    if (mask && mask[t] <= 0) continue;
    real++;
    let best = -1;
    let bw = 0;
    let argmax = 0;
    let h = 0;
    let mx = -Infinity;
    for (let e = 0; e < E; e++) {
      const p = probs[t * E + e];
      expertProb[e] += p;
      if (p > probs[t * E + argmax]) argmax = e;
      if (p > 0) h -= p * Math.log(p);
      if (tokenWeights[t * E + e] > bw) { bw = tokenWeights[t * E + e]; best = e; }
      mx = Math.max(mx, logits[t * E + e]);
    }
    let s = 0;
    for (let e = 0; e < E; e++) s += Math.exp(logits[t * E + e] - mx);
    z += (mx + Math.log(s)) ** 2;
    top1Count[argmax]++;
    entropy += h;
    tokenTopExpert[t] = best;
    if (best < 0) dropped++;
  }
  let balance = 0;
  for (let e = 0; e < E; e++) balance += (top1Count[e] / Math.max(1, real)) * (expertProb[e] / Math.max(1, real));
  return {
    layer, router: cfg.router, numExperts: E, groups: d.groups, groupSize: d.groupSize, capacity: d.capacity,
    expertTokens, expertWeight, expertProb, tokenWeights, tokenTopExpert,
    droppedTokens: dropped, droppedAssignments: d.droppedAssignments, realTokens: real,
    routerEntropy: entropy / Math.max(1, real), zLoss: z / Math.max(1, real), balanceLoss: E * balance,
  };
}

/**
 * Applies an MoE MLP to x [B, K, D]. `mask` [B, K] marks real tokens (text padding is 0): padding
 * never takes expert capacity and is left out of the auxiliary losses.
 *
 * @example
 * ```ts
 * const model = createModel({ size: 'micro', modalities: ['image', 'text'], moe: { numExperts: 4, placement: { last: 1 } } }, { seed: 0 });
 * const p = model.params.encoder.layers[1].moe!;
 * const out = moeMlp(p, model.config.moe!, tf.randomNormal([2, 8, 32]), 1);
 * out.record.expertTokens; // each expert took round(1.0 * 16 / 4) = 4 tokens
 * ```
 */
export function moeMlp(p: MoeParams, cfg: MoeConfig, x: tf.Tensor3D, layer: number, mask?: tf.Tensor2D): MoeOutput {
  const [b, k, dModel] = x.shape;
  const E = cfg.numExperts;
  if (p.router.shape[0] !== dModel || p.router.shape[1] !== E) throw new ShapeError(`moe layer ${layer} input`, x.shape, `[B, K, ${p.router.shape[0]}]`);
  const T = b * k;
  const G = groupCount(T, cfg.groupSize);
  const S = T / G;
  const C = cfg.router === 'expert-choice'
    ? expertChoiceCapacity(S, E, cfg.capacityFactor)
    : tokenChoiceCapacity(S, E, cfg.topK, cfg.capacityFactor);

  const xf = x.reshape([T, dModel]); // [T, D]
  const logits = tf.matMul(xf, p.router); // [T, E] (fp32 router)
  const probs = tf.softmax(logits); // [T, E]
  const maskHost = mask ? (mask.dataSync() as Float32Array) : undefined;
  const probsHost = probs.dataSync() as Float32Array;
  const logitsHost = logits.dataSync() as Float32Array;
  const d = cfg.router === 'expert-choice'
    ? expertChoice(probsHost, G, S, E, C, maskHost)
    : tokenChoice(probsHost, G, S, E, cfg.topK, C, cfg.batchPriority, maskHost);
  const record = describe(layer, cfg, d, probsHost, logitsHost, maskHost, T);

  // Slots as flat indices: token rows for dispatch, (token, expert) cells for the combine weights.
  const nSlots = d.slotToken.length; // E * G * C
  const tokenIdx = new Int32Array(nSlots);
  const cellIdx = new Int32Array(nSlots);
  const valid = new Float32Array(nSlots);
  const segment = new Int32Array(nSlots);
  const perExpert = G * C;
  for (let i = 0; i < nSlots; i++) {
    const t = d.slotToken[i];
    const e = Math.floor(i / perExpert);
    tokenIdx[i] = t < 0 ? 0 : t;
    cellIdx[i] = (t < 0 ? 0 : t) * E + e;
    valid[i] = t < 0 ? 0 : 1;
    segment[i] = t < 0 ? T : t; // empty slots scatter into a spare row that is sliced off
  }
  const xe = gatherRows(xf, tf.tensor1d(tokenIdx, 'int32')).reshape([E, perExpert, dModel]); // [E, G*C, D]
  let h = tf.matMul(xe as tf.Tensor3D, p.w1 as unknown as tf.Tensor3D); // [E, G*C, F]
  if (p.b1) h = h.add(p.b1);
  h = gelu(h);
  let ye = tf.matMul(h as tf.Tensor3D, p.w2 as unknown as tf.Tensor3D); // [E, G*C, D]
  if (p.b2) ye = ye.add(p.b2);
  const w = gatherRows(probs.reshape([T * E]), tf.tensor1d(cellIdx, 'int32')).mul(tf.tensor1d(valid)); // [E*G*C]
  const weighted = ye.reshape([nSlots, dModel]).mul(w.expandDims(1)); // [E*G*C, D]
  const combined = scatterAddRows(weighted, tf.tensor1d(segment, 'int32'), T + 1).slice([0, 0], [T, dModel]); // [T, D]
  const y = combined.reshape([b, k, dModel]) as tf.Tensor3D;

  // Auxiliary losses over real tokens only.
  const m = maskHost ? tf.tensor1d(maskHost) : tf.ones([T]);
  const nReal = m.sum().maximum(1);
  const lse = logits.logSumExp(-1); // [T]
  const zLoss = lse.square().mul(m).sum().div(nReal) as tf.Scalar;
  const top1 = new Float32Array(E);
  let real = 0;
  for (let t = 0; t < T; t++) {
    if (maskHost && maskHost[t] <= 0) continue;
    real++;
    let a = 0;
    for (let e = 1; e < E; e++) if (probsHost[t * E + e] > probsHost[t * E + a]) a = e;
    top1[a]++;
  }
  for (let e = 0; e < E; e++) top1[e] /= Math.max(1, real);
  const meanProb = probs.mul(m.expandDims(1)).sum(0).div(nReal); // [E]
  const balanceLoss = meanProb.mul(tf.tensor1d(top1)).sum().mul(E) as tf.Scalar;
  return { y, zLoss, balanceLoss, record };
}
