import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../core/errors';
import { openDataSource, type OpenmojiSource } from './index';
import { smallBuild } from './test-fixture';
import { rasteriseSvg } from '../../../datasets/build-openmoji';
import { openmojiSplit, readOpenmojiEntries } from '../../../datasets/openmoji-entries';

test('openmoji annotations: 2465 emoji without skin tones, real captions, a fixed hash split', () => {
  const e = readOpenmojiEntries();
  assert.equal(e.length, 2465);
  assert.deepEqual(e[0], {
    hexcode: '1F600', annotation: 'grinning face', group: 'smileys-emotion', subgroup: 'face-smiling',
    tags: 'cheerful, cheery, face, grin, grinning, happy, laugh, nice, smile, smiling, teeth',
  });
  const test = e.filter((x) => openmojiSplit(x.hexcode) === 'test').length;
  assert.ok(test > 200 && test < 300, `test split ${test}`); // ~10 %
  assert.equal(openmojiSplit('1F600'), openmojiSplit('1F600'));
});

test('openmoji source: RGB on white in [0, 1], captions are the real annotation, batchAt walks a split', async () => {
  const dir = await smallBuild(['text', 'openmoji']);
  const src = openDataSource('openmoji', { dir }) as OpenmojiSource;
  assert.equal(src.classNames[0], 'smileys-emotion');
  const b = src.batch({ split: 'train', batchSize: 4, seed: 0 });
  assert.deepEqual(b.image!.shape, [4, 1, 64, 64, 3]);
  assert.equal(b.image!.data[0], 1); // the corner is background: white
  const rows = src.indices('test');
  const all = src.batchAt('test', [0, 1, 2], { textLength: 24 });
  assert.deepEqual(all.text!.shape, [3, 24]);
  const tok = src.tokenizer;
  const first = readOpenmojiEntries()[rows[0]];
  assert.equal(all.ids![0], `openmoji/${first.hexcode}`);
  assert.ok(tok.decode(all.text!.data.subarray(0, 24)).startsWith(first.annotation.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()));
  const three = openDataSource('openmoji', { dir, captionsPerSample: 3 }).batch({ split: 'validation', batchSize: 2, seed: 1, resolution: [32, 32] });
  assert.deepEqual(three.text!.shape, [2, 3, 16]);
  assert.deepEqual(three.image!.shape, [2, 1, 32, 32, 3]);
  assert.equal(src.prompts!(0)[0], 'an emoji of smileys emotion');
  assert.throws(() => src.batchAt('test', [src.size('test')]), /openmoji\.batchAt\(positions\): got \d+; allowed: integers in 0\.\./);
});

test('an SVG that fails to render is a DataError naming the file', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-svg-'));
  const bad = path.join(tmp, '1F600.svg');
  fs.writeFileSync(bad, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 72 72"><path d="M0 0 L');
  await assert.rejects(rasteriseSvg(bad, 32), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /1F600\.svg: SVG failed to render .*\(fix: reinstall npm openmoji@17\.0\.0/);
    return true;
  });
  await assert.rejects(rasteriseSvg(path.join(tmp, 'none.svg'), 32), /none\.svg: SVG file is missing/);
  fs.rmSync(tmp, { recursive: true, force: true });
});
