/**
 * Transpose of 4-byte tensors (float32, int32). Axes that stay adjacent and in order are merged
 * first, so [B, T, H, D] -> [B, H, T, D] moves rows of D values, and a 2-D swap goes tile by tile.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, KernelArgs, outF32, outI32, word } from '../util';

/** Drops size-1 axes and merges runs of axes that the permutation keeps together. */
export function collapsePermutation(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const keep = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  const renum = new Map(keep.map((d, i) => [d, i]));
  const p = perm.filter((d) => shape[d] !== 1).map((d) => renum.get(d) as number);
  const s = keep.map((d) => shape[d]);
  // Group consecutive output axes whose input axes are consecutive too.
  const groups: number[][] = [];
  for (const d of p) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === d) g.push(d); else groups.push([d]);
  }
  const order = groups.map((g) => g[0]).sort((a, b) => a - b);
  const newIndex = new Map(order.map((first, i) => [first, i]));
  const newShape = new Array<number>(groups.length);
  for (const g of groups) newShape[newIndex.get(g[0]) as number] = g.reduce((acc, d) => acc * s[d], 1);
  return { shape: newShape, perm: groups.map((g) => newIndex.get(g[0]) as number) };
}

export function transposeKernels(addon: NativeAddon): tf.KernelConfig[] {
  const fallback = cpuKernel(tf.Transpose);
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const v = word(args.backend, x);
    if (!v || x.shape.length > 8) return fallback(args) as tf.TensorInfo;
    const outShape = perm.map((d) => x.shape[d]);
    const out = x.dtype === 'float32' ? outF32(v.length) : outI32(v.length);
    const c = collapsePermutation(x.shape, perm);
    if (c.shape.length <= 1) out.set(v);  // the permutation only moved size-1 axes
    else addon.transpose(v, out, Int32Array.from(c.shape), Int32Array.from(c.perm));
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  };
  return [{ kernelName: tf.Transpose, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc }];
}
