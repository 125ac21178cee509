import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { milNceLoss, ncePairLoss } from './nce';
import { softmaxCrossEntropy } from './cross_entropy';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);
const E = Math.E;

test.before(async () => { await tf.setBackend('cpu'); });

test('NCE: orthonormal pairs, temperature 1 and 0.5 (hand-worked)', () => {
  // logits = I / tau; each row's CE = log(e^(1/tau) + 1) - 1/tau; both directions equal.
  const a = tf.eye(2) as tf.Tensor2D;
  close(ncePairLoss(a, a, 1).dataSync()[0], Math.log(E + 1) - 1); // 0.31326
  close(ncePairLoss(a, a, tf.scalar(0.5)).dataSync()[0], Math.log(E * E + 1) - 2); // 0.12693
  // Scale invariance: embeddings are L2-normalised first.
  close(ncePairLoss(a.mul(7) as tf.Tensor2D, a, 1).dataSync()[0], Math.log(E + 1) - 1);
});

test('NCE: swapped pairs give a larger loss', () => {
  const a = tf.eye(2) as tf.Tensor2D;
  const swapped = tf.tensor2d([[0, 1], [1, 0]]);
  // logits = [[0,1],[1,0]]: CE = log(1 + e) - 0 = 1.31326 per row.
  close(ncePairLoss(a, swapped, 1).dataSync()[0], Math.log(1 + E));
});

test('MIL-NCE: P=1 equals NCE; P=2 hand-worked', () => {
  const a = tf.tensor2d([[1, 0], [0, 1]]);
  close(milNceLoss(a, a, 1, 1).dataSync()[0], ncePairLoss(a, a, 1).dataSync()[0]);
  // b rows: sample 0 -> b0=[1,0], b1=[0,1]; sample 1 -> b2=[0,1], b3=[0,1].
  // logits a.b^T: row0 = [1,0,0,0], row1 = [0,1,1,1].
  // a->b: row0 log((e+3)/(e+1)) = 0.43041, row1 log((1+3e)/(2e)) = 0.52114; mean 0.47578.
  // b->a: b0 logits [1,0] t=0: log(e+1)-1 = 0.31326; b1 [0,1] t=0: log(1+e) = 1.31326;
  //       b2, b3 [0,1] t=1: 0.31326 each; mean 0.56326. Total (0.47578 + 0.56326) / 2 = 0.51952.
  const b = tf.tensor2d([[1, 0], [0, 1], [0, 1], [0, 1]]);
  const ab = (Math.log((E + 3) / (E + 1)) + Math.log((1 + 3 * E) / (2 * E))) / 2;
  const ba = (3 * (Math.log(E + 1) - 1) + Math.log(1 + E)) / 4;
  close(milNceLoss(a, b, 2, 1).dataSync()[0], (ab + ba) / 2);
  close((ab + ba) / 2, 0.51952, 1e-4);
});

test('NCE: gradient reaches the temperature', () => {
  const a = tf.tensor2d([[1, 0.2], [0.1, 1]]);
  const logT = tf.variable(tf.scalar(Math.log(0.2)));
  const { grads } = tf.variableGrads(() => ncePairLoss(a, a, logT.exp() as tf.Scalar), [logT]);
  assert.ok(Math.abs(grads[logT.name].dataSync()[0]) > 1e-6);
});

test('softmax cross-entropy: class ids and normalised multi-label targets', () => {
  close(softmaxCrossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32')).dataSync()[0], Math.log(4));
  // logits [ln 3, 0, 0]: p = [3/5, 1/5, 1/5]; target [1, 1, 0] -> [0.5, 0.5, 0]:
  // loss = -(0.5 ln 0.6 + 0.5 ln 0.2) = 1.05979
  const logits = tf.tensor2d([[Math.log(3), 0, 0]]);
  close(softmaxCrossEntropy(logits, tf.tensor2d([[1, 1, 0]])).dataSync()[0], -(0.5 * Math.log(0.6) + 0.5 * Math.log(0.2)));
  assert.throws(() => softmaxCrossEntropy(logits, tf.tensor1d([0, 1], 'int32')), /labels: got shape \[2\]/);
});

test('losses handle large logits without overflow', () => {
  const a = tf.tensor2d([[1, 0], [0, 1]]);
  const v = ncePairLoss(a, a, 1e-4).dataSync()[0]; // logits up to 1e4
  assert.ok(Number.isFinite(v) && v < 1e-3, `${v}`);
  const ce = softmaxCrossEntropy(tf.tensor2d([[1e4, 0]]), tf.tensor1d([1], 'int32')).dataSync()[0];
  close(ce, 1e4, 1);
});
