import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../core/errors';
import { encodeIdx, parseIdx, readIdxFile } from './idx';
import { fashionSource, mnistSource, readPair } from '../../../datasets/build-idx';

function counts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

test('IDX: the real MNIST files parse to the published counts and per-class counts', () => {
  const s = mnistSource();
  const train = readPair(s.files.trainImages, s.files.trainLabels, 60000, s.fix);
  const test = readPair(s.files.testImages, s.files.testLabels, 10000, s.fix);
  assert.deepEqual(train.images.shape, [60000, 28, 28]);
  assert.deepEqual(test.labels.shape, [10000]);
  // Per-class counts published with MNIST (LeCun et al.): train and t10k.
  assert.deepEqual(counts(train.labels.data), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(counts(test.labels.data), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  // The first training label of MNIST is a 5, the first test label a 7.
  assert.equal(train.labels.data[0], 5);
  assert.equal(test.labels.data[0], 7);
});

test('IDX: Fashion-MNIST (Debian, gzipped) has 6000 / 1000 images per class', () => {
  const s = fashionSource();
  const train = readPair(s.files.trainImages, s.files.trainLabels, 60000, s.fix);
  const test = readPair(s.files.testImages, s.files.testLabels, 10000, s.fix);
  assert.deepEqual(counts(train.labels.data), new Array(10).fill(6000));
  assert.deepEqual(counts(test.labels.data), new Array(10).fill(1000));
  assert.equal(train.labels.data[0], 9); // an ankle boot, as in the Fashion-MNIST README figure
});

test('IDX: encode/parse round-trip; the payload is a view, not a copy', () => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const bytes = encodeIdx(data, [2, 3]);
  assert.equal(bytes.length, 4 + 8 + 6);
  const p = parseIdx(bytes, 'x.idx');
  assert.deepEqual(p.shape, [2, 3]);
  assert.deepEqual([...p.data], [1, 2, 3, 4, 5, 6]);
  assert.equal(p.data.buffer, bytes.buffer);
});

test('IDX: truncated file, wrong magic, missing file and corrupt gzip are DataErrors naming the file', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
  const good = encodeIdx(new Uint8Array(2 * 28 * 28), [2, 28, 28]);
  const truncated = path.join(tmp, 'trunc-images.idx');
  fs.writeFileSync(truncated, good.subarray(0, good.length - 100));
  assert.throws(() => readIdxFile(truncated, 'rebuild'), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /trunc-images\.idx: IDX payload has 1468 bytes but its header \[2,28,28\] needs 1568 \(file is truncated\) \(fix: rebuild\)/);
    return true;
  });
  const wrong = path.join(tmp, 'wrong-magic.idx');
  const bad = Uint8Array.from(good);
  bad[2] = 0x0d; // float IDX
  fs.writeFileSync(wrong, bad);
  assert.throws(() => readIdxFile(wrong), /wrong-magic\.idx: wrong IDX magic number 00 00 0d 03/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny.idx'), /tiny\.idx: IDX file is truncated: 3 bytes/);
  assert.throws(() => readIdxFile(path.join(tmp, 'nope.idx'), 'npm ci'), (e: unknown) => e instanceof DataError && /nope\.idx: IDX file is missing \(fix: npm ci\)/.test(e.message));
  const gz = path.join(tmp, 'broken.idx.gz');
  fs.writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
  assert.throws(() => readIdxFile(gz), /broken\.idx\.gz: gzip stream is corrupt or truncated/);
  // An image/label count mismatch is caught by the pair check.
  const img = path.join(tmp, 'img.idx');
  const lab = path.join(tmp, 'lab.idx');
  fs.writeFileSync(img, good);
  fs.writeFileSync(lab, encodeIdx(new Uint8Array(3), [3]));
  assert.throws(() => readPair(img, lab, 2, 'fix it'), /lab\.idx: labels have shape \[3\]; expected \[2\]/);
  fs.rmSync(tmp, { recursive: true, force: true });
});
