import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, DataError } from '../core/errors';
import { loadAudioFile, loadVideoFile } from './files';
import { setProgramOverride } from './programs';
import { OPENCV_SAMPLES } from '../../../datasets/build-files';

const VTEST = path.join(OPENCV_SAMPLES, 'vtest.avi');
const MEGAMIND = path.join(OPENCV_SAMPLES, 'Megamind.avi');

test('loadVideoFile: a real AVI (opencv-doc vtest.avi) decodes to [1, T, H, W, 3] in [0, 1], deterministically', () => {
  const v = loadVideoFile(VTEST, { frames: 4, resolution: [32, 48], duration: 3 });
  assert.deepEqual(v.shape, [1, 4, 32, 48, 3]);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const x of v.data) { min = Math.min(min, x); max = Math.max(max, x); sum += x; }
  assert.ok(min >= 0 && max <= 1 && max > 0.5 && sum / v.data.length > 0.1, `range ${min}..${max}, mean ${sum / v.data.length}`);
  // People walk through vtest: consecutive sampled frames differ.
  const px = 32 * 48 * 3;
  let diff = 0;
  for (let i = 0; i < px; i++) diff += Math.abs(v.data[i] - v.data[3 * px + i]);
  assert.ok(diff / px > 0.005, `mean frame difference ${diff / px}`);
  assert.deepEqual(loadVideoFile(VTEST, { frames: 4, resolution: [32, 48], duration: 3 }).data, v.data);
  const s = loadVideoFile(VTEST, { frames: 2, resolution: [16, 16], fit: 'stretch', duration: 1 });
  assert.deepEqual(s.shape, [1, 2, 16, 16, 3]);
});

test('loadAudioFile: the AC-3 track of Megamind.avi becomes a normalised log-mel; a file without audio is a DataError', () => {
  const a = loadAudioFile(MEGAMIND, { duration: 2 });
  // 2 s at 16 kHz = 32000 samples -> (32000 - 512) / 320 + 1 = 99 frames of 40 mel bins
  assert.deepEqual(a.shape, [1, 99, 40]);
  let s = 0;
  for (const x of a.data) s += x;
  assert.ok(Number.isFinite(s) && Math.abs(s / a.data.length) < 3);
  assert.deepEqual(loadAudioFile(MEGAMIND, { duration: 2, audioFrames: 32 }).shape, [1, 32, 40]);
  assert.throws(() => loadAudioFile(VTEST, { duration: 1 }), (e: unknown) => e instanceof DataError && /vtest\.avi: file has no audio stream \(fix: pass a file with an audio track\)/.test(e.message));
});

test('media loaders: missing file, bad options and a missing ffmpeg are clear errors', () => {
  assert.throws(() => loadVideoFile('/nope/clip.mp4'), /\/nope\/clip\.mp4: media file is missing/);
  assert.throws(() => loadVideoFile(VTEST, { frames: 0 }), ConfigError);
  assert.throws(() => loadVideoFile(VTEST, { fit: 'pad' as never }), /loadVideoFile\.fit: got "pad"/);
  const junk = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imp-media-')), 'junk.avi');
  fs.writeFileSync(junk, 'not a video at all');
  assert.throws(() => loadVideoFile(junk), (e: unknown) => e instanceof DataError && /junk\.avi: ffmpeg failed/.test(e.message));
  setProgramOverride({ ffmpeg: '/nonexistent/ffmpeg' });
  try {
    assert.throws(() => loadVideoFile(VTEST), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /program "ffmpeg" is not installed \(fix: sudo apt-get install ffmpeg/);
      return true;
    });
  } finally {
    setProgramOverride({});
  }
});
