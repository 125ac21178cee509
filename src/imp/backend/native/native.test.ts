// Parity of every native kernel with tfjs-backend-cpu, forward and gradient, on random and edge
// inputs. The addon is built by `npm ci` on this machine's kind (CI included), so these tests
// require it; the library itself falls back to cpu when it is missing.
import '../../core/tf';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { addonError, loadAddon, nativeKernelNames, registerNativeBackend } from './index';
import { collapsePermutation } from './kernels/transpose';
import { collapseBroadcast } from './util';
import { geluTanh } from '../ops';
import { gatherRows, scatterAddRows } from '../../core/ops';

type Input = { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' };

const rng = new Rng(7);
function rand(shape: number[], scale = 1): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal() * scale;
  return { shape, values, dtype: 'float32' };
}
function ints(shape: number[], values: number[]): Input {
  return { shape, values: Int32Array.from(values), dtype: 'int32' };
}
function withSpecials(inp: Input): Input {
  const v = inp.values as Float32Array;
  const specials = [NaN, Infinity, -Infinity, 1e30, -1e30, 0, -0, 80, -80, 1e-30];
  specials.forEach((s, i) => { if (i * 7 < v.length) v[i * 7] = s; });
  return inp;
}

/** Runs f on both backends with the same inputs; returns each output's values per backend. */
function onBoth(f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], inputs: Input[]): { native: Float32Array[]; cpu: Float32Array[] } {
  const out: Record<string, Float32Array[]> = {};
  for (const backend of ['native', 'cpu']) {
    tf.setBackend(backend);
    out[backend] = tf.tidy(() => {
      const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype));
      const r = f(...xs);
      return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
    });
  }
  tf.setBackend('native');
  return { native: out.native, cpu: out.cpu };
}

function assertClose(got: Float32Array, want: Float32Array, what: string, rtol = 2e-5, atol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g)) {
      assert.ok(Number.isNaN(w) && Number.isNaN(g), `${what}[${i}]: native ${g}, cpu ${w}`);
    } else if (!Number.isFinite(w) || !Number.isFinite(g)) {
      assert.equal(g, w, `${what}[${i}]`);
    } else {
      assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w), `${what}[${i}]: native ${g}, cpu ${w}`);
    }
  }
}

function parity(what: string, f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], inputs: Input[], rtol?: number, atol?: number): void {
  const r = onBoth(f, inputs);
  r.cpu.forEach((want, i) => assertClose(r.native[i], want, `${what} output ${i}`, rtol, atol));
}

/** Forward value and the gradient of sum(f * weights) with respect to every float input. */
function gradParity(what: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], rtol = 1e-4, atol = 1e-4): void {
  parity(`${what} forward`, f, inputs, rtol, atol);
  parity(`${what} grad`, (...xs) => {
    const g = tf.grads((...ys: tf.Tensor[]) => {
      const y = f(...ys);
      const w = tf.range(0, y.size).reshape(y.shape).mul(0.37).sin();  // non-uniform upstream gradient
      return y.mul(w).sum();
    });
    return g(xs);
  }, inputs, rtol, atol);
}

before(async () => {
  assert.ok(registerNativeBackend(), `native addon did not load: ${addonError()}`);
  await tf.setBackend('native');
});

describe('native backend registration', () => {
  test('native kernels cover the transformer hot path', () => {
    const names = nativeKernelNames();
    for (const k of ['BatchMatMul', '_FusedMatMul', 'Softmax', 'Add', 'Multiply', 'Sum', 'Transpose', 'GatherV2', 'UnsortedSegmentSum']) {
      assert.ok(names.includes(k), `missing native ${k}`);
    }
    // Every cpu kernel is also available on native, as the fallback.
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    assert.deepEqual(cpu.filter((k) => !native.has(k)), []);
  });
});

describe('matmul family', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true], [[4, 5, 7], [4, 7, 3], false, false], [[4, 7, 5], [4, 3, 7], true, true],
    [[2, 3, 5, 7], [7, 6], false, false], [[3, 5, 7], [1, 7, 2], false, false], [[1, 5, 7], [3, 7, 2], false, false],
    [[3, 7, 5], [7, 2], true, false], [[2, 1, 5, 7], [2, 3, 7, 4], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    // tfjs-core's BatchMatMul gradient does not sum over broadcast batch dimensions (on every
    // backend), so gradients are compared only where the batch shapes agree.
    const sameBatch = sa.slice(0, -2).join() === sb.slice(0, -2).join();
    test(`BatchMatMul ${sa} x ${sb} tA=${ta} tB=${tb}, forward${sameBatch ? ' and gradient' : ''}`, () => {
      if (sameBatch) gradParity('matMul', (a, b) => tf.matMul(a, b, ta, tb), [rand(sa), rand(sb)]);
      else parity('matMul', (a, b) => tf.matMul(a, b, ta, tb), [rand(sa), rand(sb)]);
    });
  }
  test('GEMMs large enough to be split across threads, in both threading modes', () => {
    const addon = loadAddon();
    assert.ok(addon);
    // 2 M N K >= 2e6 FLOPs: split along M (M >= N) or N (N > M), every transpose; odd sizes so
    // the split points fall mid-tile; batched with batch >= threads (one GEMM per thread).
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[161, 300], [300, 90], false, false], [[300, 161], [300, 90], true, false], [[161, 300], [90, 300], false, true],
      [[300, 161], [90, 300], true, true], [[70, 300], [300, 171], false, false], [[300, 70], [171, 300], true, true],
      [[3, 65, 300], [3, 300, 81], false, false], [[2, 300, 65], [2, 81, 300], true, true], [[4, 2, 70, 64], [64, 301], false, false],
    ];
    try {
      for (const mode of [true, false]) {
        addon.setPoolGemm(mode);
        for (const [sa, sb, ta, tb] of cases) {
          parity(`matMul ${sa}x${sb} ${ta} ${tb} pool=${mode}`, (a, b) => tf.matMul(a, b, ta, tb), [rand(sa), rand(sb)], 1e-4, 1e-4);
        }
        // Row bias accumulated by the GEMM (beta = 1), folded and batched, forward and gradient.
        const n = 90;
        gradParity(`fused bias pool=${mode}`, (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, transposeB: true }),
          [rand([161, 300]), rand([n, 300]), rand([n])], 1e-4, 1e-3);
        parity(`fused bias batched pool=${mode}`, (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, bias }),
          [rand([3, 65, 300]), rand([3, 300, 81]), rand([81])], 1e-4, 1e-4);
        parity(`fused bias k=0 pool=${mode}`, (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
          [rand([4, 0]), rand([0, 5]), rand([5])]);
      }
    } finally {
      addon.setPoolGemm(true);
    }
  });
  test('empty dimensions', () => {
    parity('k=0', (a, b) => tf.matMul(a, b), [rand([3, 0]), rand([0, 4])]);
    parity('m=0', (a, b) => tf.matMul(a, b), [rand([0, 3]), rand([3, 4])]);
    parity('batch=0', (a, b) => tf.matMul(a, b), [rand([0, 2, 3]), rand([0, 3, 4])]);
  });
  test('NaN and Inf propagate', () => {
    parity('nan', (a, b) => tf.matMul(a, b), [withSpecials(rand([6, 8])), rand([8, 5])], 1e-4, 1e-3);
  });
  test('many small batched GEMMs (attention shapes) match', () => {
    gradParity('attn', (q, k) => tf.matMul(q, k, false, true), [rand([12, 16, 8]), rand([12, 16, 8])]);
  });
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const) {
    test(`_FusedMatMul bias + ${activation}`, () => {
      gradParity(`fused ${activation}`, (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation, transposeB: true }),
        [rand([6, 5]), rand([4, 5]), rand([4])]);
      parity(`fused full bias ${activation}`, (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, bias, activation }),
        [rand([2, 6, 5]), rand([2, 5, 4]), rand([2, 6, 4])]);
    });
  }
  test('_FusedMatMul with prelu and odd bias shapes falls back to cpu', () => {
    parity('prelu', (a, b, bias, alpha) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'prelu', preluActivationWeights: alpha }),
      [rand([6, 5]), rand([5, 4]), rand([4]), rand([4])]);
    parity('column bias', (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
      [rand([6, 5]), rand([5, 4]), rand([6, 1])]);
  });
});

describe('elementwise', () => {
  const binaries: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
  ];
  const shapes: Array<[number[], number[]]> = [
    [[4, 5], [4, 5]], [[4, 5], [5]], [[4, 5], [4, 1]], [[4, 1], [1, 5]], [[2, 3, 4], []], [[], [2, 3, 4]],
    [[2, 1, 4], [3, 1]], [[0, 5], [5]], [[3, 1, 5, 1], [1, 4, 1, 2]],
  ];
  for (const [name, f] of binaries) {
    test(`${name}: broadcasts, specials, gradient`, () => {
      for (const [sa, sb] of shapes) parity(`${name} ${sa} ${sb}`, f, [withSpecials(rand(sa)), rand(sb)]);
      // Maximum/Minimum/SquaredDifference gradients in tfjs-core do not reduce broadcast
      // dimensions, so the gradient check uses equal shapes for those.
      const bShape = ['maximum', 'minimum', 'squaredDifference'].includes(name) ? [3, 4] : [4];
      gradParity(name, f, [rand([3, 4]), rand(bShape)]);
    });
  }
  test('pow: integer fast paths and general exponents', () => {
    for (const p of [2, 3, 1, 0.5, -1.5]) parity(`pow ${p}`, (a) => tf.pow(a, p), [withSpecials(rand([40]))]);
    parity('pow tensor', (a, b) => tf.pow(tf.abs(a), b), [rand([10]), rand([10])]);
    gradParity('pow 3', (a) => tf.pow(a, 3), [rand([5, 3])]);
  });
  test('comparisons return bool with NaN semantics of JavaScript', () => {
    for (const f of [tf.less, tf.lessEqual, tf.greater, tf.greaterEqual, tf.equal, tf.notEqual]) {
      parity(f.name, (a, b) => f(a, b).cast('float32'), [withSpecials(rand([6, 7])), rand([7])]);
      parity(`${f.name} int`, (a, b) => f(a, b).cast('float32'), [ints([3], [1, 2, 3]), ints([3], [3, 2, 1])]);
    }
  });
  const unaries: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
    ['exp', tf.exp], ['log', tf.log], ['neg', tf.neg], ['sqrt', tf.sqrt], ['rsqrt', tf.rsqrt], ['square', tf.square],
    ['tanh', tf.tanh], ['sigmoid', tf.sigmoid], ['relu', tf.relu], ['abs', tf.abs], ['reciprocal', tf.reciprocal],
    ['erf', tf.erf], ['step', (x) => tf.step(x, 0.3)], ['log1p', tf.log1p], ['elu', tf.elu], ['leakyRelu', (x) => tf.leakyRelu(x, 0.1)],
    ['relu6', tf.relu6],
  ];
  for (const [name, f] of unaries) {
    test(`${name}: random, large values, NaN, gradient`, () => {
      parity(name, f, [withSpecials(rand([1000], 30))], 3e-6, 1e-6);
      parity(`${name} empty`, f, [rand([0, 3])]);
      if (!['step'].includes(name)) gradParity(name, (x) => f(x.abs().add(0.5)), [rand([4, 6])]);
    });
  }
  test('int32 arithmetic stays on the cpu path (exact)', () => {
    parity('int add', (a, b) => tf.add(a, b).cast('float32'), [ints([4], [1, 2, 3, 2147483647]), ints([4], [5, 6, 7, 0])]);
    parity('int abs', (a) => tf.abs(a).cast('float32'), [ints([3], [-3, 0, 9])]);
  });
  test('large inputs use the threaded path', () => {
    parity('big mul', (a, b) => tf.mul(a, b), [rand([300, 700]), rand([700])]);
    parity('big tanh', tf.tanh, [rand([400000], 3)], 3e-6, 1e-6);
  });
});

describe('reductions, softmax, transpose', () => {
  for (const [name, f] of [['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min], ['prod', tf.prod]] as const) {
    test(`${name} over every axis pattern, NaN, empty`, () => {
      const x = rand([3, 4, 5, 2]);
      for (const axis of [undefined, 0, 1, 2, 3, -1, [0, 1], [1, 2], [0, 3], [0, 2], [1, 3]] as Array<number | number[] | undefined>) {
        parity(`${name} axis ${axis}`, (t) => (f as (t: tf.Tensor, a?: number | number[], k?: boolean) => tf.Tensor)(t, axis, axis === 1), [x]);
      }
      parity(`${name} nan`, (t) => (f as (t: tf.Tensor, a?: number) => tf.Tensor)(t, 1), [withSpecials(rand([5, 9]))]);
      parity(`${name} empty axis`, (t) => (f as (t: tf.Tensor, a?: number) => tf.Tensor)(t, 1), [rand([3, 0])]);
      if (name !== 'prod') gradParity(name, (t) => (f as (t: tf.Tensor, a?: number) => tf.Tensor)(t, 0), [rand([6, 3])]);
    });
  }
  test('big column reduction (bias gradient shape)', () => {
    parity('col sum', (t) => tf.sum(t, 0), [rand([2048, 300])], 1e-5, 1e-4);
  });
  test('softmax: rows, large logits, NaN, gradient', () => {
    parity('softmax', (t) => tf.softmax(t), [rand([7, 13], 5)]);
    const big = rand([3, 4], 1);
    (big.values as Float32Array).set([1000, 999, -1000, 0, NaN, 1, 2, 3, -Infinity, 0, 0, 0]);
    parity('softmax specials', (t) => tf.softmax(t), [big]);
    gradParity('softmax', (t) => tf.softmax(t), [rand([4, 6, 5])]);
    gradParity('logSoftmax', (t) => tf.logSoftmax(t), [rand([4, 9])]);
  });
  test('transpose: permutations of float32 and int32, size-1 and empty axes', () => {
    const x = rand([2, 3, 4, 5]);
    for (const perm of [[0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2], [2, 3, 0, 1], [0, 1, 2, 3]]) {
      parity(`transpose ${perm}`, (t) => tf.transpose(t, perm), [x]);
    }
    parity('transpose big 2d', (t) => tf.transpose(t), [rand([300, 257])]);
    parity('transpose int', (t) => tf.transpose(t, [1, 0]).cast('float32'), [ints([2, 3], [1, 2, 3, 4, 5, 6])]);
    parity('transpose size-1', (t) => tf.transpose(t, [2, 0, 1]), [rand([1, 5, 1])]);
    parity('transpose empty', (t) => tf.transpose(t, [1, 0]), [rand([0, 5])]);
    gradParity('transpose', (t) => tf.transpose(t, [0, 2, 1]), [rand([2, 3, 4])]);
  });
  test('collapsePermutation merges axes that move together', () => {
    assert.deepEqual(collapsePermutation([32, 64, 3, 64], [0, 2, 1, 3]), { shape: [32, 64, 3, 64], perm: [0, 2, 1, 3] });
    assert.deepEqual(collapsePermutation([2, 3, 4, 5], [2, 3, 0, 1]), { shape: [6, 20], perm: [1, 0] });
    assert.deepEqual(collapsePermutation([1, 5, 1], [2, 0, 1]), { shape: [5], perm: [0] });
  });
  test('collapseBroadcast merges contiguous dims and zeroes broadcast strides', () => {
    const c = collapseBroadcast([4, 5, 6], [4, 5, 6], [6]);
    assert.deepEqual([...c.shape], [20, 6]);
    assert.deepEqual([...c.aStr], [6, 1]);
    assert.deepEqual([...c.bStr], [0, 1]);
  });
});

describe('gather and segment sums', () => {
  test('gather rows, columns and int32 tables, with gradient', () => {
    const idx = ints([5], [3, 0, 3, 1, 2]);
    parity('gather axis0', (x, i) => tf.gather(x, i), [rand([4, 6]), idx]);
    parity('gather axis1', (x, i) => tf.gather(x, i, 1), [rand([2, 4, 3]), idx]);
    parity('gather 2d idx', (x, i) => tf.gather(x, i.reshape([5, 1])), [rand([4, 6]), idx]);
    parity('gather int', (x, i) => tf.gather(x, i).cast('float32'), [ints([4], [10, 20, 30, 40]), idx]);
    gradParity('gather', (x) => tf.gather(x, tf.tensor1d([3, 0, 3, 1], 'int32')), [rand([4, 6])]);
  });
  test('gather of an out-of-range index throws like cpu', () => {
    tf.setBackend('native');
    assert.throws(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], 'int32')), /index value 3 is not in \[0, 2\]/);
  });
  test('unsortedSegmentSum with repeats, missing segments and dropped ids', () => {
    parity('segsum', (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 6), [rand([5, 3]), ints([5], [2, 0, 2, 5, 1])]);
    parity('segsum 1d', (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 3), [rand([5]), ints([5], [2, 0, 2, 0, 1])]);
    parity('segsum wide', (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 40), [rand([300, 200]), ints([300], Array.from({ length: 300 }, (_, i) => (i * 7) % 40))]);
    gradParity('segsum', (x) => tf.unsortedSegmentSum(x, tf.tensor1d([1, 0, 1, 2], 'int32'), 3), [rand([4, 5])]);
  });
});

describe('fused GELU', () => {
  test('geluTanh matches the composed formula on cpu, forward and gradient', () => {
    // Compared against the composed formula evaluated in float64 on cpu... which tfjs cannot
    // do, so: the fused kernels must agree with each other tightly and with the float32
    // composed formula within its own cancellation error (~3e-5 in the negative tail).
    const composed = (x: tf.Tensor) => x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1));
    const x = rand([2000], 3);
    const fused = onBoth((t) => [geluTanh(t), tf.grad((u: tf.Tensor) => geluTanh(u).mul(u).sum())(t)], [x]);
    const ref = onBoth((t) => [composed(t), tf.grad((u: tf.Tensor) => composed(u).mul(u).sum())(t)], [x]);
    assertClose(fused.native[0], fused.cpu[0], 'gelu native vs cpu kernel', 1e-5, 1e-7);
    assertClose(fused.native[1], fused.cpu[1], 'gelu grad native vs cpu kernel', 1e-4, 1e-6);
    assertClose(fused.native[0], ref.cpu[0], 'gelu native vs composed', 1e-5, 1e-6);
    assertClose(fused.native[1], ref.cpu[1], 'gelu grad native vs composed', 1e-4, 5e-5);
    // Hand-worked: gelu(1) = 0.5 (1 + tanh(0.79788 * 1.044715)) = 0.5 (1 + tanh(0.83356)) = 0.84119.
    const at1 = onBoth((t) => geluTanh(t), [{ shape: [1], values: Float32Array.of(1), dtype: 'float32' }]);
    assert.ok(Math.abs(at1.native[0][0] - 0.841192) < 1e-5, `gelu(1) = ${at1.native[0][0]}`);
  });
});

describe('scatter and pad', () => {
  test('ScatterNd sums duplicate rows, forward and gradient (the MoE combine)', () => {
    // Rows 0 and 2 of the updates both land in output row 1; output row 3 gets nothing.
    // tfjs-core has no ScatterNd gradient: through scatterAddRows / gatherRows, which use it.
    gradParity('scatterAddRows', (u) => scatterAddRows(u, tf.tensor1d([1, 0, 1, 2], 'int32'), 4), [rand([4, 6])]);
    gradParity('gatherRows', (x) => gatherRows(x, tf.tensor1d([2, 0, 2, 2, 1], 'int32')), [rand([3, 6])]);
    parity('scatterND 2-d index', (u) => tf.scatterND(tf.tensor2d([[0, 1], [2, 0], [0, 1]], [3, 2], 'int32'), u, [3, 2, 5]), [rand([3, 5])]);
    parity('scatterND scalars', (u) => tf.scatterND(tf.tensor2d([[4], [0], [4]], [3, 1], 'int32'), u, [6]), [rand([3])]);
    parity('scatterND wide', (u, i) => tf.scatterND(i.reshape([300, 1]), u, [41, 200]),
      [rand([300, 200]), ints([300], Array.from({ length: 300 }, (_, i) => (i * 7) % 41))]);
    parity('scatterND empty', (u) => tf.scatterND(tf.zeros([0, 1], 'int32'), u, [3, 4]), [rand([0, 4])]);
    // Hand-worked: [1, 2] and [10, 20] both into row 1 of 2 -> [[0, 0], [11, 22]].
    tf.setBackend('native');
    const y = tf.tidy(() => Array.from(tf.scatterND(tf.tensor2d([[1], [1]], [2, 1], 'int32'), tf.tensor2d([[1, 2], [10, 20]]), [2, 2]).dataSync()));
    assert.deepEqual(y, [0, 0, 11, 22]);
  });
  test('ScatterNd rejects an out-of-range index with tfjs-backend-cpu\'s message', () => {
    for (const backend of ['native', 'cpu']) {
      tf.setBackend(backend);
      assert.throws(() => tf.tidy(() => tf.scatterND(tf.tensor2d([[3]], [1, 1], 'int32'), tf.ones([1, 2]), [3, 2])),
        /Invalid indices: 3 does not index into 3,2/, backend);
    }
    tf.setBackend('native');
  });
  test('PadV2 and Tile on float32 and int32, any axes, constant values, gradients', () => {
    parity('pad rows', (x) => tf.pad(x, [[0, 1], [0, 0]]), [rand([5, 7])]);
    parity('pad all axes', (x) => tf.pad(x, [[1, 2], [0, 3], [2, 1]], 1.5), [rand([2, 3, 4])]);
    parity('pad 1-d', (x) => tf.pad(x, [[3, 0]], -2), [rand([4])]);
    parity('pad empty', (x) => tf.pad(x, [[1, 1], [2, 0]]), [rand([0, 3])]);
    parity('pad int32', (x) => tf.pad(x, [[1, 0], [0, 2]], 7).cast('float32'), [ints([2, 2], [1, -2, 3, 4])]);
    parity('pad NaN', (x) => tf.pad(x, [[1, 1], [1, 1]]), [withSpecials(rand([8, 9]))]);
    parity('tile frames', (x) => tf.tile(x, [1, 4, 1, 1, 1]), [rand([2, 1, 3, 3, 2])]);  // tfjs has no rank-5 tile gradient
    gradParity('tile all axes', (x) => tf.tile(x, [2, 3, 2]), [rand([2, 3, 4])]);
    parity('tile empty', (x) => tf.tile(x, [2, 3]), [rand([0, 3])]);
    parity('tile int32', (x) => tf.tile(x, [3, 1]).cast('float32'), [ints([2, 2], [1, -2, 3, 4])]);
    // The MoE combine drops its spare row with a slice, whose gradient is this pad.
    gradParity('slice grad', (x) => x.slice([0, 0], [6, 5]), [rand([7, 5])]);
  });
});

describe('concat, split and slice', () => {
  test('Concat along every axis, float32 and int32, forward and gradient', () => {
    gradParity('concat axis 1', (a, b, c) => tf.concat([a, b, c], 1), [rand([4, 3]), rand([4, 5]), rand([4, 2])]);
    gradParity('concat axis 0', (a, b) => tf.concat([a, b], 0), [rand([2, 3, 4]), rand([3, 3, 4])]);
    gradParity('concat last axis 3-d', (a, b) => tf.concat([a, b], -1), [rand([2, 3, 4]), rand([2, 3, 1])]);
    parity('concat with empty', (a, b) => tf.concat([a, b], 1), [rand([3, 0]), rand([3, 2])]);
    parity('concat int32', (a, b) => tf.concat([a, b], 1).cast('float32'), [ints([2, 1], [1, 2]), ints([2, 2], [3, 4, 5, 6])]);
    parity('concat NaN', (a, b) => tf.concat([a, b], 0), [withSpecials(rand([9, 3])), rand([1, 3])]);
  });
  test('SplitV and strided Slice copy the right boxes, forward and gradient', () => {
    gradParity('split 3 along 1', (x) => tf.concat(tf.split(x, 3, 1).map((t, i) => t.mul(i + 1)), 0), [rand([4, 9])]);
    gradParity('split sizes along 2', (x) => tf.concat(tf.split(x, [1, 3, 2], 2).map((t, i) => t.sum(2).mul(i + 1)), 1), [rand([2, 3, 6])]);
    gradParity('slice middle', (x) => x.slice([1, 2, 0], [2, 3, 4]), [rand([4, 6, 4])]);
    gradParity('slice inner', (x) => x.slice([0, 1, 1], [3, 2, 2]), [rand([3, 4, 5])]);
    parity('slice 1-d', (x) => x.slice([2], [3]), [rand([7])]);
    parity('slice empty', (x) => x.slice([1, 0], [0, 3]), [rand([3, 3])]);
    parity('slice int32', (x) => x.slice([0, 1], [2, 1]).cast('float32'), [ints([2, 2], [1, 2, 3, 4])]);
    // Hand-worked: rows 1..2, columns 1..2 of [[0,1,2],[3,4,5],[6,7,8]] -> [[4,5],[7,8]].
    tf.setBackend('native');
    const y = tf.tidy(() => Array.from(tf.range(0, 9).reshape([3, 3]).slice([1, 1], [2, 2]).dataSync()));
    assert.deepEqual(y, [4, 5, 7, 8]);
  });
});

describe('memory', () => {
  test('a forward+backward pass on native leaks no tensors', () => {
    tf.setBackend('native');
    const w = tf.variable(tf.randomNormal([8, 8], 0, 1, 'float32', 3));
    const x = tf.randomNormal([4, 6, 8], 0, 1, 'float32', 4);
    const step = () => tf.tidy(() => tf.grad((v: tf.Tensor) => tf.softmax(tf.matMul(x.reshape([24, 8]), v).reshape([4, 6, 8])).transpose([0, 2, 1]).sum())(w));
    step().dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step().dispose();
    assert.equal(tf.memory().numTensors, before);
    w.dispose(); x.dispose();
  });
});
