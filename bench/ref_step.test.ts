// The benchmark's reference step: FLOP accounting worked by hand, config errors, and a real
// (2-layer, expert-choice MoE) training step on the native backend that lowers the loss without leaking tensors.
import '../src/imp/core/tf';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../src/imp/core/errors';
import { initBackend } from '../src/imp/backend';
import { createRefStep, refForwardFlops } from './ref_step';
import { agdOverhead } from './run';

test('forward FLOPs of the dense reference step, worked by hand', () => {
  // T = 32 images x 64 patches = 2048 tokens, D = 192, F = 768, 48 values per patch.
  // embed: 2*2048*48*192 + 2*2048*192*192 = 37,748,736 + 150,994,944 = 188,743,680
  // layer: 4*2*2048*192*192 (q,k,v,o) = 603,979,776; attention 2*2*32*64*64*192 = 100,663,296;
  //        MLP 2*2*2048*192*768 = 1,207,959,552; sum 1,912,602,624
  // head: 2*32*192*10 = 122,880
  assert.equal(refForwardFlops('ref-dense', 1), 188_743_680 + 1_912_602_624 + 122_880);
  // Expert choice at capacity 1.0 has the dense layer's active FLOPs; token choice top-2 at
  // capacity 1.25 runs 2.5x the MLP FLOPs in its MoE layers (layer 1 of 2).
  assert.equal(refForwardFlops('ref-moe-ec', 2), refForwardFlops('ref-dense', 2));
  assert.equal(refForwardFlops('ref-moe-tc', 2) - refForwardFlops('ref-dense', 2), 1.5 * 1_207_959_552);
});

test('unknown reference config is a ConfigError naming the allowed ones', () => {
  assert.throws(() => createRefStep('ref-huge' as never), (e: unknown) => e instanceof ConfigError && /ref-dense/.test((e as Error).message));
});

test('a 2-layer MoE reference step trains on native and keeps the tensor count flat', async () => {
  assert.equal(await initBackend('native'), 'native');
  const step = createRefStep('ref-moe-ec', { layers: 2, seed: 3 });
  const first = step.run();
  const count = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 4; i++) last = step.run();
  assert.ok(Number.isFinite(first) && Number.isFinite(last));
  assert.ok(last < first, `loss did not fall: ${first} -> ${last}`);
  assert.equal(tf.memory().numTensors, count);
  step.dispose();
});

test('AGD overhead: switching and repeated blocks run the same steps, in alternating order', () => {
  // 3 tasks, 4 pairs, 2 reps: each block runs 3 x 2 = 6 steps; 4 pairs x 2 blocks = 48 steps,
  // 16 per task. Pair 0 runs repeated first (A A B B C C, then A B C A B C); pair 1 switching first.
  const calls: string[] = [];
  // Each fake task does a little work so that no block takes 0 ms.
  const tasks = ['A', 'B', 'C'].map((n) => () => { calls.push(n); let x = 0; for (let i = 0; i < 20000; i++) x += Math.sqrt(i); return x; });
  const res = agdOverhead(tasks, 4, 2);
  assert.equal(res.ratios.length, 4);
  assert.deepEqual(['A', 'B', 'C'].map((n) => calls.filter((c) => c === n).length), [16, 16, 16]);
  assert.equal(calls.slice(0, 12).join(''), 'AABBCCABCABC');
  assert.equal(calls.slice(12, 24).join(''), 'ABCABCAABBCC');
  assert.ok(res.ratios.every((r) => Number.isFinite(r) && r > 0));
});
