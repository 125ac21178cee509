import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { getExperiment } from '../configs/index';
import { createTrainer } from '../train/trainer';
import { linearProbe, retrievalEval, zeroShotEval } from './evaluate';

test.before(async () => { await tf.setBackend('cpu'); });

test('zero-shot, retrieval and linear probe on a briefly trained model (synthetic smoke data)', async () => {
  const e = getExperiment('smoke');
  e.tasks = [{ ...e.tasks.find((t) => t.name === 'image-text')!, batchSize: 16, resolution: [8, 8] }];
  e.model = { ...e.model, vision: { tubelet: [2, 4, 4], posBuckets: [2, 4, 4] } };
  e.optimizer = { ...e.optimizer, schedule: { peak: 5e-3, warmupSteps: 5, end: 1e-4 } };
  const t = createTrainer({ experiment: { ...e, steps: 80 }, seed: 1 });
  const src = t.sources['synthetic-smoke'];
  const opts = { samples: 64, resolution: [8, 8] as [number, number], textLength: 8 };
  const before = zeroShotEval(t.model, src, 'image', opts);
  await t.run({ steps: 80 });
  const after = zeroShotEval(t.model, src, 'image', opts);
  assert.equal(after.confusion.length, 4);
  assert.equal(after.confusion.flat().reduce((a, b) => a + b, 0), 64);
  assert.ok(after.accuracy >= 0.5 && after.accuracy > before.accuracy, `zero-shot ${before.accuracy} -> ${after.accuracy}`);
  const r = retrievalEval(t.model, src, 'image', { ...opts, ks: [1, 5] });
  assert.ok(r.aToB[5] >= r.aToB[1] && r.bToA[5] >= r.bToA[1]);
  const probe = linearProbe(t.model, src, 'image', { ...opts, trainSamples: 128, steps: 100 });
  assert.ok(probe.accuracy > 0.5, `probe ${probe.accuracy}`);
  const n = tf.memory().numTensors;
  zeroShotEval(t.model, src, 'image', opts);
  assert.equal(tf.memory().numTensors, n, 'evaluation leaks no tensors');
  t.dispose();
});
