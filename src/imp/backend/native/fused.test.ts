// Parity of the fused LayerNorm and attention kernels with the composed formulas they replace,
// forward and gradient, on random and edge inputs: native (C++) and cpu (JS loop) kernels against
// the composed formula evaluated by tfjs-backend-cpu.
import '../../core/tf';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { addonError, loadAddon, registerNativeBackend } from './index';
import { layerNormComposed, layerNormFused, multiHeadAttention, multiHeadAttentionComposed, multiHeadAttentionPacked } from '../ops';

const rng = new Rng(11);
function rand(shape: number[], scale = 1, offset = 0): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => offset + rng.normal() * scale);
}

type F = (...xs: tf.Tensor[]) => tf.Tensor;

/** f's value and its gradients (of sum(f * w), w non-uniform) w.r.t. every input, on a backend. */
function valueAndGrads(backend: string, f: F, inputs: Array<[Float32Array, number[]]>): Float32Array[] {
  tf.setBackend(backend);
  const out = tf.tidy(() => {
    const xs = inputs.map(([v, s]) => tf.tensor(v, s));
    const y = f(...xs);
    const w = tf.range(0, y.size).reshape(y.shape).mul(0.37).sin();
    const g = tf.grads((...ys: tf.Tensor[]) => f(...ys).mul(w).sum())(xs);
    return [y, ...g].map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  });
  tf.setBackend('native');
  return out;
}

function assertClose(got: Float32Array, want: Float32Array, what: string, rtol: number, atol: number): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g)) assert.ok(Number.isNaN(w) && Number.isNaN(g), `${what}[${i}]: got ${g}, want ${w}`);
    else assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w), `${what}[${i}]: got ${g}, want ${w}`);
  }
}

/** Fused on native and on cpu against the composed formula on cpu: value and every gradient. */
function fusedParity(what: string, fused: F, composed: F, inputs: Array<[Float32Array, number[]]>, rtol = 1e-4, atol = 1e-4): void {
  const want = valueAndGrads('cpu', composed, inputs);
  for (const backend of ['native', 'cpu']) {
    const got = valueAndGrads(backend, fused, inputs);
    assert.equal(got.length, want.length);
    got.forEach((g, i) => assertClose(g, want[i], `${what} on ${backend}, ${i === 0 ? 'value' : `grad ${i - 1}`}`, rtol, atol));
  }
}

before(async () => {
  assert.ok(registerNativeBackend(), `native addon did not load: ${addonError()}`);
  await tf.setBackend('native');
});

describe('fused LayerNorm', () => {
  const ln = (x: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => layerNormFused(x, s, b);
  const lnRef = (x: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => layerNormComposed(x, s, b);

  test('hand-worked row: [1, 3] -> [-1, 1] * scale + bias', () => {
    // mean 2, biased variance ((1-2)^2 + (3-2)^2) / 2 = 1, so x-hat = [-1, 1] (eps 1e-6 changes
    // it by 5e-7); times scale [2, 3] plus bias [0.5, -1] = [-1.5, 2].
    for (const backend of ['native', 'cpu']) {
      tf.setBackend(backend);
      const y = tf.tidy(() => layerNormFused(tf.tensor2d([[1, 3]]), tf.tensor1d([2, 3]), tf.tensor1d([0.5, -1])).dataSync());
      assertClose(Float32Array.from(y), Float32Array.of(-1.5, 2), `hand-worked on ${backend}`, 0, 2e-6);
    }
    tf.setBackend('native');
  });

  test('random rows, transformer width, forward and gradient (x, scale, bias)', () => {
    fusedParity('ln [4,16,192]', ln, lnRef, [[rand([4, 16, 192]), [4, 16, 192]], [rand([192], 0.5, 1), [192]], [rand([192]), [192]]]);
  });

  test('without bias, scale shaped [1, D], and a 4-D input (query/key norm)', () => {
    fusedParity('ln no bias', (x, s) => layerNormFused(x, s), (x, s) => layerNormComposed(x, s),
      [[rand([3, 2, 5, 8]), [3, 2, 5, 8]], [rand([1, 8], 0.5, 1), [1, 8]]]);
  });

  test('edge inputs: width 1, width 2, large offset, tiny variance, one row', () => {
    // Width 1: x-hat is 0, so y = bias and dx = 0.
    fusedParity('ln d=1', ln, lnRef, [[rand([7, 1]), [7, 1]], [rand([1]), [1]], [rand([1]), [1]]]);
    fusedParity('ln d=2', ln, lnRef, [[rand([5, 2]), [5, 2]], [rand([2]), [2]], [rand([2]), [2]]]);
    // Offset 1e3 with unit spread: the two-pass variance keeps its precision.
    fusedParity('ln offset', ln, lnRef, [[rand([6, 64], 1, 1e3), [6, 64]], [rand([64]), [64]], [rand([64]), [64]]], 2e-3, 2e-3);
    // Spread 1e-4 (variance 1e-8 << eps): eps dominates, output small but finite.
    fusedParity('ln tiny var', ln, lnRef, [[rand([4, 32], 1e-4, 1), [4, 32]], [rand([32]), [32]], [rand([32]), [32]]], 1e-3, 1e-4);
    fusedParity('ln one row', ln, lnRef, [[rand([1, 300]), [1, 300]], [rand([300]), [300]], [rand([300]), [300]]]);
  });

  test('NaN in a row poisons that row only; zero rows give empty outputs and zero parameter grads', () => {
    const x = rand([3, 8]);
    x[9] = NaN;  // row 1
    for (const backend of ['native', 'cpu']) {
      tf.setBackend(backend);
      const y = tf.tidy(() => Float32Array.from(layerNormFused(tf.tensor2d(x, [3, 8]), tf.ones([8]), tf.zeros([8])).dataSync()));
      assert.ok(y.slice(8, 16).every(Number.isNaN), `${backend}: row 1 is NaN`);
      assert.ok([...y.slice(0, 8), ...y.slice(16)].every(Number.isFinite), `${backend}: rows 0 and 2 finite`);
      const [dx, ds, db] = tf.tidy(() => tf.grads((a: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => layerNormFused(a, s, b).sum())(
        [tf.zeros([0, 8]), tf.ones([8]), tf.zeros([8])]).map((t) => Float32Array.from(t.dataSync())));
      assert.equal(dx.length, 0);
      assert.deepEqual([...ds, ...db], new Array(16).fill(0), `${backend}: zero-row parameter grads`);
    }
    tf.setBackend('native');
  });

  test('inputs cast from comparisons (Uint8Array storage) are read, not dropped', () => {
    // greater(0).toFloat() keeps the bool tensor's Uint8Array behind a float32 tensor here.
    const xv = rand([3, 6]), fv = rand([6]);
    const run = (backend: string, f: (x: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.Tensor) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor2d(xv, [3, 6]);
        const flags = tf.tensor1d(fv).greater(0).toFloat();  // 0/1 values
        return Float32Array.from(f(x.greater(0).toFloat(), flags.add(1), flags).dataSync());
      });
    };
    const want = run('cpu', (x, s, b) => layerNormComposed(x, s, b));
    assertClose(run('native', (x, s, b) => layerNormFused(x, s, b)), want, 'ln from casts', 1e-5, 1e-5);
    tf.setBackend('native');
  });

  test('a scale that does not broadcast as one row takes the composed path with the same result', () => {
    // scale [4, 1, 6] against x [4, 5, 6]: per-batch scales, not a row parameter.
    fusedParity('ln per-batch scale', (x, s) => layerNormFused(x, s), (x, s) => layerNormComposed(x, s),
      [[rand([4, 5, 6]), [4, 5, 6]], [rand([4, 1, 6]), [4, 1, 6]]]);
  });

  test('the parameter gradients do not depend on the thread split (bitwise equal on repeat)', () => {
    const x = tf.tensor(rand([257, 48]), [257, 48]), s = tf.tensor(rand([48])), b = tf.tensor(rand([48]));
    const run = () => tf.tidy(() => tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => layerNormFused(a, c, d).square().sum())([x, s, b])
      .map((t) => Array.from(t.dataSync())));
    assert.deepEqual(run(), run());
    tf.dispose([x, s, b]);
  });
});

describe('fused attention', () => {
  const att = (heads: number, masked: boolean) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, m?: tf.Tensor) =>
    multiHeadAttention(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, heads, masked ? m as tf.Tensor2D : undefined);
  const attRef = (heads: number, masked: boolean) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, m?: tf.Tensor) =>
    multiHeadAttentionComposed(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, heads, masked ? m as tf.Tensor2D : undefined);

  /** Native fused vs the composed formula on cpu (cpu has no fused attention kernel). */
  function attParity(what: string, b: number, n: number, d: number, heads: number, mask?: Float32Array, scale = 1): void {
    const inputs: Array<[Float32Array, number[]]> = [[rand([b, n, d], scale), [b, n, d]], [rand([b, n, d], scale), [b, n, d]], [rand([b, n, d]), [b, n, d]]];
    if (mask) inputs.push([mask, [b, n]]);
    const want = valueAndGrads('cpu', attRef(heads, !!mask), inputs);
    const got = valueAndGrads('native', att(heads, !!mask), inputs);
    // Gradients w.r.t. q, k, v only: the mask's is zero by definition in the fused op.
    for (let i = 0; i < 4; i++) assertClose(got[i], want[i], `${what} ${i === 0 ? 'value' : `grad ${'qkv'[i - 1]}`}`, 1e-4, 1e-4);
  }

  test('the kernel runs on native (not the fallback) and keeps q, k, v unchanged', () => {
    const q = tf.tensor(rand([2, 4, 6]), [2, 4, 6]) as tf.Tensor3D;
    const before = Array.from(q.dataSync());
    tf.tidy(() => {
      const start = tf.engine().state.numTensors;
      const y = multiHeadAttention(q, q, q, 2);
      // One kernel call: the output is the only new tensor (the composed path makes ~10).
      assert.equal(tf.engine().state.numTensors - start, 1);
      assert.deepEqual(y.shape, [2, 4, 6]);
    });
    assert.deepEqual(Array.from(q.dataSync()), before);
    q.dispose();
  });

  test('hand-worked: identical keys give the mean of the values', () => {
    // q anything, k all equal -> uniform softmax over N = 3 keys -> each output row is the mean
    // of v's rows: v rows [0, 3], [3, 6], [6, 0] (1 head, dh 2) -> [3, 3].
    const y = tf.tidy(() => Array.from(multiHeadAttention(tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]), tf.ones([1, 3, 2]) as tf.Tensor3D,
      tf.tensor3d([[[0, 3], [3, 6], [6, 0]]]), 1).dataSync()));
    assertClose(Float32Array.from(y), Float32Array.of(3, 3, 3, 3, 3, 3), 'uniform attention', 0, 1e-5);
  });

  test('reference shape (3 heads of 64), forward and gradient', () => attParity('att ref', 2, 64, 192, 3));
  test('odd sizes: N = 1, N = 7 with 5 heads of 3, large logits', () => {
    attParity('att n=1', 3, 1, 8, 2);
    attParity('att n=7', 2, 7, 15, 5);
    attParity('att large', 2, 9, 16, 2, undefined, 6);  // logits ~ +-30: softmax saturates
  });
  test('key mask: padded keys get no weight; a fully padded row matches the composed result', () => {
    const mask = Float32Array.from([1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);  // row 2 all padded
    attParity('att mask', 2, 10, 12, 3, mask);
  });
  test('packed q/k/v [B, N, 3D] matches the composed formula on the split tensors, with and without a mask', () => {
    const packedRef = (heads: number, masked: boolean) => (qkv: tf.Tensor, m?: tf.Tensor) => {
      const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[];
      return multiHeadAttentionComposed(q, k, v, heads, masked ? m as tf.Tensor2D : undefined);
    };
    const packed = (heads: number, masked: boolean) => (qkv: tf.Tensor, m?: tf.Tensor) =>
      multiHeadAttentionPacked(qkv as tf.Tensor3D, heads, masked ? m as tf.Tensor2D : undefined);
    for (const [b, n, d, heads] of [[2, 64, 192, 3], [3, 7, 15, 5], [1, 1, 4, 2]]) {
      const inputs: Array<[Float32Array, number[]]> = [[rand([b, n, 3 * d]), [b, n, 3 * d]]];
      const want = valueAndGrads('cpu', packedRef(heads, false), inputs);
      const got = valueAndGrads('native', packed(heads, false), inputs);
      got.forEach((g, i) => assertClose(g, want[i], `packed ${b}x${n}x${d} ${i === 0 ? 'value' : 'grad'}`, 1e-4, 1e-4));
    }
    const mask = Float32Array.from([1, 1, 0, 1, 0, 0, 0, 0]);  // batch 1 fully padded
    const inputs: Array<[Float32Array, number[]]> = [[rand([2, 4, 18]), [2, 4, 18]], [mask, [2, 4]]];
    const want = valueAndGrads('cpu', packedRef(2, true), inputs);
    const got = valueAndGrads('native', packed(2, true), inputs);
    for (let i = 0; i < 2; i++) assertClose(got[i], want[i], `packed masked ${i === 0 ? 'value' : 'grad'}`, 1e-4, 1e-4);
    // The packed op on cpu (no kernel: split + composed) agrees too.
    const cpu = valueAndGrads('cpu', packed(2, true), inputs);
    for (let i = 0; i < 2; i++) assertClose(cpu[i], want[i], `packed on cpu ${i}`, 1e-6, 1e-6);
  });

  test('NaN in one batch stays in that batch', () => {
    const q = rand([2, 4, 6]);
    q[3] = NaN;
    const y = tf.tidy(() => Array.from(multiHeadAttention(tf.tensor3d(q, [2, 4, 6]), tf.tensor3d(rand([2, 4, 6]), [2, 4, 6]),
      tf.tensor3d(rand([2, 4, 6]), [2, 4, 6]), 2).dataSync()));
    assert.ok(y.slice(0, 24).some(Number.isNaN), 'batch 0 has NaN');
    assert.ok(y.slice(24).every(Number.isFinite), 'batch 1 is finite');
  });
  test('training through the fused ops leaks no tensors', () => {
    const w = tf.variable(tf.tensor(rand([16, 16]), [16, 16]));
    const s = tf.variable(tf.ones([16])), b = tf.variable(tf.zeros([16]));
    const x = tf.tensor(rand([2, 5, 16]), [2, 5, 16]);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const opt = tf.train.sgd(0.1);
    const step = () => opt.minimize(() => {
      const h = layerNormFused(x, s, b).reshape([10, 16]).matMul(w).reshape([2, 5, 16]) as tf.Tensor3D;
      return multiHeadAttention(h, h, h, 4, mask).square().mean() as tf.Scalar;
    }, false, [w, s, b]);
    step();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, start);
    tf.dispose([w, s, b, x, mask]);
    opt.dispose();
  });
});

describe('native AdamW update', () => {
  test('matches the JavaScript loop of the optimizer bit for bit, with and without a gradient', () => {
    const addon = loadAddon();
    assert.ok(addon);
    const n = 70001;  // over one thread's grain, odd length
    const p = rand([n]), m = rand([n], 0.1), v = rand([n], 0.01).map(Math.abs), g = rand([n], 3);
    g[5] = 1e30;  // a huge gradient: v overflows float32 to Infinity, p then moves by 0
    const [lr, b1, b2, eps, wd, scale, t] = [1e-3, 0.9, 0.999, 1e-7, 1e-4, 0.5, 3];
    const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
    for (const grad of [g, null]) {
      const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let i = 0; i < n; i++) {  // the loop of applyAdamWHost in src/imp/train/optimizer.ts
        const gi = grad ? grad[i] * scale : 0;
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        want[1][i] = mi;
        want[2][i] = vi;
        want[0][i] = p[i] - lr * (mi / bc1 / (Math.sqrt(vi / bc2) + eps) + wd * p[i]);
      }
      const got = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      addon.adamw(p, m, v, grad, got[0], got[1], got[2], n, lr, b1, b2, bc1, bc2, eps, wd, scale);
      got.forEach((a, k) => assert.deepEqual(new Uint32Array(a.buffer), new Uint32Array(want[k].buffer), `output ${k}, grad ${!!grad}`));
    }
  });
});
