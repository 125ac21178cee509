/**
 * Parameters are plain trees of `tf.Variable` (STYLE.md point 2): no layer objects, no hidden
 * state. Initialisers draw from a seeded host `Rng`, so the same seed gives the same weights on
 * every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from './rng';

export type ParamTree = tf.Variable | { [key: string]: ParamTree } | ParamTree[];

/** Truncated-normal-ish draw (resampled beyond 2 std) scaled by `std`. */
function normalArray(rng: Rng, n: number, std: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    a[i] = z * std;
  }
  return a;
}

/** A variable drawn from N(0, std^2) truncated at 2 std. */
export function normalParam(rng: Rng, shape: number[], std: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  // tidy disposes the initial tensor; the variable holds its own reference to the data.
  return tf.tidy(() => tf.variable(tf.tensor(normalArray(rng, n, std), shape, 'float32')));
}

/** LeCun-normal init for a [..., fanIn, fanOut] weight (fan-in scaling keeps activations unit scale). */
export function denseParam(rng: Rng, shape: number[]): tf.Variable {
  const fanIn = shape[shape.length - 2];
  return normalParam(rng, shape, 1 / Math.sqrt(fanIn) / 0.8796);
}

export function constParam(shape: number[], value: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value, 'float32')));
}

/**
 * Flattens a tree into `path -> Variable` with slash-separated paths, in a stable order
 * (object keys sorted), which is also the order of checkpoint entries.
 *
 * @example
 * ```ts
 * const t = { b: tf.variable(tf.zeros([2])), a: [tf.variable(tf.ones([1]))] };
 * Object.keys(flattenParams(t)); // ['a/0', 'b']
 * ```
 */
export function flattenParams(tree: ParamTree, prefix = ''): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  const walk = (node: ParamTree, path: string): void => {
    if (node instanceof tf.Variable) {
      out[path] = node;
    } else if (Array.isArray(node)) {
      node.forEach((c, i) => walk(c, path ? `${path}/${i}` : String(i)));
    } else {
      for (const k of Object.keys(node).sort()) walk(node[k], path ? `${path}/${k}` : k);
    }
  };
  walk(tree, prefix);
  return out;
}

/** Total number of scalars in a tree. */
export function countParams(tree: ParamTree): number {
  return Object.values(flattenParams(tree)).reduce((a, v) => a + v.size, 0);
}

/** Disposes every variable of a tree. */
export function disposeParams(tree: ParamTree): void {
  for (const v of Object.values(flattenParams(tree))) v.dispose();
}
