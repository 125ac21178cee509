import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './tf';
import { gatherRows, gelu, layerNorm, scatterAddRows } from './ops';

test.before(async () => { await tf.setBackend('cpu'); });

test('gatherRows: same values and gradient as tf.gather, duplicates accumulate', () => {
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const idx = tf.tensor1d([2, 0, 2], 'int32');
  assert.deepEqual(gatherRows(x, idx).arraySync(), [[5, 6], [1, 2], [5, 6]]);
  const w = tf.tensor2d([[1, 10], [100, 1000], [2, 20]]);
  const ours = tf.grad((v: tf.Tensor) => gatherRows(v, idx).mul(w).sum())(x).arraySync();
  const theirs = tf.grad((v: tf.Tensor) => tf.gather(v, idx).mul(w).sum())(x).arraySync();
  // row 2 is gathered twice: its gradient is w[0] + w[2] = [3, 30]; row 1 never: 0.
  assert.deepEqual(ours, [[100, 1000], [0, 0], [3, 30]]);
  assert.deepEqual(ours, theirs);
});

test('scatterAddRows: sums into rows, gradient gathers', () => {
  const u = tf.tensor2d([[1, 1], [2, 2], [4, 4]]);
  const idx = tf.tensor1d([1, 1, 0], 'int32');
  assert.deepEqual(scatterAddRows(u, idx, 3).arraySync(), [[4, 4], [3, 3], [0, 0]]);
  const w = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const g = tf.grad((v: tf.Tensor) => scatterAddRows(v, idx, 3).mul(w).sum())(u).arraySync();
  assert.deepEqual(g, [[3, 4], [3, 4], [1, 2]]);
});

test('gelu (tanh approximation) and layerNorm: hand values', () => {
  // gelu(1) = 0.5 * (1 + tanh(sqrt(2/pi) * (1 + 0.044715))) = 0.841192
  const y = gelu(tf.tensor1d([0, 1, -1])).dataSync();
  assert.ok(Math.abs(y[0]) < 1e-7 && Math.abs(y[1] - 0.841192) < 1e-5 && Math.abs(y[2] + 0.158808) < 1e-5);
  // [1, 3]: mean 2, var 1 -> [-1, 1]; scale 2, bias 1 -> [-1, 3]
  assert.deepEqual(Array.from(layerNorm(tf.tensor1d([1, 3]), tf.tensor1d([2, 2]), tf.tensor1d([1, 1]), 0).dataSync()), [-1, 3]);
});
