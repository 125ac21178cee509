import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../core/errors';
import { expertChoice, expertChoiceCapacity, groupCount, tokenChoice, tokenChoiceCapacity } from './routing';

test('groupCount: equal groups no larger than the maximum', () => {
  assert.equal(groupCount(4096, 2048), 2);
  assert.equal(groupCount(100, 2048), 1);
  assert.equal(groupCount(96, 40), 3); // 96 = 3 x 32
  assert.equal(groupCount(98, 40), 7); // 98 = 7 x 14 (3 and 4 and 5 and 6 do not divide 98)
});

test('expert choice: every expert takes exactly C tokens, the highest-probability ones', () => {
  // 1 group, 4 tokens, 2 experts, C = round(1.0 * 4 / 2) = 2.
  // probs[token][expert]: t0 [.9,.1] t1 [.2,.8] t2 [.6,.4] t3 [.3,.7]
  const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]);
  const c = expertChoiceCapacity(4, 2, 1.0);
  assert.equal(c, 2);
  const d = expertChoice(probs, 1, 4, 2, c);
  // expert 0 ranks t0 (.9) > t2 (.6); expert 1 ranks t1 (.8) > t3 (.7).
  assert.deepEqual(Array.from(d.slotToken), [0, 2, 1, 3]);
});

test('expert choice: a token can be taken by several experts or none; masked tokens never', () => {
  // t0 is everyone's favourite; t3 is masked out although it has high scores.
  const probs = Float32Array.from([0.5, 0.5, 0.3, 0.1, 0.2, 0.4, 0.9, 0.9]);
  const d = expertChoice(probs, 1, 4, 2, 2, Float32Array.from([1, 1, 1, 0]));
  // expert 0: t0 .5, t1 .3 ; expert 1: t0 .5, t2 .4 -> t0 taken twice, t3 by none.
  assert.deepEqual(Array.from(d.slotToken), [0, 1, 0, 2]);
});

test('expert choice: capacity that rounds to zero is a ConfigError naming the fix', () => {
  assert.throws(() => expertChoiceCapacity(4, 16, 1.0), (e: unknown) => e instanceof ConfigError && /capacityFactor: got 1; .*groups of 4 tokens and 16 experts/.test((e as Error).message));
});

test('token choice: capacity overflow drops the later tokens (sequence order)', () => {
  // 3 tokens, 2 experts, k=1, C=1. t0 and t1 both prefer expert 0; t2 prefers expert 1.
  const probs = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7]);
  const d = tokenChoice(probs, 1, 3, 2, 1, 1, false);
  assert.deepEqual(Array.from(d.slotToken), [0, 2]);
  assert.equal(d.droppedAssignments, 1);
});

test('token choice: batch priority lets the most confident token claim capacity first', () => {
  // t0 [.6,.4] and t1 [.95,.05] both want expert 0 with C=1: in order t0 wins, with BPR t1 wins.
  const probs = Float32Array.from([0.6, 0.4, 0.95, 0.05]);
  assert.deepEqual(Array.from(tokenChoice(probs, 1, 2, 2, 1, 1, false).slotToken), [0, -1]);
  assert.deepEqual(Array.from(tokenChoice(probs, 1, 2, 2, 1, 1, true).slotToken), [1, -1]);
});

test('token choice top-2: all first choices are served before any second choice', () => {
  // 2 tokens, 2 experts, k=2, C=1: first choices t0->e0, t1->e1 fill both; second choices drop.
  const probs = Float32Array.from([0.7, 0.3, 0.4, 0.6]);
  const d = tokenChoice(probs, 1, 2, 2, 2, 1, false);
  assert.deepEqual(Array.from(d.slotToken), [0, 1]);
  assert.equal(d.droppedAssignments, 2);
  assert.equal(tokenChoiceCapacity(64, 8, 2, 1.25), 20); // round(1.25 * 2 * 64 / 8)
});
