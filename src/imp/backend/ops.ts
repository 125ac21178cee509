/**
 * Ops with a fused kernel on the native (and cpu) backend and a composed fallback elsewhere.
 *
 * @example
 * ```ts
 * import { geluTanh } from 'imp-lab';
 * geluTanh(tf.tensor1d([-1, 0, 1])).print(); // [-0.1588, 0, 0.8412]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { GELU_TANH, registerGeluKernelsCommon } from './native/kernels/gelu';

const C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). One kernel forward and one
 * backward where the backend has them (native, cpu); the composed formula elsewhere.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  registerGeluKernelsCommon();
  if (x.dtype === 'float32' && tf.getKernel(GELU_TANH, tf.getBackend())) {
    return tf.engine().runKernel(GELU_TANH, { x }, {}) as tf.Tensor;
  }
  return tf.tidy(() => x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(C).tanh().add(1)));
}
