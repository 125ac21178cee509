/**
 * Softmax over the last axis in one pass per row (max, exp, normalise). Its gradient is built
 * by tfjs-core from Mul, Sum and Sub, which are native too.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, f32, KernelArgs, outF32 } from '../util';

export function softmaxKernels(addon: NativeAddon): tf.KernelConfig[] {
  const fallback = cpuKernel(tf.Softmax);
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const { logits } = args.inputs;
    const { dim } = args.attrs as unknown as tf.SoftmaxAttrs;
    const v = f32(args.backend, logits);
    const rank = logits.shape.length;
    const axis = dim < 0 ? dim + rank : dim;
    if (!v || rank === 0 || axis !== rank - 1) return fallback(args) as tf.TensorInfo;
    const cols = logits.shape[rank - 1];
    const out = outF32(v.length);
    if (cols > 0) addon.softmax(v, out, v.length / cols, cols);
    return args.backend.makeTensorInfo(logits.shape, 'float32', out);
  };
  return [{ kernelName: tf.Softmax, backendName: 'native', kernelFunc: kernelFunc as unknown as tf.KernelFunc }];
}
