/**
 * Concat, SplitV and Slice for 4-byte tensors as contiguous row copies (TypedArray.set of
 * subarrays). tfjs-backend-cpu moves non-contiguous slices element by element through index
 * arithmetic: splitting the packed q/k/v projection's gradient ([192, 576] into three
 * [192, 192]) took ~45 ms per layer there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuKernel, KernelArgs, outF32, sizeOf, word } from '../util';

type Words = Float32Array | Int32Array;
const alloc = (dtype: string, n: number): Words => (dtype === 'float32' ? outF32(n) : new Int32Array(n));

/**
 * Copies the box `begin`..`begin + size` of x (shape `shape`) into a fresh array, one innermost
 * row at a time; trailing axes taken whole are merged into the row first.
 */
export function sliceWords(x: Words, dtype: string, shape: number[], begin: number[], size: number[]): Words {
  const out = alloc(dtype, sizeOf(size));
  if (out.length === 0) return out;
  // Merge trailing axes that are taken whole into one longer innermost row.
  let r = shape.length - 1;
  while (r > 0 && begin[r] === 0 && size[r] === shape[r]) r--;
  const strides = tf.util.computeStrides(shape).concat([1]);
  const row = sizeOf(size.slice(r));  // contiguous elements per copy
  const rows = out.length / row;
  const coord = new Array<number>(r).fill(0);
  for (let i = 0; i < rows; i++) {
    let off = begin[r] * strides[r];
    for (let d = 0; d < r; d++) off += (begin[d] + coord[d]) * strides[d];
    out.set(x.subarray(off, off + row), i * row);
    for (let d = r - 1; d >= 0; d--) {  // odometer over the outer axes of the box
      if (++coord[d] < size[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

export function concatSplitKernels(): tf.KernelConfig[] {
  const cpuConcat = cpuKernel(tf.Concat);
  const cpuSplit = cpuKernel(tf.SplitV);
  const cpuSlice = cpuKernel(tf.Slice);

  const concat = (args: KernelArgs): tf.TensorInfo => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const { axis } = args.attrs as unknown as tf.ConcatAttrs;
    const dtype = inputs[0]?.dtype;
    const views = inputs.map((t) => word(args.backend, t));
    if (!inputs.length || inputs.some((t) => t.dtype !== dtype) || views.some((v) => !v)) {
      return cpuConcat(args) as tf.TensorInfo;
    }
    const ax = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), ax);
    const out = alloc(dtype, sizeOf(outShape));
    const outer = sizeOf(outShape.slice(0, ax)), outRow = sizeOf(outShape.slice(ax));
    let col = 0;
    inputs.forEach((t, i) => {
      const v = views[i] as Words, w = sizeOf(t.shape.slice(ax));
      for (let o = 0; o < outer && w > 0; o++) out.set(v.subarray(o * w, (o + 1) * w), o * outRow + col);
      col += w;
    });
    return args.backend.makeTensorInfo(outShape, dtype, out);
  };

  const splitV = (args: KernelArgs): tf.TensorInfo[] => {
    const { x } = args.inputs;
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const v = word(args.backend, x);
    if (!v) return cpuSplit(args) as tf.TensorInfo[];
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const out = sliceWords(v, x.dtype, x.shape, begin, size);
      begin[ax] += s;
      return args.backend.makeTensorInfo(size, x.dtype, out);
    });
  };

  const slice = (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const v = word(args.backend, x);
    if (!v || x.shape.length === 0) return cpuSlice(args) as tf.TensorInfo;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
    // A slice that is one contiguous range is a view in tfjs-backend-cpu (no copy): keep that.
    if (tf.slice_util.isSliceContinous(x.shape, b, s)) return cpuSlice(args) as tf.TensorInfo;
    return args.backend.makeTensorInfo(s, x.dtype, sliceWords(v, x.dtype, x.shape, b, s));
  };

  return [
    { kernelName: tf.Concat, backendName: 'native', kernelFunc: concat as unknown as tf.KernelFunc },
    { kernelName: tf.SplitV, backendName: 'native', kernelFunc: splitV as unknown as tf.KernelFunc },
    { kernelName: tf.Slice, backendName: 'native', kernelFunc: slice as unknown as tf.KernelFunc },
  ];
}
