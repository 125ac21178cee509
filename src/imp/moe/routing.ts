/**
 * Routing decisions, made on the host from the router's probabilities (tfjs has no gradient for
 * TopK and the choice itself is not differentiable anyway: IMP and V-MoE both route on the
 * probabilities under stop-gradient and let the gradient flow through the probabilities
 * gathered at the chosen slots).
 *
 * Shape contract of a `Dispatch`: tokens are grouped as [G, S]; each expert e has C slots per
 * group, and `slotToken[(e * G + g) * C + c]` is the flat token index g * S + s that fills the
 * slot, or -1 for an empty slot. So dispatch maps [G*S, D] -> [E, G*C, D] and combine maps back.
 */
import { ConfigError } from '../core/errors';

export interface Dispatch {
  numExperts: number;
  groups: number;
  groupSize: number;
  capacity: number;
  /** [E, G, C] flat token index or -1. */
  slotToken: Int32Array;
  /** Token-choice only: (token, choice) assignments refused because the expert was full. */
  droppedAssignments: number;
}

/** Smallest group count G >= ceil(T / maxGroupSize) that divides T (groups must be equal). */
export function groupCount(tokens: number, maxGroupSize: number): number {
  let g = Math.max(1, Math.ceil(tokens / maxGroupSize));
  while (tokens % g !== 0) g++;
  return g;
}

/** Expert-choice capacity C = round(capacityFactor * S / E), at most S. */
export function expertChoiceCapacity(groupSize: number, numExperts: number, capacityFactor: number): number {
  const c = Math.min(groupSize, Math.round((capacityFactor * groupSize) / numExperts));
  if (c < 1) {
    throw new ConfigError('model.moe.capacityFactor', capacityFactor,
      `a value with round(capacityFactor * groupSize / numExperts) >= 1; this batch has groups of ${groupSize} tokens and ${numExperts} experts, so capacityFactor >= ${(0.5 * numExperts / groupSize).toFixed(3)} (or fewer experts, or larger groups)`);
  }
  return c;
}

/** Token-choice capacity C = round(capacityFactor * k * S / E), at least 1. */
export function tokenChoiceCapacity(groupSize: number, numExperts: number, k: number, capacityFactor: number): number {
  return Math.max(1, Math.round((capacityFactor * k * groupSize) / numExperts));
}

/**
 * Expert choice (IMP default): each expert takes the C tokens of each group with the highest
 * router probability for it (ties: lower token index). Tokens with mask 0 are never taken.
 * probs is [G*S, E] row-major.
 *
 * @example
 * ```ts
 * // 1 group of 4 tokens, 2 experts, C = 2
 * const d = expertChoice(Float32Array.from([.9,.1, .2,.8, .6,.4, .3,.7]), 1, 4, 2, 2);
 * Array.from(d.slotToken); // [0, 2, 1, 3]: expert 0 takes tokens 0 and 2, expert 1 takes 1 and 3
 * ```
 */
export function expertChoice(probs: Float32Array, groups: number, groupSize: number, numExperts: number, capacity: number, mask?: Float32Array): Dispatch {
  const E = numExperts;
  const S = groupSize;
  const slotToken = new Int32Array(E * groups * capacity).fill(-1);
  const order = new Int32Array(S);
  for (let g = 0; g < groups; g++) {
    for (let e = 0; e < E; e++) {
      let n = 0;
      for (let s = 0; s < S; s++) if (!mask || mask[g * S + s] > 0) order[n++] = s;
      const cand = Array.from(order.subarray(0, n));
      cand.sort((a, b) => probs[(g * S + b) * E + e] - probs[(g * S + a) * E + e] || a - b);
      const base = (e * groups + g) * capacity;
      for (let c = 0; c < Math.min(capacity, cand.length); c++) slotToken[base + c] = g * S + cand[c];
    }
  }
  return { numExperts: E, groups, groupSize: S, capacity, slotToken, droppedAssignments: 0 };
}

/**
 * Token choice top-k with capacity: each token picks its k most probable experts; assignments
 * are served in priority order — all first choices before any second choice (V-MoE), tokens in
 * sequence order or, with `batchPriority`, by descending top-1 probability — and an assignment
 * to a full expert is dropped. Masked tokens do not route.
 *
 * @example
 * ```ts
 * // 1 group of 3 tokens, 2 experts, k = 1, C = 1: tokens 0 and 1 both want expert 0
 * const d = tokenChoice(Float32Array.from([.9,.1, .8,.2, .3,.7]), 1, 3, 2, 1, 1, false);
 * Array.from(d.slotToken); // [0, 2]: token 1 is dropped
 * d.droppedAssignments;    // 1
 * ```
 */
export function tokenChoice(probs: Float32Array, groups: number, groupSize: number, numExperts: number, k: number, capacity: number, batchPriority: boolean, mask?: Float32Array): Dispatch {
  const E = numExperts;
  const S = groupSize;
  const slotToken = new Int32Array(E * groups * capacity).fill(-1);
  let dropped = 0;
  const fill = new Int32Array(E);
  for (let g = 0; g < groups; g++) {
    fill.fill(0);
    const tokens: number[] = [];
    for (let s = 0; s < S; s++) if (!mask || mask[g * S + s] > 0) tokens.push(s);
    // Each token's experts by descending probability (ties: lower expert index).
    const choices = new Map<number, number[]>();
    const top1 = new Map<number, number>();
    for (const s of tokens) {
      const row = Array.from({ length: E }, (_, e) => e);
      row.sort((a, b) => probs[(g * S + s) * E + b] - probs[(g * S + s) * E + a] || a - b);
      choices.set(s, row.slice(0, k));
      top1.set(s, probs[(g * S + s) * E + row[0]]);
    }
    if (batchPriority) tokens.sort((a, b) => (top1.get(b) as number) - (top1.get(a) as number) || a - b);
    for (let j = 0; j < k; j++) {
      for (const s of tokens) {
        const e = (choices.get(s) as number[])[j];
        if (fill[e] < capacity) {
          slotToken[(e * groups + g) * capacity + fill[e]] = g * S + s;
          fill[e]++;
        } else {
          dropped++;
        }
      }
    }
  }
  return { numExperts: E, groups, groupSize: S, capacity, slotToken, droppedAssignments: dropped };
}
