import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { gelu } from '../core/ops';
import { Rng } from '../core/rng';
import { normalParam } from '../core/params';
import { DEFAULT_MOE, MoeConfig } from '../model/config';
import { MoeParams, moeMlp } from './moe_layer';

test.before(async () => { await tf.setBackend('cpu'); });

function params(d: number, f: number, e: number, seed: number): MoeParams {
  const rng = new Rng(seed);
  return { router: normalParam(rng, [d, e], 0.5), w1: normalParam(rng, [e, d, f], 0.3), w2: normalParam(rng, [e, f, d], 0.3) };
}
const cfg = (o: Partial<MoeConfig>): MoeConfig => ({ ...DEFAULT_MOE, ...o });

/** Reference: y[t] = sum_e w[t,e] * expert_e(x[t]), computed token by token on the host side. */
function reference(p: MoeParams, x: tf.Tensor2D, tokenWeights: Float32Array, e: number): Float32Array {
  return tf.tidy(() => {
    let y = tf.zerosLike(x);
    for (let k = 0; k < e; k++) {
      const w1 = p.w1.slice([k, 0, 0], [1, -1, -1]).squeeze([0]) as tf.Tensor2D;
      const w2 = p.w2.slice([k, 0, 0], [1, -1, -1]).squeeze([0]) as tf.Tensor2D;
      const out = tf.matMul(gelu(tf.matMul(x, w1)) as tf.Tensor2D, w2);
      const col = tf.tensor1d(Array.from({ length: x.shape[0] }, (_, t) => tokenWeights[t * e + k]));
      y = y.add(out.mul(col.expandDims(1)));
    }
    return y.dataSync() as Float32Array;
  });
}

test('expert choice layer: each expert takes exactly C tokens; combine weights are the router probabilities', () => {
  const [B, K, D, F, E] = [2, 8, 6, 10, 4];
  const p = params(D, F, E, 1);
  const x = tf.tensor3d(Float32Array.from({ length: B * K * D }, (_, i) => Math.sin(i * 1.7)), [B, K, D]);
  const out = moeMlp(p, cfg({ numExperts: E, router: 'expert-choice', capacityFactor: 1.0 }), x, 3);
  const C = Math.round((1.0 * B * K) / E); // one group of 16 tokens -> C = 4
  assert.deepEqual(Array.from(out.record.expertTokens), [C, C, C, C]);
  assert.equal(out.record.layer, 3);
  // The weights in the record are the softmax of x @ router at the chosen cells.
  const probs = tf.softmax(tf.matMul(x.reshape([B * K, D]), p.router)).dataSync();
  for (let i = 0; i < B * K * E; i++) if (out.record.tokenWeights[i] > 0) assert.ok(Math.abs(out.record.tokenWeights[i] - probs[i]) < 1e-6);
  // Output equals the per-token reference sum over experts.
  const ref = reference(p, x.reshape([B * K, D]) as tf.Tensor2D, out.record.tokenWeights, E);
  const got = out.y.dataSync();
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i] - got[i]) < 1e-4, `y[${i}] ${got[i]} vs ${ref[i]}`);
  assert.ok(out.zLoss.dataSync()[0] > 0);
});

test('token choice layer: dropped tokens get zero output; record counts them', () => {
  const [B, K, D, F, E] = [1, 12, 4, 8, 3];
  const p = params(D, F, E, 2);
  const x = tf.tensor3d(Float32Array.from({ length: B * K * D }, (_, i) => Math.cos(i * 0.9) * 2), [B, K, D]);
  const c = cfg({ numExperts: E, router: 'token-choice', topK: 1, capacityFactor: 0.5 }); // C = round(0.5*12/3) = 2
  const out = moeMlp(p, c, x, 0);
  assert.equal(out.record.capacity, 2);
  const taken = Array.from(out.record.expertTokens).reduce((a, b) => a + b, 0);
  assert.ok(taken <= 6);
  assert.equal(out.record.droppedTokens, 12 - taken);
  assert.equal(out.record.droppedAssignments, 12 - taken);
  const y = out.y.dataSync();
  for (let t = 0; t < K; t++) {
    const norm = Math.hypot(...Array.from(y.slice(t * D, t * D + D)));
    if (out.record.tokenTopExpert[t] < 0) assert.equal(norm, 0, `dropped token ${t} must get no expert output`);
    else assert.ok(norm > 0);
  }
  assert.ok(out.balanceLoss.dataSync()[0] >= 1 - 1e-5, 'switch balance loss is >= 1, equal 1 when balanced');
});

test('finite-difference gradient through the MoE layer (router, experts)', () => {
  const [B, K, D, F, E] = [1, 8, 4, 6, 2];
  const p = params(D, F, E, 3);
  const x = tf.tensor3d(Float32Array.from({ length: B * K * D }, (_, i) => Math.sin(i * 2.3)), [B, K, D]);
  const r = tf.tensor3d(Float32Array.from({ length: B * K * D }, (_, i) => Math.cos(i * 0.7)), [B, K, D]);
  const c = cfg({ numExperts: E, router: 'expert-choice' });
  const f = () => tf.tidy(() => {
    const o = moeMlp(p, c, x, 0);
    return o.y.mul(r).sum().add(o.zLoss) as tf.Scalar;
  });
  const { grads } = tf.variableGrads(f, [p.router, p.w1]);
  for (const v of [p.router, p.w1]) {
    const g = grads[v.name].dataSync();
    const base = v.dataSync().slice();
    for (const i of [0, 1, Math.floor(v.size / 2), v.size - 1]) {
      const eps = 1e-2;
      const plus = base.slice(); plus[i] += eps;
      v.assign(tf.tensor(plus, v.shape));
      const fp = f().dataSync()[0];
      const minus = base.slice(); minus[i] -= eps;
      v.assign(tf.tensor(minus, v.shape));
      const fm = f().dataSync()[0];
      v.assign(tf.tensor(base, v.shape));
      const num = (fp - fm) / (2 * eps);
      assert.ok(Math.abs(num - g[i]) < 2e-2 + 2e-2 * Math.abs(num), `${v.name}[${i}]: analytic ${g[i]} vs numeric ${num}`);
    }
  }
});
