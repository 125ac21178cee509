/**
 * AdamW shared by all tasks (IMP.md "Alternating Gradient Descent"): ONE state for every
 * parameter, and every parameter moves at every step — those the step's task did not touch get a
 * zero gradient, so they still decay and keep moving by momentum, exactly as in the release.
 * Global-norm gradient clipping before the update.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../core/tf';
import { ConfigError } from '../core/errors';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip (0 = off). */
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: 1e-4, clipNorm: 1.0 };

export function checkAdamW(c: AdamWConfig): AdamWConfig {
  for (const k of ['beta1', 'beta2'] as const) if (!(c[k] >= 0 && c[k] < 1)) throw new ConfigError(`optimizer.${k}`, c[k], 'a number in [0, 1)');
  if (!(c.eps > 0)) throw new ConfigError('optimizer.eps', c.eps, 'a number > 0');
  if (!(c.weightDecay >= 0)) throw new ConfigError('optimizer.weightDecay', c.weightDecay, 'a number >= 0');
  if (!(c.clipNorm >= 0)) throw new ConfigError('optimizer.clipNorm', c.clipNorm, 'a number >= 0 (0 = no clipping)');
  return c;
}

export interface AdamWState {
  /** Updates applied so far (bias correction uses it). */
  count: number;
  m: Record<string, tf.Variable>;
  v: Record<string, tf.Variable>;
}

/**
 * Creates the optimizer state for a set of named variables.
 *
 * @example
 * ```ts
 * const state = createAdamW(flattenParams(model.params));
 * applyAdamW(state, vars, grads, 1e-3, DEFAULT_ADAMW);
 * ```
 */
export function createAdamW(vars: Record<string, tf.Variable>): AdamWState {
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const [k, x] of Object.entries(vars)) {
    m[k] = tf.variable(tf.zerosLike(x), false);
    v[k] = tf.variable(tf.zerosLike(x), false);
  }
  return { count: 0, m, v };
}

/** Global L2 norm of the gradients that exist (missing = zero). */
export function globalNorm(grads: Record<string, tf.Tensor | undefined>): tf.Scalar {
  return tf.tidy(() => {
    const sq = Object.values(grads).filter((g): g is tf.Tensor => !!g).map((g) => g.square().sum());
    return (sq.length ? tf.addN(sq) : tf.scalar(0)).sqrt() as tf.Scalar;
  });
}

/**
 * One AdamW update of every variable. `grads` is keyed like `vars`; a missing key is a zero
 * gradient. `norm` is the global gradient norm already computed (for clipping). Decoupled weight
 * decay: p -= lr * (adam_update + weightDecay * p).
 */
export function applyAdamW(state: AdamWState, vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor | undefined>, lr: number, c: AdamWConfig, norm: number): void {
  const t = state.count + 1;
  const scale = c.clipNorm > 0 && norm > c.clipNorm ? c.clipNorm / norm : 1;
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  tf.tidy(() => {
    for (const [k, p] of Object.entries(vars)) {
      const m = state.m[k];
      const v = state.v[k];
      const g = grads[k];
      const mNew = g ? m.mul(c.beta1).add(g.mul((1 - c.beta1) * scale)) : m.mul(c.beta1);
      const vNew = g ? v.mul(c.beta2).add(g.square().mul((1 - c.beta2) * scale * scale)) : v.mul(c.beta2);
      const update = mNew.div(bc1).div(vNew.div(bc2).sqrt().add(c.eps));
      p.assign(p.sub(update.add(p.mul(c.weightDecay)).mul(lr)));
      m.assign(mNew);
      v.assign(vNew);
    }
  });
  state.count = t;
}

export function disposeAdamW(state: AdamWState): void {
  for (const x of [...Object.values(state.m), ...Object.values(state.v)]) x.dispose();
}
