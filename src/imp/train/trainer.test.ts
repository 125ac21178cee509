import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { CheckpointError, ConfigError, InterruptError } from '../core/errors';
import { clearInterrupt, requestInterrupt } from '../core/interrupt';
import { Rng } from '../core/rng';
import { DataSource } from '../data/types';
import { ExperimentConfig, getExperiment } from '../configs/index';
import { batchTensors, taskLoss } from './objective';
import { smokeSource } from './smoke_source';
import { createTrainer, mix } from './trainer';

test.before(async () => { await tf.setBackend('cpu'); });

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'imp-train-'));
/** The smoke experiment made smaller still, so each test trains in seconds. */
function small(o: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const e = getExperiment('smoke');
  e.tasks = e.tasks.map((t) => ({ ...t, batchSize: Math.min(t.batchSize, 8), resolution: [8, 8] as [number, number], frames: t.frames ? 2 : undefined, audioFrames: 8 }));
  e.model = { ...e.model, vision: { tubelet: [2, 4, 4], posBuckets: [2, 4, 4] } };
  return { ...e, ...o };
}

test('AGD: one task per step, losses and records; same seed gives identical metrics twice', async () => {
  const run = async () => {
    const t = createTrainer({ experiment: small(), seed: 3 });
    const r = await t.run({ steps: 12 });
    t.dispose();
    return r.map((x) => [x.tasks.join(), x.loss]);
  };
  const a = await run();
  assert.ok(a.every(([tasks]) => !String(tasks).includes(',')), 'exactly one task per AGD step');
  assert.ok(new Set(a.map(([t]) => t)).size >= 3, 'several tasks drawn');
  assert.deepEqual(await run(), a);
});

test('mixing baseline: one step sums every task\'s loss', async () => {
  const e = small({ mode: 'mixing' });
  const t = createTrainer({ experiment: e, seed: 4 });
  // Each task's loss at the initial parameters, on the very batches the mixing step draws.
  const src = smokeSource();
  const expected = e.tasks.map((task, i) => tf.tidy(() => {
    const hb = src.batch({ split: 'train', batchSize: task.batchSize, seed: mix(4, 0, i), resolution: task.resolution, frames: task.frames, audioFrames: task.audioFrames });
    return taskLoss(t.model, task, batchTensors(task, hb), new Rng(mix(4, 0, i, 2))).loss.dataSync()[0];
  }));
  const r = t.trainStep();
  assert.deepEqual(r.tasks, e.tasks.map((x) => x.name));
  const sum = expected.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(r.loss - sum) < 1e-4 * Math.abs(sum), `mixing ${r.loss} vs sum ${sum}`);
  t.dispose();
});

test('AdamW moves parameters the step\'s task did not touch', () => {
  const e = small({ sampler: 'round-robin' });
  e.tasks = [e.tasks.find((x) => x.name === 'audio-cls')!, e.tasks.find((x) => x.name === 'image-cls')!];
  const t = createTrainer({ experiment: e, seed: 5 });
  const audioPatch = t.model.params.embed.audio!.patch.w;
  t.trainStep(); // audio-cls: the audio embedder gets a gradient
  const before = audioPatch.dataSync().slice();
  const r = t.trainStep(); // image-cls: no gradient reaches the audio embedder...
  assert.deepEqual(r.tasks, ['image-cls']);
  const after = audioPatch.dataSync();
  let moved = 0;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) moved++;
  assert.equal(moved, after.length, '...yet every audio weight moved (momentum + decay)');
  t.dispose();
});

test('a NaN step is skipped, counted, and leaves the parameters untouched', () => {
  const base = smokeSource();
  let poison = false;
  const bad: DataSource = { ...base, name: 'synthetic-smoke', batch: (req) => {
    const b = base.batch(req);
    if (poison) b.image!.data.fill(NaN);
    return b;
  } };
  const e = small();
  e.tasks = [e.tasks.find((x) => x.name === 'image-cls')!];
  const t = createTrainer({ experiment: e, seed: 6, sources: { 'synthetic-smoke': bad } });
  t.trainStep();
  const w = t.model.params.encoder.layers[0].attn.q.w;
  const before = w.dataSync().slice();
  poison = true;
  const r = t.trainStep();
  assert.equal(r.skipped, true);
  assert.equal(t.skippedSteps, 1);
  assert.deepEqual(Array.from(w.dataSync()), Array.from(before));
  assert.equal(t.optimizer.count, 1, 'the optimizer did not count the skipped step');
  poison = false;
  assert.equal(t.trainStep().skipped, false);
  t.dispose();
});

test('checkpoint: save -> load -> continue gives the same losses as an uninterrupted run', async () => {
  const dir = tmp();
  const straight = createTrainer({ experiment: small(), seed: 7 });
  const all = (await straight.run({ steps: 8 })).map((r) => r.loss);
  straight.dispose();
  const first = createTrainer({ experiment: small(), seed: 7 });
  await first.run({ steps: 4 });
  first.save(dir);
  first.dispose();
  const resumed = createTrainer({ experiment: small(), seed: 7 });
  resumed.load(dir);
  assert.equal(resumed.step, 4);
  const rest = (await resumed.run({ steps: 4 })).map((r) => r.loss);
  assert.deepEqual(rest, all.slice(4));
  resumed.dispose();
});

test('a save that dies midway leaves the previous checkpoint loadable', async () => {
  const dir = tmp();
  const t = createTrainer({ experiment: small(), seed: 8 });
  await t.run({ steps: 2 });
  t.save(dir);
  await t.run({ steps: 2 });
  assert.throws(() => t.save(dir, { beforeCommit: () => { throw new Error('simulated crash'); } }), /simulated crash/);
  const other = createTrainer({ experiment: small(), seed: 8 });
  other.load(dir);
  assert.equal(other.step, 2, 'the index still points at the step-2 checkpoint');
  t.dispose();
  other.dispose();
});

test('corrupt, truncated and foreign checkpoints are CheckpointErrors naming the file', async () => {
  const dir = tmp();
  const t = createTrainer({ experiment: small(), seed: 9 });
  t.trainStep();
  t.save(dir);
  const bin = fs.readdirSync(dir).find((f) => f.endsWith('.bin'))!;
  const binPath = path.join(dir, bin);
  const good = fs.readFileSync(binPath);
  fs.writeFileSync(binPath, good.subarray(0, good.length - 10));
  assert.throws(() => t.load(dir), (e: unknown) => e instanceof CheckpointError && (e as Error).message.includes(bin) && /truncated/.test((e as Error).message));
  const flipped = Buffer.from(good);
  flipped[100] ^= 0xff;
  fs.writeFileSync(binPath, flipped);
  assert.throws(() => t.load(dir), /does not match the index .*corrupt/);
  fs.writeFileSync(binPath, good);
  fs.writeFileSync(path.join(dir, 'checkpoint.json'), '{"format": "imp-lab-checkpoint/1", "bin');
  assert.throws(() => t.load(dir), /checkpoint\.json: corrupt index/);
  t.save(dir);
  const foreign = createTrainer({ experiment: small({ sampler: 'round-robin' }), seed: 9 });
  assert.throws(() => foreign.load(dir), /checkpoint is from another config/);
  t.dispose();
  foreign.dispose();
});

test('bad experiment input: unknown dataset, sampler, mode; wrong task modality', () => {
  assert.throws(() => createTrainer({ experiment: 'nope' }), /unknown experiment "nope"; known: .*smoke/);
  assert.throws(() => createTrainer({ experiment: small({ sampler: 'lottery' }) }), /sampler: got "lottery"/);
  assert.throws(() => createTrainer({ experiment: small({ mode: 'sum' as never }) }), /mode: got "sum"; allowed: "agd" \| "mixing"/);
  const e = small();
  e.tasks = [{ ...e.tasks[0], dataset: 'imagenet' }];
  assert.throws(() => createTrainer({ experiment: e }), (x: unknown) => x instanceof ConfigError && /tasks\[0\]\.dataset: got "imagenet"/.test((x as Error).message));
  const f = small();
  f.tasks = [{ ...f.tasks[0], weight: -2 }];
  assert.throws(() => createTrainer({ experiment: f }), /tasks\[0\]\.weight: got -2/);
});

test('interrupt stops a run between two steps; the trainer stays usable', async () => {
  const t = createTrainer({ experiment: small(), seed: 10 });
  let seen = 0;
  await assert.rejects(t.run({ steps: 50, onStep: () => { if (++seen === 3) requestInterrupt(); } }), InterruptError);
  clearInterrupt();
  assert.equal(t.step, 3);
  const r = await t.run({ steps: 1 });
  assert.equal(r[0].step, 3);
  t.dispose();
});

test('a tiny model\'s loss falls on a learnable task', async () => {
  const e = small();
  e.tasks = [{ ...e.tasks.find((x) => x.name === 'image-cls')!, batchSize: 16 }];
  e.optimizer = { ...e.optimizer, schedule: { peak: 5e-3, warmupSteps: 5, end: 1e-4 } };
  const t = createTrainer({ experiment: { ...e, steps: 60 }, seed: 11 });
  const r = await t.run({ steps: 60 });
  const head = r.slice(0, 10).reduce((a, x) => a + x.loss, 0) / 10;
  const tail = r.slice(-10).reduce((a, x) => a + x.loss, 0) / 10;
  assert.ok(tail < 0.6 * head, `loss ${head.toFixed(3)} -> ${tail.toFixed(3)}`);
  t.dispose();
});

test('tensors alive stay flat over 200 steps', async () => {
  const t = createTrainer({ experiment: small(), seed: 12 });
  await t.run({ steps: 5 });
  const before = tf.memory().numTensors;
  await t.run({ steps: 200 });
  assert.equal(tf.memory().numTensors, before);
  t.dispose();
});

test('AGD needs no more memory per step than its largest task; mixing needs more', () => {
  const e = small({ sampler: 'round-robin' });
  const agd = createTrainer({ experiment: e, seed: 13, profileMemory: true });
  const peaks = e.tasks.map(() => agd.trainStep().peakBytes as number);
  agd.dispose();
  const mixing = createTrainer({ experiment: { ...e, mode: 'mixing' }, seed: 13, profileMemory: true });
  const mixPeak = mixing.trainStep().peakBytes as number;
  mixing.dispose();
  assert.ok(peaks.every((p) => p > 0));
  assert.ok(mixPeak > Math.max(...peaks), `mixing peak ${mixPeak} vs largest AGD task ${Math.max(...peaks)}`);
});
