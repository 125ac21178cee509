import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, DataError, RegistryError } from '../core/errors';
import { benchmarkTokenizer, dataSources, digitPrompts, epochBatches, isIndexed, openDataSource, readManifest } from './index';
import { smallBuild } from './test-fixture';
import { sha256 } from './manifest';

test('mnist source: shapes, value range, labels match captions, same seed -> same bytes', async () => {
  const dir = await smallBuild(['text', 'mnist']);
  const src = openDataSource('mnist', { dir });
  assert.equal(src.synthetic, false);
  assert.deepEqual(src.modalities, ['image', 'text']);
  assert.equal(src.size('train'), 1800);
  assert.equal(src.classNames?.[7], 'seven');
  assert.ok(src.prompts!(7).includes('a handwritten seven'));
  const b = src.batch({ split: 'train', batchSize: 16, seed: 3 });
  assert.deepEqual(b.image!.shape, [16, 1, 28, 28, 1]);
  assert.deepEqual(b.text!.shape, [16, 16]);
  assert.deepEqual(b.labels!.shape, [16]);
  let min = Infinity, max = -Infinity;
  for (const v of b.image!.data) { min = Math.min(min, v); max = Math.max(max, v); }
  assert.equal(min, 0);
  assert.equal(max, 1); // MNIST digits are saturated at 255
  const tok = src.tokenizer!;
  for (let i = 0; i < 16; i++) {
    const caption = tok.decode!(b.text!.data.subarray(i * 16, (i + 1) * 16));
    assert.ok(digitPrompts(b.labels!.data[i]).includes(caption), `caption "${caption}" for label ${b.labels!.data[i]}`);
  }
  const again = src.batch({ split: 'train', batchSize: 16, seed: 3 });
  assert.equal(sha256(new Uint8Array(again.image!.data.buffer)), sha256(new Uint8Array(b.image!.data.buffer)));
  assert.deepEqual(again.text!.data, b.text!.data);
  const other = src.batch({ split: 'train', batchSize: 16, seed: 4 });
  assert.notDeepEqual(other.labels!.data, b.labels!.data);
  const test = src.batch({ split: 'train', batchSize: 16, seed: 3, resolution: [14, 14], textLength: 6 });
  assert.deepEqual(test.image!.shape, [16, 1, 14, 14, 1]);
  assert.deepEqual(test.text!.shape, [16, 6]);
  // Downscaling by 2 with the triangle filter averages 2x2 blocks -> the mean is preserved (to ~1%).
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(test.image!.data) - mean(b.image!.data)) < 0.01);
  const multi = openDataSource('mnist', { dir, captionsPerSample: 3 }).batch({ split: 'validation', batchSize: 4, seed: 0 });
  assert.deepEqual(multi.text!.shape, [4, 3, 16]);
  assert.ok(benchmarkTokenizer(dir).vocabSize > 1000);
});

test('mnist batchAt / epochBatches: positions address the split in order; an epoch visits every image once', async () => {
  const dir = await smallBuild(['text', 'mnist']);
  const src = openDataSource('mnist', { dir });
  assert.ok(isIndexed(src));
  // The first four MNIST test labels are 7, 2, 1, 0.
  assert.deepEqual([...src.batchAt('test', [0, 1, 2, 3]).labels!.data], [7, 2, 1, 0]);
  const seen = new Set<string>();
  let batches = 0;
  for (const b of epochBatches(src, 'validation', 64, 5)) {
    batches++;
    for (const id of b.ids!) seen.add(id);
  }
  assert.equal(batches, 4); // 200 images / 64 -> 3 full batches + 8
  assert.equal(seen.size, 200);
  const first = epochBatches(src, 'validation', 8, 5).next().value!;
  assert.deepEqual(first.ids, epochBatches(src, 'validation', 8, 5).next().value!.ids);
  assert.notDeepEqual(first.ids, epochBatches(src, 'validation', 8, 6).next().value!.ids);
  assert.deepEqual(epochBatches(src, 'validation', 2).next().value!.ids, ['mnist/validation/0', 'mnist/validation/1']);
});

test('mnist source: bad requests are ConfigErrors naming the field', async () => {
  const dir = await smallBuild(['text', 'mnist']);
  const src = openDataSource('mnist', { dir });
  assert.throws(() => src.batch({ split: 'dev' as never, batchSize: 2, seed: 0 }), /mnist\.batch\.split: got "dev"; allowed: "train" \| "validation" \| "test"/);
  assert.throws(() => src.batch({ split: 'train', batchSize: 0, seed: 0 }), ConfigError);
  assert.throws(() => src.batch({ split: 'train', batchSize: 2, seed: 0, resolution: [0, 4] }), /resolution\[0\]: got 0/);
  assert.throws(() => openDataSource('mnist', { dir, captionsPerSample: 9 }), /mnist\.captionsPerSample: got 9; allowed: an integer in 1\.\.5/);
  assert.throws(() => openDataSource('imagenet'), (e: unknown) => e instanceof RegistryError && /known: .*mnist/.test(e.message));
  for (const name of ['mnist', 'fashion-mnist']) assert.ok(dataSources.has(name));
});

test('missing build, missing part and manifest hash mismatch are DataErrors with the build command', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-nodata-'));
  assert.throws(() => openDataSource('mnist', { dir: empty }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /manifest\.json: the IMP-Offline-1 benchmark is not built here \(fix: run `imp-lab data build --out /);
    return true;
  });
  // A copy of a small build with one file flipped.
  const dir = await smallBuild(['text', 'mnist']);
  fs.cpSync(dir, empty, { recursive: true });
  const m = readManifest(empty);
  assert.ok(m.parts.mnist);
  delete m.parts['fashion-mnist'];
  fs.writeFileSync(path.join(empty, 'manifest.json'), JSON.stringify(m));
  assert.throws(() => openDataSource('fashion-mnist', { dir: empty }), /part "fashion-mnist" of IMP-Offline-1 is not built .*fix: run `imp-lab data build --only fashion-mnist --out/);
  const f = path.join(empty, 'mnist', 'test-labels.idx');
  const bytes = fs.readFileSync(f);
  bytes[bytes.length - 1] ^= 1;
  fs.writeFileSync(f, bytes);
  const src = openDataSource('mnist', { dir: empty });
  assert.throws(() => src.batch({ split: 'test', batchSize: 1, seed: 0 }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /test-labels\.idx: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64} \(corrupt or replaced\)/);
    return true;
  });
  fs.writeFileSync(f, bytes.subarray(0, 100));
  assert.throws(() => src.batch({ split: 'test', batchSize: 1, seed: 0 }), /file has 100 bytes; the manifest says 508 \(truncated or replaced\)/);
  fs.rmSync(empty, { recursive: true, force: true });
});
