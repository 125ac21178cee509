import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { getExperiment } from '../configs/index';
import { createTrainer } from './trainer';

/**
 * Five AGD steps of the (synthetic) smoke experiment on one backend, with its expert-choice MoE
 * or dense. With MoE only the first step is comparable across backends: at a near-uniform
 * initial router a 1e-7 difference in the updated weights flips which tokens an expert takes.
 */
async function losses(backend: string, moe: boolean): Promise<number[]> {
  await initBackend(backend);
  const e = getExperiment('smoke');
  if (!moe) e.model = { ...e.model, moe: null };
  e.tasks = e.tasks.map((t) => ({ ...t, batchSize: 4, resolution: [8, 8] as [number, number], frames: t.frames ? 2 : undefined, audioFrames: 8 }));
  e.model = { ...e.model, vision: { tubelet: [2, 4, 4], posBuckets: [2, 4, 4] } };
  const t = createTrainer({ experiment: { ...e, sampler: 'round-robin' }, seed: 2 });
  const before = tf.memory().numTensors;
  const r = await t.run({ steps: 5 });
  assert.equal(tf.memory().numTensors, before, `${backend}: no tensor leaks`);
  t.dispose();
  return r.map((x) => x.loss);
}

function same(a: number[], b: number[], what: string): void {
  a.forEach((l, i) => assert.ok(Math.abs(l - b[i]) < 1e-3 * Math.max(1, Math.abs(l)), `${what} step ${i}: ${l} vs ${b[i]}`));
}

for (const backend of ['wasm', 'native']) {
  test(`training on ${backend} matches cpu: dense for 5 steps, MoE at the first step (wasm has no UnsortedSegmentSum)`, async () => {
    same(await losses('cpu', false), await losses(backend, false), `dense ${backend}`);
    const cpu = await losses('cpu', true);
    const other = await losses(backend, true);
    same(cpu.slice(0, 1), other.slice(0, 1), `moe ${backend}`);
    assert.ok(other.every(Number.isFinite));
  });
}
