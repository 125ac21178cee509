import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, RegistryError } from '../core/errors';
import { Rng } from '../core/rng';
import { createSampler } from './samplers';
import { learningRate } from './schedule';
import { TaskConfig } from './tasks';

const task = (name: string, o: Partial<TaskConfig> = {}): TaskConfig => ({ name, dataset: 'synthetic-smoke', objective: 'classification', modalities: ['image'], batchSize: 4, ...o });

function counts(name: string, tasks: TaskConfig[], n: number, seed = 0): number[] {
  const s = createSampler(name, tasks);
  const rng = new Rng(seed);
  let st = s.init();
  const c = tasks.map(() => 0);
  for (let i = 0; i < n; i++) {
    const r = s.next(st, rng);
    c[r.task]++;
    st = r.state;
  }
  return c;
}

test('weighted sampler: empirical frequencies match the weights', () => {
  const tasks = [task('a', { weight: 0.4 }), task('b', { weight: 0.4 }), task('c', { weight: 0.08 }), task('d', { weight: 0.12 })];
  const n = 20000;
  const c = counts('weighted', tasks, n);
  [0.4, 0.4, 0.08, 0.12].forEach((w, i) => assert.ok(Math.abs(c[i] / n - w) < 0.012, `task ${i}: ${c[i] / n} vs ${w}`));
  // A zero weight is never drawn.
  assert.equal(counts('weighted', [task('a', { weight: 1 }), task('z', { weight: 0 })], 2000)[1], 0);
});

test('interval sampler: exact counts per cycle, interleaved; round-robin alternates', () => {
  const tasks = [task('a', { interval: 3 }), task('b', { interval: 1 }), task('c', { interval: 2 })];
  const s = createSampler('interval', tasks);
  let st = s.init();
  const order: number[] = [];
  for (let i = 0; i < 12; i++) { const r = s.next(st, new Rng(0)); order.push(r.task); st = r.state; }
  // Each 6-step cycle holds a 3 times, b once, c twice.
  for (const cycle of [order.slice(0, 6), order.slice(6)]) assert.deepEqual([0, 1, 2].map((t) => cycle.filter((x) => x === t).length), [3, 1, 2]);
  assert.ok(order.slice(0, 6).join('') !== '000122', 'tasks are interleaved, not blocked');
  assert.deepEqual(counts('round-robin', [task('a'), task('b'), task('c')], 6), [2, 2, 2]);
});

test('sampler state is pure: the same state and rng give the same draw', () => {
  const s = createSampler('weighted', [task('a'), task('b')]);
  const st = s.init();
  const r1 = s.next(st, new Rng(5));
  const r2 = s.next(st, new Rng(5));
  assert.equal(r1.task, r2.task);
  assert.equal(st.step, 0, 'next() does not mutate the state');
});

test('sampler errors: unknown name, negative weight, all-zero weights', () => {
  assert.throws(() => createSampler('random', [task('a')]), (e: unknown) => e instanceof ConfigError && /sampler: got "random"; allowed: "interval" \| "round-robin" \| "weighted"/.test((e as Error).message));
  assert.throws(() => createSampler('weighted', [task('a', { weight: -1 })]), /sampler\.weights\[0\]: got -1; allowed: a finite number >= 0/);
  assert.throws(() => createSampler('weighted', [task('a', { weight: 0 }), task('b', { weight: 0 })]), /sampler\.weights: got \[0,0\]; allowed: numbers >= 0 that are not all zero/);
  assert.ok(RegistryError);
});

test('learning rate: linear warmup then cosine to the end value (hand-worked)', () => {
  const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, end: 0 };
  assert.ok(Math.abs(learningRate(s, 0) - 1e-4) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 4) - 5e-4) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 10) - 1e-3) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 60) - 5e-4) < 1e-12); // cos(pi/2) = 0
  assert.ok(Math.abs(learningRate(s, 110)) < 1e-12);
});
