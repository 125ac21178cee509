/**
 * Sum, Mean, Max, Min and Prod over any axes of a float32 tensor. Contiguous axes reduce in
 * place as a [pre, red, post] view; scattered axes are first transposed to the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, f32, KernelArgs, outF32, sizeOf } from '../util';

const OPS: Array<[string, number]> = [[tf.Sum, 0], [tf.Mean, 1], [tf.Max, 2], [tf.Min, 3], [tf.Prod, 4]];

export function reduceKernels(addon: NativeAddon): tf.KernelConfig[] {
  return OPS.map(([name, op]) => {
    const fallback = cpuKernel(name);
    const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
      const { x } = args.inputs;
      const vx = f32(args.backend, x);
      if (!vx) return fallback(args) as tf.TensorInfo;
      // Sum/Mean/Prod name the axes `axis`; Max/Min name them `reductionIndices`.
      const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
      const keepDims = attrs.keepDims;
      // null means every axis (tf.sum(x)).
      const axisAttr = attrs.axis !== undefined ? attrs.axis : attrs.reductionIndices;
      const axes = tf.util.parseAxisParam(axisAttr as number | number[], x.shape).sort((p, q) => p - q);
      const [outShapeNoKeep] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const outShape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShapeNoKeep, axes) : outShapeNoKeep;
      const out = outF32(sizeOf(outShapeNoKeep));
      const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
      if (axes.length === 0) {
        out.set(vx);  // reducing over no axes is the identity
      } else if (contiguous) {
        const first = axes[0], last = axes[axes.length - 1];
        addon.reduce(op, vx, out, sizeOf(x.shape.slice(0, first)), sizeOf(x.shape.slice(first, last + 1)),
          sizeOf(x.shape.slice(last + 1)));
      } else {
        const keep = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
        const perm = keep.concat(axes);
        const moved = outF32(vx.length);
        addon.transpose(vx, moved, Int32Array.from(x.shape), Int32Array.from(perm));
        addon.reduce(op, moved, out, sizeOf(keep.map((d) => x.shape[d])), sizeOf(axes.map((d) => x.shape[d])), 1);
      }
      return args.backend.makeTensorInfo(outShape, 'float32', out);
    };
    return { kernelName: name, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
  });
}
