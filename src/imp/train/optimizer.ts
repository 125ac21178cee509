/**
 * AdamW shared by all tasks (IMP.md "Alternating Gradient Descent"): ONE state for every
 * parameter, and every parameter moves at every step — those the step's task did not touch get a
 * zero gradient, so they still decay and keep moving by momentum, exactly as in the release.
 * Global-norm gradient clipping before the update.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../core/tf';
import { ConfigError } from '../core/errors';
import { loadAddon } from '../backend/native/addon';

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
    m[k] = tf.tidy(() => tf.variable(tf.zerosLike(x), false));
    v[k] = tf.tidy(() => tf.variable(tf.zerosLike(x), false));
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
  if (hostStorage()) applyAdamWHost(state, vars, grads, lr, c, norm);
  else applyAdamWOps(state, vars, grads, lr, c, norm);
}

/** Backends that keep tensors in JS typed arrays (tfjs `cpu` and the native backend built on it). */
function hostStorage(): boolean {
  return tf.getBackend() === 'cpu' || tf.getBackend() === 'native';
}

/**
 * The same update as applyAdamWOps in one fused pass per parameter over host arrays. On
 * host-storage backends the op-by-op version costs ~12 kernels and as many full-size
 * allocations per parameter (≈1,500 kernels per step for the tiny model); this is one loop.
 */
function applyAdamWHost(state: AdamWState, vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor | undefined>, lr: number, c: AdamWConfig, norm: number): void {
  const t = state.count + 1;
  const scale = c.clipNorm > 0 && norm > c.clipNorm ? c.clipNorm / norm : 1;
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  const { beta1: b1, beta2: b2, eps, weightDecay: wd } = c;
  const addon = tf.getBackend() === 'native' ? loadAddon() : null;
  tf.tidy(() => {
    for (const [k, p] of Object.entries(vars)) {
      const pv = p.dataSync() as Float32Array;
      const mv = state.m[k].dataSync() as Float32Array;
      const vv = state.v[k].dataSync() as Float32Array;
      const g = grads[k];
      const gv = g ? (g.dataSync() as Float32Array) : null;
      const n = pv.length;
      const np = new Float32Array(n);
      const nm = new Float32Array(n);
      const nv = new Float32Array(n);
      // The native backend's addon runs this same loop (in double, same bits) on all cores.
      if (addon) addon.adamw(pv, mv, vv, gv, np, nm, nv, n, lr, b1, b2, bc1, bc2, eps, wd, scale);
      else for (let i = 0; i < n; i++) {
        const gi = gv ? gv[i] * scale : 0;
        const mi = b1 * mv[i] + (1 - b1) * gi;
        const vi = b2 * vv[i] + (1 - b2) * gi * gi;
        nm[i] = mi;
        nv[i] = vi;
        np[i] = pv[i] - lr * (mi / bc1 / (Math.sqrt(vi / bc2) + eps) + wd * pv[i]);
      }
      p.assign(tf.tensor(np, p.shape));
      state.m[k].assign(tf.tensor(nm, p.shape));
      state.v[k].assign(tf.tensor(nv, p.shape));
    }
  });
  state.count = t;
}

/** The update as tfjs ops, for backends whose tensors live off the JS heap (wasm, tfjs-node, GPU). */
export function applyAdamWOps(state: AdamWState, vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor | undefined>, lr: number, c: AdamWConfig, norm: number): void {
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
