import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrix, retrievalRecall, zeroShot } from './metrics';

test('retrieval recall@K on hand-made embeddings, both directions', () => {
  // a0..a2 are unit axes; b0 matches a0, b1 is closest to a2 (a mistake), b2 matches a2 best too.
  const a = matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const b = matrix([[1, 0, 0], [0, 0.6, 0.8], [0, 0, 1]]);
  const r = retrievalRecall(a, b, [1, 2, 3]);
  // a->b: a0 ranks b0 first (hit); a1: scores [0, .6, 0] -> b1 first (hit); a2: [0, .8, 1] -> b2 first (hit).
  assert.deepEqual(r.aToB, { 1: 1, 2: 1, 3: 1 });
  // b->a: b0 -> a0 (hit); b1: [0, .6, .8] -> a2 first, a1 second (miss at 1, hit at 2); b2 -> a2 (hit).
  assert.deepEqual(r.bToA, { 1: 2 / 3, 2: 1, 3: 1 });
});

test('zero-shot accuracy and confusion counts', () => {
  const samples = matrix([[1, 0], [0, 1], [1, 0.1], [0.2, 1]]);
  const classes = matrix([[1, 0], [0, 1]]);
  const z = zeroShot(samples, classes, [0, 1, 1, 1]);
  assert.deepEqual(Array.from(z.predictions), [0, 1, 0, 1]);
  assert.equal(z.accuracy, 0.75);
  assert.deepEqual(z.confusion, [[1, 0], [1, 2]]);
  assert.throws(() => zeroShot(samples, classes, [0]), /zero-shot labels/);
});
