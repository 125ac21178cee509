import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../core/tf';
import { ConfigError, ShapeError } from '../core/errors';
import { Rng } from '../core/rng';
import { bucketIds } from '../embed/positional';
import { embedVision } from '../embed/vision';
import { embedText } from '../embed/text';
import { createModel, disposeModel, encode, parameterCount } from './model';
import { moeLayers, resolveModelConfig } from './config';
import { contrastiveHead, pairTemperature } from '../heads/heads';
import { ncePairLoss } from '../losses/nce';

test.before(async () => { await tf.setBackend('cpu'); });

const micro = { size: 'micro' as const, text: { vocabSize: 50, posBuckets: 8 }, vision: { posBuckets: [2, 8, 8] as [number, number, number] } };

test('positional buckets: normalised coordinates map two resolutions onto one table', () => {
  // 4 patches per side -> buckets 0,2,4,6 of 8; 8 patches per side -> 0..7.
  assert.deepEqual(Array.from(bucketIds(Int32Array.from([0, 1, 2, 3]), 4, 8)), [0, 2, 4, 6]);
  assert.deepEqual(Array.from(bucketIds(Int32Array.from([0, 2, 4, 6]), 8, 8)), [0, 2, 4, 6]);
  // Same relative position at both resolutions -> same bucket.
  assert.equal(bucketIds(Int32Array.from([3]), 4, 8)[0], bucketIds(Int32Array.from([6]), 8, 8)[0]);
});

test('vision embedder: any resolution; kept tokens after DropToken keep their true positions', () => {
  const model = createModel({ ...micro, modalities: ['image', 'text'] }, { seed: 1 });
  const vp = model.params.embed.vision!;
  const x16 = tf.randomUniform([2, 1, 16, 16, 1], 0, 1, 'float32', 5);
  const full = embedVision(vp, model.config, 'image', x16);
  assert.deepEqual(full.tokens.shape, [2, 16, 32]);
  const x32 = tf.randomUniform([2, 1, 32, 32, 1], 0, 1, 'float32', 6);
  assert.deepEqual(embedVision(vp, model.config, 'image', x32).tokens.shape, [2, 64, 32]);
  const dropped = embedVision(vp, model.config, 'image', x16, { dropToken: 0.75, rng: new Rng(3) });
  assert.deepEqual(dropped.tokens.shape, [2, 4, 32]);
  // LayerNorm is per token, so each kept token equals the full embedding's row at its index.
  const f = full.tokens.arraySync() as number[][][];
  const d = dropped.tokens.arraySync() as number[][][];
  for (let b = 0; b < 2; b++) for (let j = 0; j < 4; j++) {
    const idx = dropped.index[b * 4 + j];
    for (let c = 0; c < 32; c++) assert.ok(Math.abs(d[b][j][c] - f[b][idx][c]) < 1e-5);
  }
  disposeModel(model);
});

test('text embedder: padding never changes real tokens (positions normalised by the table)', () => {
  const model = createModel({ ...micro, modalities: ['image', 'text'] }, { seed: 2 });
  const a = encode(model, 'text', tf.tensor2d([[5, 7, 9]], undefined, 'int32')).pooled.dataSync();
  const b = encode(model, 'text', tf.tensor2d([[5, 7, 9, 0, 0]], undefined, 'int32')).pooled.dataSync();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-4, `pooled[${i}] ${a[i]} vs ${b[i]}`);
  assert.deepEqual(embedText(model.params.embed.text!, model.config, tf.tensor2d([[5, 0]], undefined, 'int32')).mask!.arraySync(), [[1, 0]]);
  disposeModel(model);
});

test('video and image share the patch projection; images are tiled to one tubelet', () => {
  const model = createModel({ ...micro, vision: { tubelet: [2, 4, 4], posBuckets: [4, 4, 4] } }, { seed: 3 });
  const img = tf.randomUniform([1, 1, 8, 8, 1], 0, 1, 'float32', 1);
  const asClip = tf.concat([img, img], 1); // the same frame twice
  const e1 = embedVision(model.params.embed.vision!, model.config, 'image', img).tokens.dataSync();
  const e2 = embedVision(model.params.embed.vision!, model.config, 'image', asClip).tokens.dataSync();
  assert.deepEqual(Array.from(e1), Array.from(e2));
  const vid = encode(model, 'video', tf.randomUniform([2, 4, 8, 8, 1]));
  assert.deepEqual(vid.embedded.grid, [2, 2, 2]);
  disposeModel(model);
});

test('finite-difference gradient through the vision embedder and encoder', () => {
  const model = createModel({ ...micro, modalities: ['image', 'text'] }, { seed: 4 });
  const x = tf.randomUniform([2, 1, 8, 8, 1], 0, 1, 'float32', 9);
  const r = tf.randomNormal([2, 32], 0, 1, 'float32', 10);
  const v = model.params.embed.vision!.patch.w;
  const f = () => tf.tidy(() => encode(model, 'image', x).pooled.mul(r).sum() as tf.Scalar);
  const g = tf.variableGrads(f, [v]).grads[v.name].dataSync();
  const base = v.dataSync().slice();
  for (const i of [0, 7, 100, v.size - 1]) {
    const eps = 1e-2;
    const p = base.slice(); p[i] += eps; v.assign(tf.tensor(p, v.shape)); const fp = f().dataSync()[0];
    const m = base.slice(); m[i] -= eps; v.assign(tf.tensor(m, v.shape)); const fm = f().dataSync()[0];
    v.assign(tf.tensor(base, v.shape));
    const num = (fp - fm) / (2 * eps);
    assert.ok(Math.abs(num - g[i]) < 1e-2 + 3e-2 * Math.abs(num), `w[${i}]: analytic ${g[i]} vs numeric ${num}`);
  }
  disposeModel(model);
});

test('MoE model: routing records per MoE layer; no tensor leaks across forward + backward', () => {
  const model = createModel({ ...micro, layers: 4, moe: { numExperts: 4, placement: { every: 2 } }, heads: { classifiers: { digits: 10 } } }, { seed: 5 });
  assert.deepEqual(moeLayers(model.config), [1, 3]);
  const img = tf.randomUniform([4, 1, 8, 8, 1], 0, 1, 'float32', 1);
  const txt = tf.tensor2d([[3, 4, 0], [5, 6, 7], [8, 0, 0], [9, 10, 11]], undefined, 'int32');
  const vars = Object.values(tf.engine().registeredVariables);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const a = encode(model, 'image', img);
      const b = encode(model, 'text', txt);
      assert.equal(a.aux.routing.length, 2);
      assert.deepEqual(Array.from(a.aux.routing[0].expertTokens), [4, 4, 4, 4]); // 16 tokens / 4 experts
      const za = contrastiveHead(model.params.heads, 'image', 'text', a.pooled);
      const zb = contrastiveHead(model.params.heads, 'text', 'image', b.pooled);
      return ncePairLoss(za, zb, pairTemperature(model.params.heads, 'image', 'text')).add(a.aux.zLoss.mul(0.01)) as tf.Scalar;
    }, vars);
    const n = Object.keys(grads).length;
    tf.dispose([value, ...Object.values(grads)]);
    return n;
  };
  step();
  const before = tf.memory().numTensors;
  const nGrads = step();
  assert.equal(tf.memory().numTensors, before, 'forward + backward must not leak tensors');
  assert.ok(nGrads > 20);
  assert.ok(parameterCount(model) > 10000);
  disposeModel(model);
});

test('same seed, same weights and outputs; different seed differs', () => {
  const x = tf.randomUniform([1, 1, 8, 8, 1], 0, 1, 'float32', 2);
  const run = (seed: number) => {
    const m = createModel({ ...micro, modalities: ['image', 'text'] }, { seed });
    const y = Array.from(encode(m, 'image', x).pooled.dataSync());
    disposeModel(m);
    return y;
  };
  assert.deepEqual(run(11), run(11));
  assert.notDeepEqual(run(11), run(12));
});

test('config errors name the field, the value and what is allowed, before any tensor exists', () => {
  const before = tf.memory().numTensors;
  const cases: [unknown, RegExp][] = [
    [{ size: 'XL' }, /model\.size: got "XL"; allowed: "micro" \| "mini"/],
    [{ width: 30, numHeads: 4 }, /model\.numHeads: got 4; allowed: a divisor of model\.width \(30\)/],
    [{ modalities: ['image', 'smell'] }, /model\.modalities\[1\]: got "smell"; allowed: "image" \| "video" \| "audio" \| "text"/],
    [{ moe: { router: 'topk' } }, /model\.moe\.router: got "topk"; allowed: "expert-choice" \| "token-choice"/],
    [{ moe: { numExperts: 2, topK: 3 } }, /model\.moe\.topK: got 3; allowed: an integer in \[1, numExperts=2\]/],
    [{ moe: { placement: { last: 9 } } }, /model\.moe\.placement\.last: got 9; allowed: an integer in \[1, layers=4\]/],
    [{ moe: { placement: {} } }, /model\.moe\.placement: got \{\}/],
    [{ moe: { capacityFactor: 0 } }, /model\.moe\.capacityFactor: got 0; allowed: a finite number > 0/],
    [{ layers: '4' }, /model\.layers: got "4"; allowed: an integer >= 1/],
    [{ useBias: 1 }, /model\.useBias: got 1; allowed: true \| false/],
    [{ heads: { pairs: [['image', 'image']] } }, /model\.heads\.pairs\[0\]: got \["image","image"\]; allowed: two different modalities/],
    [{ heads: { classifiers: { mnist: 1 } } }, /model\.heads\.classifiers\.mnist: got 1; allowed: an integer >= 2/],
    [{ vision: { tubelet: [1, 4] } }, /model\.vision\.tubelet: got \[1,4\]; allowed: an array of 3 integers >= 1/],
    [{ lr: 3 }, /model\.lr: got 3; allowed: a known field/],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => resolveModelConfig(input as never), (e: unknown) => e instanceof ConfigError && re.test((e as Error).message), `expected ${re}`);
  }
  assert.equal(tf.memory().numTensors, before);
});

test('shape and modality errors at encode time', () => {
  const model = createModel({ ...micro, modalities: ['image', 'text'] }, { seed: 0 });
  assert.throws(() => encode(model, 'image', tf.zeros([1, 1, 10, 8, 1])), (e: unknown) => e instanceof ShapeError && /image input: got shape \[1,1,10,8,1\]; expected \[B, T, H, W, 1\] with H % 4 == 0/.test((e as Error).message));
  assert.throws(() => encode(model, 'audio', tf.zeros([1, 8, 8])), /modality: got "audio"; allowed: one of model\.modalities \(image, text\)/);
  assert.throws(() => encode(model, 'text', tf.zeros([1, 4])), /text input: got shape \[1,4\]; expected \[B, L\] int32/);
  const wide = createModel({ ...micro, moe: { numExperts: 64, placement: { last: 1 } } });
  const x = tf.zeros([1, 1, 8, 8, 1]);
  const before = tf.memory().numTensors;
  assert.throws(() => encode(wide, 'image', x), (e: unknown) => e instanceof ConfigError && /capacityFactor: got 1; .*groups of 4 tokens and 64 experts/.test((e as Error).message));
  assert.equal(tf.memory().numTensors, before, 'the capacity error comes before any tensor is allocated');
  disposeModel(wide);
  disposeModel(model);
});

test('size table: S, B and L match the paper', () => {
  for (const [s, l, w, m, h] of [['S', 12, 384, 1536, 6], ['B', 12, 768, 3072, 12], ['L', 24, 1024, 4096, 16]] as const) {
    const c = resolveModelConfig({ size: s });
    assert.deepEqual([c.layers, c.width, c.mlpDim, c.numHeads], [l, w, m, h]);
  }
});
