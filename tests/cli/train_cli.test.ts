import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openRun } from '../../src/imp/frames';

const bin = path.join(__dirname, '..', '..', '..', 'bin', 'imp-lab.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, IMP_BACKEND: 'cpu' } });

test('imp-lab train --list names the experiments', () => {
  const r = cli('train', '--list');
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['smoke', 'tiny-moe', 'tiny-dense']) assert.match(r.stdout, new RegExp(`^${name} +\\S`, 'm'));
});

test('imp-lab train writes metrics/routing Arrow files and a checkpoint; --resume continues without duplicate steps', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-cli-'));
  const a = cli('train', 'smoke', '--steps', '4', '--seed', '3', '--out', out, '--eval-samples', '0');
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stderr, /SYNTHETIC/);
  for (const f of ['metrics.arrow', 'routing.arrow', 'meta.json', 'checkpoint.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
  const again = cli('train', 'smoke', '--steps', '4', '--out', out);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already holds a run; continue it with --resume/);
  const b = cli('train', '--resume', out, '--steps', '7', '--eval-samples', '16');
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /resuming at step 4, 3 steps/);
  const run = openRun(out);
  for (const c of ['run', 'step', 'task', 'modality', 'metric', 'value']) assert.ok(run.metrics.columnNames().includes(c), `metrics has ${c}`);
  for (const c of ['run', 'step', 'layer', 'expert', 'modality', 'tokens', 'weight']) assert.ok(run.routing.columnNames().includes(c), `routing has ${c}`);
  const lossSteps = run.metrics.objects().filter((r: any) => r.metric === 'loss').map((r: any) => r.step);
  assert.deepEqual(lossSteps, [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(run.routing.numRows() > 0);
  // Evaluation ran once, at the end of the resumed run: zero-shot accuracy, confusion counts, recall@K.
  const evals = run.evals.objects() as any[];
  const acc = evals.filter((r) => r.metric === 'accuracy');
  assert.deepEqual(acc.map((r) => r.modality).sort(), ['audio', 'image', 'video']);
  assert.ok(acc.every((r) => r.step === 7 && r.value >= 0 && r.value <= 1));
  assert.equal(evals.filter((r) => r.metric === 'count' && r.modality === 'image').reduce((s, r) => s + r.value, 0), 16);
  assert.ok(evals.some((r) => r.metric === 'recall' && r.k === 10 && r.modality === 'text->image'));
});

test('imp-lab train: unknown experiment and bad flags exit 2 with a clear message', () => {
  const r = cli('train', 'imagenet-xl');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown experiment "imagenet-xl"; known: smoke, tiny-dense, tiny-moe/);
  const s = cli('train', 'smoke', '--steps', 'ten');
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--steps: got "ten"; allowed: a number/);
  const t = cli('train', 'smoke', '--backend', 'tpu');
  assert.equal(t.status, 2);
  assert.match(t.stderr, /backend: got "tpu"; allowed: "auto" \| "tensorflow" \| "native" \| "wasm" \| "cpu"/);
});
