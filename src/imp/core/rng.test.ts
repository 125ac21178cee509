import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng';
import { Registry } from './registry';
import { ConfigError, RegistryError } from './errors';

test('Rng: same seed gives the same stream; state round-trips exactly', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  const s = a.state();
  const c = Rng.fromState(s);
  assert.equal(c.next(), a.next());
  assert.notEqual(new Rng(8).next(), new Rng(7).next());
});

test('Rng: uniform mean and int range', () => {
  const r = new Rng(1);
  let sum = 0;
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) {
    sum += r.next();
    counts[r.int(3)]++;
  }
  assert.ok(Math.abs(sum / 30000 - 0.5) < 0.01, `mean ${sum / 30000}`);
  for (const c of counts) assert.ok(Math.abs(c / 30000 - 1 / 3) < 0.02, `counts ${counts}`);
});

test('Registry: duplicate names throw, unknown names list the known ones', () => {
  const reg = new Registry<number>('router');
  reg.register('ec', 1);
  assert.throws(() => reg.register('ec', 2), RegistryError);
  assert.throws(() => reg.get('tc'), /unknown router "tc"; known: ec/);
});

test('ConfigError names field, value and the allowed values', () => {
  const e = new ConfigError('model.moe.router', 'topk', '"expert-choice" | "token-choice"');
  assert.equal(e.name, 'ConfigError');
  assert.equal(e.message, 'model.moe.router: got "topk"; allowed: "expert-choice" | "token-choice"');
});
