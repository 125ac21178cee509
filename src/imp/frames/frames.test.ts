import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as arrow from 'apache-arrow';
import { DataError, ConfigError, ShapeError } from '../core/errors';
import {
  concatRuns,
  confusionRows,
  recallRows,
  createRecorder,
  encodeFrame,
  FRAME_NAMES,
  open,
  readFrame,
  SCHEMAS,
  validate,
  writeFrame,
  type Frame,
  type FrameName,
} from './index';
import { partFile } from './run_folder';

function tmpdir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `imp-frames-${tag}-`));
}

/** One small table per schema, with every column type (NaN, null, -1) represented. */
function sampleTables(run = 'r1'): Record<FrameName, Frame> {
  return {
    metrics: aq.table({
      run: [run, run, run],
      step: [0, 1, 2],
      task: ['mnist-cls', 'openmoji-nce', 'mnist-cls'],
      modality: ['image', 'text', 'image'],
      metric: ['loss', 'loss', 'loss'],
      value: [2.5, NaN, 1.25],
    }) as Frame,
    routing: aq.table({
      run: [run, run],
      step: [0, 0],
      layer: [4, 5],
      expert: [0, 3],
      modality: ['image', 'audio'],
      tokens: [64, 12],
      weight: [9.5, 0.125],
      dropped: [0, 3],
    }) as Frame,
    tokens: aq.table({
      run: [run, run],
      step: [5, 5],
      layer: [5, 5],
      modality: ['video', 'video'],
      example: [0, 0],
      token: [0, 1],
      t: [0, 0],
      h: [0, 0],
      w: [0, 1],
      expert: [2, -1],
      weight: [0.75, 0],
    }) as Frame,
    evals: aq.table({
      run: [run, run, run],
      step: [10, 10, 10],
      eval: ['mnist-zeroshot', 'mnist-zeroshot', 'openmoji-t2i'],
      modality: ['image', 'image', 'text->image'],
      metric: ['count', 'accuracy', 'recall'],
      k: [-1, 1, 5],
      value: [7, 0.875, 0.5],
      label: ['seven', null, null],
      predicted: ['one', null, null],
    }) as Frame,
  };
}

test('every frame type round-trips through Arrow IPC: arquero, apache-arrow and polars read the same rows', () => {
  const dir = tmpdir('rt');
  // polars (Rust arrow implementation) is an independent reader of the same bytes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pl = require('nodejs-polars');
  for (const [name, table] of Object.entries(sampleTables()) as [FrameName, Frame][]) {
    const file = path.join(dir, `${name}.arrow`);
    writeFrame(file, table, name);
    const expected = table.objects();

    const back = readFrame(file);
    assert.deepEqual(back.table.objects(), expected, `${name}: arquero read-back`);
    assert.equal(back.metadata.get('imp.frames.table'), name);

    const bytes = fs.readFileSync(file);
    const at = arrow.tableFromIPC(bytes);
    assert.deepEqual(at.schema.fields.map((f) => f.name), SCHEMAS[name].columns.map((c) => c.name));
    for (const c of SCHEMAS[name].columns) {
      const t = at.schema.fields.find((f) => f.name === c.name)!.type;
      const want = c.type === 'int' ? 'Int32' : c.type === 'float' ? 'Float64' : 'Dictionary<Int32, Utf8>';
      assert.equal(String(t), want, `${name}.${c.name} arrow type`);
    }
    assert.deepEqual(at.toArray().map((r) => r.toJSON()), expected, `${name}: apache-arrow read-back`);

    const df = pl.readIPC(bytes);
    assert.deepEqual(df.columns, SCHEMAS[name].columns.map((c) => c.name));
    const rows = df.toRecords() as Record<string, unknown>[];
    assert.equal(rows.length, table.numRows());
    rows.forEach((r, i) => {
      for (const c of SCHEMAS[name].columns) {
        const want = (expected[i] as Record<string, unknown>)[c.name];
        if (typeof want === 'number' && Number.isNaN(want)) assert.ok(Number.isNaN(r[c.name] as number), `${name}[${i}].${c.name} NaN`);
        else assert.equal(r[c.name], want, `${name}[${i}].${c.name} via polars`);
      }
    });
  }
});

test('validate names the missing column and the mistyped one', () => {
  const t = sampleTables().routing;
  assert.doesNotThrow(() => validate(t, 'routing'));
  assert.throws(() => validate(t.select(aq.not('weight')), 'routing'), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /routing table is missing column "weight"/);
    assert.match(e.message, /it has columns \[run, step, layer, expert, modality, tokens, dropped\]/);
    return true;
  });
  assert.throws(() => validate(t.derive({ layer: () => 'four' }), 'routing'), /routing table column "layer" should hold int values; row 0 has "four"/);
  assert.throws(() => validate(t, 'nope'), (e: Error) => e instanceof ConfigError && /schemaName: got "nope"/.test(e.message));
});

test('recorder: scalars are read once every readEvery steps, owned and disposed; close writes readable files', async () => {
  const dir = tmpdir('rec');
  const before = tf.memory().numTensors;
  const rec = createRecorder({ dir, run: 'r1', readEvery: 5 });
  rec.meta({ seed: 3, backend: 'cpu', config: { experts: 4 } });
  for (let step = 0; step < 12; step++) {
    // Scalars made inside a tidy, as a trainer would: the recorder keeps them alive.
    tf.tidy(() => {
      rec.metric(step, step % 2 ? 'b' : 'a', 'image', 'loss', tf.scalar(step * 0.5));
      rec.metric(step, step % 2 ? 'b' : 'a', 'image', 'acc', tf.scalar(step, 'int32'));
    });
    rec.metric(step, step % 2 ? 'b' : 'a', 'all', 'lr', 0.001);
    // Steps 0..4 queue 10 scalars; the call at step 5 starts one read of all of them (12).
    if (step === 4) assert.equal(rec.pendingScalars(), 10);
    assert.ok(tf.memory().numTensors - before <= 2 * 6 + 1, `live tensors bounded at step ${step}`);
  }
  await rec.flush();
  assert.equal(rec.pendingScalars(), 0);
  assert.equal(tf.memory().numTensors, before, 'every scalar and stacked read disposed');
  rec.routing([{ step: 11, layer: 1, expert: 2, modality: 'image', tokens: 8, weight: 2.5, dropped: 1 }]);
  rec.evals([{ step: 11, eval: 'e', modality: 'image', metric: 'accuracy', k: 1, value: 0.5 }]);
  await rec.close();
  for (const n of ['metrics', 'routing', 'evals']) assert.ok(fs.existsSync(path.join(dir, `${n}.arrow`)), `${n}.arrow written`);
  assert.equal(fs.existsSync(path.join(dir, 'tokens.arrow')), false, 'no file for a table without rows');
  assert.equal(fs.existsSync(path.join(dir, 'parts')), false, 'parts folded in and removed');

  const run = open(dir);
  assert.equal(run.metrics.numRows(), 36);
  const loss = run.metrics.filter((d: { metric: string }) => d.metric === 'loss').orderby('step').array('value');
  assert.deepEqual(Array.from(loss), Array.from({ length: 12 }, (_, i) => i * 0.5));
  const acc = run.metrics.filter((d: { metric: string; step: number }) => d.metric === 'acc' && d.step === 7).objects()[0];
  assert.deepEqual(acc, { run: 'r1', step: 7, task: 'b', modality: 'image', metric: 'acc', value: 7 });
  assert.deepEqual(run.routing.objects(), [{ run: 'r1', step: 11, layer: 1, expert: 2, modality: 'image', tokens: 8, weight: 2.5, dropped: 1 }]);
  assert.deepEqual(run.evals.objects()[0], { run: 'r1', step: 11, eval: 'e', modality: 'image', metric: 'accuracy', k: 1, value: 0.5, label: null, predicted: null });
  assert.equal(run.tokens.numRows(), 0);
  assert.deepEqual(run.tokens.columnNames(), SCHEMAS.tokens.columns.map((c) => c.name));
  assert.deepEqual({ seed: run.meta?.seed, run: run.meta?.run }, { seed: 3, run: 'r1' });
});

test('recorder rejects bad rows with the table, row and field, keeping none of the batch', () => {
  const rec = createRecorder({ dir: tmpdir('bad'), run: 'r' });
  const good = { step: 0, layer: 0, expert: 0, modality: 'image', tokens: 1, weight: 1, dropped: 0 };
  assert.throws(() => rec.routing([good, { ...good, layer: 1.5 }]), /routing\[1\]\.layer: got 1.5; allowed: an integer/);
  assert.equal(rec.pending().routing.numRows(), 0);
  const two = tf.ones([2]);
  assert.throws(() => rec.metric(0, 't', 'image', 'loss', two), (e: Error) => e instanceof ShapeError && /metric "loss" value: got shape \[2\]/.test(e.message));
  two.dispose();
  assert.throws(() => createRecorder({ dir: tmpdir('bad2'), run: 'r', readEvery: 0 }), /readEvery: got 0; allowed: an integer >= 1/);
});

test('bounded memory: rows beyond maxRowsInMemory go to part files; tables() and open() see them all', async () => {
  const dir = tmpdir('mem');
  const rec = createRecorder({ dir, run: 'r', maxRowsInMemory: 100 });
  for (let step = 0; step < 30; step++) {
    const rows = [];
    for (let e = 0; e < 8; e++) rows.push({ step, layer: 0, expert: e, modality: 'image', tokens: 8, weight: 1, dropped: 0 });
    rec.routing(rows);
    assert.ok(rec.pending().routing.numRows() <= 100);
  }
  const parts = fs.readdirSync(path.join(dir, 'parts'));
  assert.equal(parts.length, 2, `two parts of 104 rows each: ${parts.join(', ')}`);
  assert.equal(rec.tables().routing.numRows(), 240);
  assert.equal(open(dir).routing.numRows(), 208, 'a running recorder\'s flushed rows are readable');
  await rec.close();
  assert.equal(open(dir).routing.numRows(), 240);
});

test('resume with truncateAfterStep keeps rows up to the checkpoint and appends after them', async () => {
  const dir = tmpdir('resume');
  const a = createRecorder({ dir, run: 'r' });
  for (let s = 0; s < 10; s++) a.metric(s, 't', 'image', 'loss', s);
  await a.flush(); // crash after a flush: parts on disk, never closed
  const b = createRecorder({ dir, run: 'r', truncateAfterStep: 4 });
  for (let s = 5; s < 8; s++) b.metric(s, 't', 'image', 'loss', 100 + s);
  await b.close();
  const m = open(dir).metrics.orderby('step');
  assert.deepEqual(Array.from(m.array('step')), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(m.array('value')), [0, 1, 2, 3, 4, 105, 106, 107]);
  assert.equal((open(dir).meta?.resumes as { afterStep: number }[])[0].afterStep, 4);
});

test('a crash between consolidating and deleting parts does not duplicate rows', () => {
  const dir = tmpdir('crash');
  fs.mkdirSync(path.join(dir, 'parts'));
  const t = sampleTables().metrics;
  // The consolidated file says it holds parts up to 3; part 2 is a left-over, part 4 is new.
  fs.writeFileSync(path.join(dir, 'metrics.arrow'), encodeFrame(t, 'metrics', { 'imp.frames.parts': '3' }));
  fs.writeFileSync(partFile(dir, 'metrics', 2), encodeFrame(t, 'metrics'));
  fs.writeFileSync(partFile(dir, 'metrics', 4), encodeFrame(t.slice(0, 1), 'metrics'));
  assert.equal(open(dir).metrics.numRows(), 4);
  const rec = createRecorder({ dir, run: 'r1' });
  assert.equal(fs.existsSync(partFile(dir, 'metrics', 2)), false, 'stale part removed on open');
  assert.equal(rec.tables().metrics.numRows(), 4);
});

test('a truncated Arrow file is a DataError naming the file', () => {
  const dir = tmpdir('corrupt');
  const file = path.join(dir, 'metrics.arrow');
  const bytes = encodeFrame(sampleTables().metrics, 'metrics');
  fs.writeFileSync(file, bytes.slice(0, 100));
  assert.throws(() => open(dir), (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: not a readable Arrow IPC file`));
});

test('concatRuns puts runs side by side and refuses two runs with one name', async () => {
  const dirs = [tmpdir('c1'), tmpdir('c2')];
  for (const [i, dir] of dirs.entries()) {
    const rec = createRecorder({ dir, run: `seed${i}` });
    rec.metric(0, 't', 'image', 'loss', i);
    await rec.close();
  }
  const all = concatRuns(dirs);
  assert.deepEqual(all.runs, ['seed0', 'seed1']);
  assert.deepEqual((all.metrics.objects() as { run: string; value: number }[]).map((r) => [r.run, r.value]), [['seed0', 0], ['seed1', 1]]);
  assert.throws(() => concatRuns([dirs[0], dirs[0]]), /run name "seed0" appears in two inputs/);
});

test('confusionRows / recallRows feed the evals table', () => {
  const rows = confusionRows({ step: 3, eval: 'z', modality: 'image', classNames: ['a', 'b'], confusion: [[3, 1], [0, 2]] });
  assert.deepEqual(rows.map((r) => [r.label, r.predicted, r.value]), [['a', 'a', 3], ['a', 'b', 1], ['b', 'b', 2]]);
  assert.throws(() => confusionRows({ step: 3, eval: 'z', modality: 'image', classNames: ['a'], confusion: [[3, 1], [0, 2]] }), /confusion: got shape \[2,2\]; expected \[1, 1\]/);
  assert.deepEqual(recallRows({ step: 1, eval: 'o', modality: 't->i', recall: { 1: 0.25, 5: 0.5 } }).map((r) => [r.metric, r.k, r.value]), [['recall', 1, 0.25], ['recall', 5, 0.5]]);
});
