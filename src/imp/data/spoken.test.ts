import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDataSource, spokenStore } from './index';
import { spokenPrompts } from './captions';
import { smallBuild } from './test-fixture';

test('spoken-digits: espeak-ng train/validation, flite test, roughly unit-scale log-mel, labelled captions', async () => {
  const dir = await smallBuild(['text', 'spoken']);
  const src = openDataSource('spoken-digits', { dir, augment: false });
  assert.deepEqual(src.modalities, ['audio', 'text']);
  assert.equal(src.size('test'), 50); // small build: 5 flite voices x 10 digits
  const b = src.batch({ split: 'test', batchSize: 32, seed: 1 });
  assert.deepEqual(b.audio!.shape, [32, 64, 40]);
  for (const id of b.ids!) assert.match(id, /^spoken\/flite\//);
  let s = 0, s2 = 0;
  for (const v of b.audio!.data) { s += v; s2 += v * v; }
  const mean = s / b.audio!.data.length;
  const std = Math.sqrt(s2 / b.audio!.data.length - mean * mean);
  assert.ok(Math.abs(mean) < 1 && std > 0.4 && std < 2.5, `mean ${mean}, std ${std}`);
  const tok = src.tokenizer!;
  for (let i = 0; i < 32; i++) {
    const caption = tok.decode!(b.text!.data.subarray(i * 16, (i + 1) * 16));
    assert.ok(spokenPrompts(src.classNames![b.labels!.data[i]]).includes(caption), caption);
  }
  const esp = openDataSource('spoken-digits', { dir, testVoices: 'espeak' }).batch({ split: 'test', batchSize: 4, seed: 1 });
  for (const id of esp.ids!) assert.match(id, /^spoken\/espeak\//);
  const store = spokenStore(dir);
  for (const id of esp.ids!) assert.ok(store.rows('digits', 'test-espeak').some((r) => `spoken/espeak/${r.row}` === id));
  assert.throws(() => openDataSource('spoken-digits', { dir, testVoices: 'festival' }), /spoken-digits\.testVoices: got "festival"; allowed: "flite" \| "espeak"/);
});

test('spoken: augmentation is seeded, train-only, and changes the audio; frames resample on request', async () => {
  const dir = await smallBuild(['text', 'spoken']);
  const plain = openDataSource('spoken-fashion', { dir, augment: false });
  const aug = openDataSource('spoken-fashion', { dir });
  const a = aug.batch({ split: 'train', batchSize: 8, seed: 4 });
  const p = plain.batch({ split: 'train', batchSize: 8, seed: 4 });
  assert.deepEqual(a.ids, p.ids); // same draw, different audio
  assert.notDeepEqual(a.audio!.data, p.audio!.data);
  assert.deepEqual(aug.batch({ split: 'train', batchSize: 8, seed: 4 }).audio!.data, a.audio!.data);
  assert.deepEqual(aug.batch({ split: 'validation', batchSize: 8, seed: 4 }).audio!.data, plain.batch({ split: 'validation', batchSize: 8, seed: 4 }).audio!.data);
  assert.equal(aug.classNames![9], 'ankle boot');
  const short = plain.batch({ split: 'train', batchSize: 2, seed: 4, audioFrames: 32 });
  assert.deepEqual(short.audio!.shape, [2, 32, 40]);
});
