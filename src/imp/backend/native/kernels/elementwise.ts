/**
 * Elementwise kernels: broadcasting binary ops (arithmetic and comparisons) and unary maths on
 * float32. Other dtypes (int32 index arithmetic, bool) go to tfjs-backend-cpu unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { collapseBroadcast, cpuKernel, f32, KernelArgs, outF32, sizeOf } from '../util';

/** Op codes shared with native/src/kernels.h (BinaryOp, UnaryOp). */
const BINARY: Array<[string, number]> = [
  [tf.Add, 0], [tf.Sub, 1], [tf.Multiply, 2], [tf.RealDiv, 3], [tf.Maximum, 4], [tf.Minimum, 5],
  [tf.SquaredDifference, 6], [tf.Pow, 7],
  [tf.Less, 8], [tf.LessEqual, 9], [tf.Greater, 10], [tf.GreaterEqual, 11], [tf.Equal, 12], [tf.NotEqual, 13],
];
const UNARY: Array<[string, number]> = [
  [tf.Exp, 0], [tf.Log, 1], [tf.Neg, 2], [tf.Sqrt, 3], [tf.Rsqrt, 4], [tf.Square, 5], [tf.Tanh, 6],
  [tf.Sigmoid, 7], [tf.Relu, 8], [tf.Abs, 9], [tf.Reciprocal, 10], [tf.Erf, 11], [tf.Step, 12], [tf.Log1p, 13],
  [tf.Elu, 15], [tf.LeakyRelu, 16], [tf.Relu6, 17],
];

export function elementwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  const configs: tf.KernelConfig[] = [];
  for (const [name, op] of BINARY) {
    const fallback = cpuKernel(name);
    const compare = op >= 8;
    const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
      const { a, b } = args.inputs;
      const va = f32(args.backend, a), vb = f32(args.backend, b);
      if (!va || !vb) return fallback(args) as tf.TensorInfo;
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const size = sizeOf(outShape);
      const out = compare ? new Uint8Array(size) : outF32(size);
      if (size > 0) {
        const c = collapseBroadcast(outShape, a.shape, b.shape);
        addon.binary(op, va, vb, out, c.shape, c.aStr, c.bStr);
      }
      return args.backend.makeTensorInfo(outShape, compare ? 'bool' : 'float32', out);
    };
    configs.push({ kernelName: name, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  for (const [name, op] of UNARY) {
    const fallback = cpuKernel(name);
    const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
      const { x } = args.inputs;
      const vx = f32(args.backend, x);
      if (!vx) return fallback(args) as tf.TensorInfo;
      const attrs = (args.attrs ?? {}) as { alpha?: number };
      // Step's default alpha is 0; LeakyRelu's is 0.2 (tfjs-core passes it explicitly).
      const alpha = attrs.alpha ?? (name === tf.LeakyRelu ? 0.2 : 0);
      const out = outF32(vx.length);
      addon.unary(op, vx, out, vx.length, alpha);
      return args.backend.makeTensorInfo(x.shape, 'float32', out);
    };
    configs.push({ kernelName: name, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return configs;
}
