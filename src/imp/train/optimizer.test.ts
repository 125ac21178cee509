import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { applyAdamW, applyAdamWOps, createAdamW, DEFAULT_ADAMW, globalNorm } from './optimizer';

test.before(async () => { await tf.setBackend('cpu'); });

test('AdamW: first step moves by lr * (sign + decay); untouched params still decay and ride momentum', () => {
  const vars = { a: tf.variable(tf.scalar(1)), b: tf.variable(tf.scalar(1)) };
  const st = createAdamW(vars);
  const c = { ...DEFAULT_ADAMW, weightDecay: 0.1, eps: 1e-8, clipNorm: 0 };
  // Step 1, grad(a) = 0.5, b untouched: m = 0.05, v = 0.00025, mhat = 0.5, vhat = 0.25,
  // update = 1; a = 1 - 0.1 * (1 + 0.1 * 1) = 0.89. b: Adam term 0, decay only: 1 - 0.1 * 0.1.
  applyAdamW(st, vars, { a: tf.scalar(0.5) }, 0.1, c, 0.5);
  assert.ok(Math.abs(vars.a.dataSync()[0] - 0.89) < 1e-5, `a = ${vars.a.dataSync()[0]}`);
  assert.ok(Math.abs(vars.b.dataSync()[0] - (1 - 0.1 * 0.1)) < 1e-6, 'b decayed although its task did not touch it');
  // Step 2, no gradient for a: m = 0.045, v = 0.00024975; mhat = 0.045 / 0.19 = 0.236842,
  // vhat = 0.00024975 / 0.001999 = 0.124937; update = 0.236842 / 0.353465 = 0.670058;
  // a = 0.89 - 0.1 * (0.670058 + 0.1 * 0.89) = 0.814094: momentum moves it.
  applyAdamW(st, vars, {}, 0.1, c, 0);
  assert.ok(Math.abs(vars.a.dataSync()[0] - 0.814094) < 1e-4, `a = ${vars.a.dataSync()[0]}`);
  assert.equal(st.count, 2);
});

test('global-norm clipping scales the gradient', () => {
  const g = { x: tf.tensor1d([3, 4]) };
  assert.equal(globalNorm(g).dataSync()[0], 5);
  const vars = { x: tf.variable(tf.tensor1d([0, 0])) };
  const st = createAdamW(vars);
  // Adam's first step is invariant to gradient scale (m / sqrt(v)), so check the moments instead.
  applyAdamW(st, vars, g, 0.1, { ...DEFAULT_ADAMW, clipNorm: 1, weightDecay: 0 }, 5);
  const m = st.m.x.dataSync();
  assert.ok(Math.abs(m[0] - 0.1 * 0.6) < 1e-6 && Math.abs(m[1] - 0.1 * 0.8) < 1e-6, `m = ${m}`);
});

test('the fused host AdamW equals the op-by-op AdamW', () => {
  const mk = () => ({ w: tf.variable(tf.tensor2d([[0.5, -1], [2, 0.1]])), b: tf.variable(tf.tensor1d([0.3, -0.2])) });
  const a = mk();
  const b = mk();
  const sa = createAdamW(a);
  const sb = createAdamW(b);
  const c = { ...DEFAULT_ADAMW, weightDecay: 0.01, clipNorm: 1 };
  for (let i = 0; i < 3; i++) {
    const g = { w: tf.tensor2d([[0.1 * i, -0.4], [0.9, 0.05]]), ...(i === 1 ? {} : { b: tf.tensor1d([1, -2]) }) };
    const n = globalNorm(g).dataSync()[0];
    applyAdamW(sa, a, g, 0.05, c, n); // host path on the cpu backend
    applyAdamWOps(sb, b, g, 0.05, c, n);
  }
  for (const k of ['w', 'b'] as const) {
    const x = a[k].dataSync();
    const y = b[k].dataSync();
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-6, `${k}[${i}] ${x[i]} vs ${y[i]}`);
  }
});
