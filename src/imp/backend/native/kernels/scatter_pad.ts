/**
 * ScatterNd (summing duplicates), PadV2 and Tile: the MoE combine (`scatterAddRows`), the
 * gradient of `gatherRows`, the gradient of the slice that drops the combine's spare row, and
 * the frame repeat that turns images into one-tubelet clips.
 * tfjs-backend-cpu does both element by element through index arrays (PadV2 converts every
 * element's flat index to coordinates and back: ~15 ms for one [2048, 192] pad); here ScatterNd
 * is the addon's threaded segment sum over the flattened slice indices, and PadV2 copies whole
 * innermost rows with TypedArray.set; Tile repeats whole contiguous blocks, one axis at a time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, f32, i32, KernelArgs, outF32, sizeOf, word } from '../util';

export function scatterPadKernels(addon: NativeAddon): tf.KernelConfig[] {
  const cpuScatter = cpuKernel(tf.ScatterNd);
  const cpuPad = cpuKernel(tf.PadV2);
  const cpuTile = cpuKernel(tf.Tile);

  const scatterNd = (args: KernelArgs): tf.TensorInfo => {
    const { indices, updates } = args.inputs;
    const { shape } = args.attrs as unknown as tf.ScatterNdAttrs;
    const vi = i32(args.backend, indices), vu = f32(args.backend, updates);
    if (!vi || !vu || updates.shape.length === 0) return cpuScatter(args) as tf.TensorInfo;
    const { sliceRank, numUpdates, sliceSize, strides, outputSize } =
      tf.backend_util.calculateShapes(updates as tf.Tensor, indices as tf.Tensor, shape);
    const rows = sliceSize === 0 ? 0 : outputSize / sliceSize;
    const flat = new Int32Array(numUpdates);
    for (let i = 0; i < numUpdates; i++) {
      let f = 0;
      for (let j = 0; j < sliceRank; j++) f += vi[i * sliceRank + j] * strides[j];
      if (f < 0 || f >= rows) {
        // tfjs-backend-cpu's message, so behaviour does not depend on the backend.
        const index = Array.from(vi.subarray(i * sliceRank, (i + 1) * sliceRank));
        throw new Error(`Invalid indices: ${index} does not index into ${shape}`);
      }
      flat[i] = f;
    }
    const out = outF32(outputSize);
    if (outputSize > 0) addon.segmentSum(vu, flat, out, numUpdates, sliceSize, rows);
    return args.backend.makeTensorInfo(shape, 'float32', out);
  };

  const padV2 = (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
    const vx = word(args.backend, x);
    if (!vx || x.shape.length === 0) return cpuPad(args) as tf.TensorInfo;
    const rank = x.shape.length;
    const outShape = paddings.map((p, i) => p[0] + x.shape[i] + p[1]);
    const size = sizeOf(outShape);
    const out = x.dtype === 'float32' ? outF32(size) : new Int32Array(size);
    out.fill(constantValue);
    const inner = x.shape[rank - 1];
    const rows = inner === 0 ? 0 : vx.length / inner;
    const outStrides = tf.util.computeStrides(outShape);
    // Offset of the first copied element, then each input row lands at its coordinates + before-pads.
    let base = paddings[rank - 1][0];
    for (let d = 0; d < rank - 1; d++) base += paddings[d][0] * outStrides[d];
    const coord = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let r = 0; r < rows; r++) {
      let off = base;
      for (let d = 0; d < rank - 1; d++) off += coord[d] * outStrides[d];
      out.set(vx.subarray(r * inner, (r + 1) * inner), off);
      for (let d = rank - 2; d >= 0; d--) {  // next row: odometer over the outer input dims
        if (++coord[d] < x.shape[d]) break;
        coord[d] = 0;
      }
    }
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  };

  const tile = (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const vx = word(args.backend, x);
    if (!vx || x.shape.length === 0 || reps.length !== x.shape.length) return cpuTile(args) as tf.TensorInfo;
    const shape = x.shape.slice();
    let cur: Float32Array | Int32Array = vx.slice();
    // Innermost axis first: tiling axis d repeats each outer index's contiguous [shape[d], ...] block.
    for (let d = shape.length - 1; d >= 0; d--) {
      if (reps[d] === 1) continue;
      const block = sizeOf(shape.slice(d)), outer = sizeOf(shape.slice(0, d));
      const next: Float32Array | Int32Array = x.dtype === 'float32' ? outF32(outer * block * reps[d]) : new Int32Array(outer * block * reps[d]);
      for (let o = 0; o < outer; o++) {
        const src = cur.subarray(o * block, (o + 1) * block);
        for (let r = 0; r < reps[d]; r++) next.set(src, (o * reps[d] + r) * block);
      }
      cur = next;
      shape[d] *= reps[d];
    }
    return args.backend.makeTensorInfo(shape, x.dtype, cur);
  };

  return [
    { kernelName: tf.Tile, backendName: 'native', kernelFunc: tile as unknown as tf.KernelFunc },
    { kernelName: tf.ScatterNd, backendName: 'native', kernelFunc: scatterNd as unknown as tf.KernelFunc },
    { kernelName: tf.PadV2, backendName: 'native', kernelFunc: padV2 as unknown as tf.KernelFunc },
  ];
}
