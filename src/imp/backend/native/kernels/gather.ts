/**
 * GatherV2 (batchDims 0) and UnsortedSegmentSum: the dispatch and combine of MoE routing and
 * the gradient of every gather. tfjs-backend-cpu's UnsortedSegmentSum builds one mask per
 * segment (O(segments x size)); this one is a single pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, f32, i32, KernelArgs, outF32, outI32, sizeOf, word } from '../util';

export function gatherKernels(addon: NativeAddon): tf.KernelConfig[] {
  const cpuGather = cpuKernel(tf.GatherV2);
  const cpuSegment = cpuKernel(tf.UnsortedSegmentSum);

  const gather = (args: KernelArgs): tf.TensorInfo => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const vx = word(args.backend, x), vi = i32(args.backend, indices);
    if (!vx || !vi || (batchDims ?? 0) !== 0) return cpuGather(args) as tf.TensorInfo;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    const out = x.dtype === 'float32' ? outF32(sizeOf(outShape)) : outI32(sizeOf(outShape));
    const bad = addon.gather(vx, vi, out, sizeOf(x.shape.slice(0, ax)), x.shape[ax], sizeOf(x.shape.slice(ax + 1)),
      vi.length);
    // Same message as tfjs-backend-cpu, so behaviour does not depend on the backend.
    tf.util.assert(bad < 0, () => `GatherV2: the index value ${vi[bad]} is not in [0, ${x.shape[ax] - 1}]`);
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  };

  const segmentSum = (args: KernelArgs): tf.TensorInfo => {
    const { x, segmentIds } = args.inputs;
    const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const vx = f32(args.backend, x), vs = i32(args.backend, segmentIds);
    const r = segmentIds.shape.length;
    const prefix = segmentIds.shape.every((d, i) => d === x.shape[i]);
    if (!vx || !vs || !prefix || r > x.shape.length) return cpuSegment(args) as tf.TensorInfo;
    const inner = sizeOf(x.shape.slice(r));
    const outShape = [numSegments, ...x.shape.slice(r)];
    const out = outF32(sizeOf(outShape));
    addon.segmentSum(vx, vs, out, vs.length, inner, numSegments);
    return args.backend.makeTensorInfo(outShape, 'float32', out);
  };

  return [
    { kernelName: tf.GatherV2, backendName: 'native', kernelFunc: gather as unknown as tf.KernelFunc },
    { kernelName: tf.UnsortedSegmentSum, backendName: 'native', kernelFunc: segmentSum as unknown as tf.KernelFunc },
  ];
}
