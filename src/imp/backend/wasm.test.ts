// The wasm backend (threads in Node, matmul routed to XNNPACK) must compute what cpu computes.
import '../core/tf';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../core/rng';
import { loadWasmBackend, wasmThreads } from './wasm';

const rng = new Rng(11);
function rand(shape: number[]): { shape: number[]; values: Float32Array } {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { shape, values };
}

function onBoth(f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], inputs: Array<{ shape: number[]; values: Float32Array }>): Record<string, Float32Array[]> {
  const out: Record<string, Float32Array[]> = {};
  for (const b of ['wasm', 'cpu']) {
    tf.setBackend(b);
    out[b] = tf.tidy(() => {
      const r = f(...inputs.map((i) => tf.tensor(i.values, i.shape)));
      return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
    });
  }
  return out;
}

function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]), `${what}[${i}]: wasm ${got[i]}, cpu ${want[i]}`);
  }
}

before(async () => {
  assert.ok(await loadWasmBackend({ threads: 2 }), 'wasm backend did not load');
});

describe('wasm backend in Node', () => {
  test('runs with the requested threads', () => {
    assert.equal(wasmThreads(), 2);
  });
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[33, 20], [20, 17], false, false], [[20, 33], [20, 17], true, false], [[33, 20], [17, 20], false, true],
    [[20, 33], [17, 20], true, true], [[3, 33, 20], [20, 17], false, false], [[3, 20, 33], [17, 20], true, true],
    [[4, 130, 90], [4, 90, 100], false, false], [[4, 90, 130], [4, 100, 90], true, true], [[2, 8, 8], [2, 8, 8], false, true],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    // tfjs-core's BatchMatMul gradient does not reduce broadcast batch dims (on any backend).
    const grads = sa.slice(0, -2).join() === sb.slice(0, -2).join();
    test(`matMul ${sa} x ${sb} tA=${ta} tB=${tb} matches cpu${grads ? ', forward and gradient' : ''}`, () => {
      const r = onBoth((a, b) => [tf.matMul(a, b, ta, tb),
        ...(grads ? tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum())([a, b]) : [])],
        [rand(sa), rand(sb)]);
      r.cpu.forEach((want, i) => assertClose(r.wasm[i], want, `output ${i}`));
    });
  }
  test('the routed matmul leaks no tensors', () => {
    tf.setBackend('wasm');
    const a = tf.randomNormal([4, 130, 90]), b = tf.randomNormal([4, 100, 90]);
    tf.matMul(a, b, false, true).dispose();
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 3; i++) tf.matMul(a, b, false, true).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.memory().numBytes, bytes);
    a.dispose(); b.dispose();
  });
});
