import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng';
import { DIRECTIONS, movingClassNames, movingPrompts, ZERO_SHOT_CLASSES } from './captions';
import { openDataSource, spokenStore, type MovingMnistSource } from './index';
import { DIGIT_SIZE, drawMotion, positionAt, renderClip, type MotionOptions } from './moving';
import { smallBuild } from './test-fixture';

function centroid(a: Float32Array, off: number, c: number): [number, number, number] {
  let m = 0, y = 0, x = 0;
  for (let r = 0; r < c; r++) for (let k = 0; k < c; k++) {
    const v = a[off + r * c + k];
    m += v; y += v * r; x += v * k;
  }
  return [m, y / m, x / m];
}

test('moving digit: stays fully inside the canvas and moves `speed` px per frame in the labelled direction', () => {
  // A solid 28x28 square makes the arithmetic exact: mass 784 per frame, centroid = corner + 13.5.
  const square = new Uint8Array(DIGIT_SIZE * DIGIT_SIZE).fill(255);
  const rng = new Rng(5);
  for (const o of [{ canvas: 64, frames: 8, speed: 3 }, { canvas: 40, frames: 10, speed: 5 }] as MotionOptions[]) {
    for (let trial = 0; trial < 50; trial++) {
      const dir = trial % 4;
      const m = drawMotion(rng, dir, o);
      const clip = new Float32Array(o.frames * o.canvas * o.canvas);
      renderClip(square, 0, m, o, clip, 0);
      const [dy, dx] = [[-1, 0], [1, 0], [0, -1], [0, 1]][dir];
      let prev: [number, number, number] | undefined;
      for (let t = 0; t < o.frames; t++) {
        const [y, x] = positionAt(m, t);
        assert.ok(y >= 0 && x >= 0 && y + DIGIT_SIZE <= o.canvas && x + DIGIT_SIZE <= o.canvas, `frame ${t} at ${y},${x}`);
        const c = centroid(clip, t * o.canvas * o.canvas, o.canvas);
        assert.equal(c[0], 784); // nothing clipped
        if (prev) {
          const step = Math.round(m.speed * t) - Math.round(m.speed * (t - 1));
          assert.ok(Math.abs(c[1] - prev[1] - dy * step) < 1e-9 && Math.abs(c[2] - prev[2] - dx * step) < 1e-9);
        }
        prev = c;
      }
      // 40 px canvas, 10 frames: room 12 px over 9 steps -> speed lowered from 5 to 12/9
      if (o.canvas === 40) assert.ok(Math.abs(m.speed - 12 / 9) < 1e-12);
    }
  }
});

test('moving-mnist: zero-shot classes never appear in training captions or labels; test has them', async () => {
  const dir = await smallBuild(['text', 'mnist', 'spoken', 'moving-mnist']);
  const src = openDataSource('moving-mnist', { dir }) as MovingMnistSource;
  assert.deepEqual(src.zeroShotClasses, ZERO_SHOT_CLASSES);
  assert.deepEqual(src.zeroShotClasses.map((c) => movingClassNames()[c]), ['one moving up', 'three moving down', 'five moving left', 'seven moving right', 'nine moving up']);
  const heldOut = new Set(src.zeroShotClasses.flatMap((c) => movingPrompts(c)));
  const tok = src.tokenizer;
  for (const split of ['train', 'validation'] as const) {
    for (let seed = 0; seed < 20; seed++) {
      const b = src.batch({ split, batchSize: 32, seed, resolution: [16, 16], frames: 2 });
      for (let i = 0; i < 32; i++) {
        assert.ok(!src.zeroShotClasses.includes(b.labels!.data[i]));
        const caption = tok.decode(b.text!.data.subarray(i * 16, (i + 1) * 16));
        assert.ok(!heldOut.has(caption), `held-out caption "${caption}" in ${split}`);
        assert.ok(movingPrompts(b.labels!.data[i]).includes(caption));
      }
    }
  }
  const zs = openDataSource('moving-mnist', { dir, testClasses: 'zero-shot' }).batch({ split: 'test', batchSize: 64, seed: 1 });
  assert.ok([...zs.labels!.data].every((l) => ZERO_SHOT_CLASSES.includes(l)));
  assert.equal(new Set(zs.labels!.data).size, 5);
});

test('moving-mnist: batch shapes, motion in the labelled direction on real digits, same seed -> same bytes', async () => {
  const dir = await smallBuild(['text', 'mnist', 'spoken', 'moving-mnist']);
  const src = openDataSource('moving-mnist', { dir });
  assert.deepEqual(src.modalities, ['video', 'text']);
  const b = src.batch({ split: 'train', batchSize: 6, seed: 9 });
  assert.deepEqual(b.video!.shape, [6, 8, 64, 64, 1]);
  const c = 64, T = 8;
  for (let i = 0; i < 6; i++) {
    const dir = DIRECTIONS[b.labels!.data[i] % 4];
    const first = centroid(b.video!.data, (i * T) * c * c, c);
    const last = centroid(b.video!.data, (i * T + T - 1) * c * c, c);
    assert.ok(Math.abs(first[0] - last[0]) < 1e-3, 'the whole digit is visible in every frame');
    const [dy, dx] = [last[1] - first[1], last[2] - first[2]];
    // speed 3 over 7 steps = 21 px along the direction, 0 across it
    const expect = { up: [-21, 0], down: [21, 0], left: [0, -21], right: [0, 21] }[dir];
    assert.ok(Math.abs(dy - expect[0]) < 1e-3 && Math.abs(dx - expect[1]) < 1e-3, `${dir}: moved ${dy}, ${dx}`);
  }
  const again = src.batch({ split: 'train', batchSize: 6, seed: 9 });
  assert.deepEqual(again.video!.data, b.video!.data);
  assert.deepEqual(again.ids, b.ids);
  const small = src.batch({ split: 'validation', batchSize: 3, seed: 0, resolution: [32, 32], frames: 4 });
  assert.deepEqual(small.video!.shape, [3, 4, 32, 32, 1]);
  for (const v of small.video!.data) assert.ok(v >= 0 && v <= 1 + 1e-6);
});

test('moving-mnist-av: each clip comes with the same digit spoken; test speech is flite', async () => {
  const dir = await smallBuild(['text', 'mnist', 'spoken', 'moving-mnist']);
  const av = openDataSource('moving-mnist-av', { dir });
  assert.deepEqual(av.modalities, ['video', 'audio', 'text']);
  const b = av.batch({ split: 'test', batchSize: 8, seed: 2, frames: 4, resolution: [32, 32] });
  assert.deepEqual(b.audio!.shape, [8, 64, 40]);
  assert.deepEqual(b.video!.shape, [8, 4, 32, 32, 1]);
  for (let i = 0; i < 8; i++) assert.match(b.ids![i], /\+spoken\/flite\//);
  const store = spokenStore(dir);
  // The AV audio of sample i is a flite utterance of digit label/4: find its row and compare labels.
  for (let i = 0; i < 8; i++) {
    const row = Number(b.ids![i].split('/').pop());
    const digit = Math.floor(b.labels!.data[i] / 4);
    assert.ok(row >= 0);
    assert.ok(store.rows('digits', 'test-flite', digit).some((r) => r.row === row), `row ${row} is a flite "${digit}"`);
  }
  const tr = av.batch({ split: 'train', batchSize: 4, seed: 2, audioFrames: 32 });
  assert.deepEqual(tr.audio!.shape, [4, 32, 40]);
  for (let i = 0; i < 4; i++) assert.match(tr.ids![i], /\+spoken\/espeak\//);
});
