/**
 * Helpers shared by the native kernels: typed access to tfjs-backend-cpu storage, the cpu
 * kernel to fall back on, and shape collapsing so the C++ loops see the fewest dimensions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: MathBackendCPU;
  attrs?: tf.NamedAttrMap;
};

/** The Float32Array behind a float32 tensor, or null for any other dtype/storage. */
export function f32(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/**
 * A float32 tensor's values as a Float32Array: the storage itself, or a converted copy when the
 * storage is another typed array (a float32 tensor cast from a comparison keeps the comparison's
 * Uint8Array on cpu-based backends). For kernels that must not treat such an input as missing.
 */
export function asF32(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

/** The Int32Array behind an int32 tensor, or null. */
export function i32(backend: MathBackendCPU, t: tf.TensorInfo): Int32Array | null {
  if (t.dtype !== 'int32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Int32Array ? v : null;
}

/** A 4-byte-element view (float32 or int32) for kernels that only move data. */
export function word(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | Int32Array | null {
  return t.dtype === 'float32' ? f32(backend, t) : t.dtype === 'int32' ? i32(backend, t) : null;
}

/** The tfjs-backend-cpu implementation of a kernel, used where the native one does not apply. */
export function cpuKernel(name: string): (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`tfjs-backend-cpu has no kernel ${name}`);
  return k.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
}

export function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Broadcast strides of `shape` against `outShape` (0 where a dimension is broadcast), then
 * dimensions merged wherever both inputs stay contiguous across them.
 */
export function collapseBroadcast(outShape: number[], aShape: number[], bShape: number[]):
  { shape: Int32Array; aStr: Int32Array; bStr: Int32Array } {
  const rank = outShape.length;
  const strides = (s: number[]): number[] => {
    const padded = new Array(rank - s.length).fill(1).concat(s) as number[];
    const st = new Array<number>(rank);
    let acc = 1;
    for (let d = rank - 1; d >= 0; d--) {
      st[d] = padded[d] === 1 && outShape[d] !== 1 ? 0 : acc;
      acc *= padded[d];
    }
    return st;
  };
  const as = strides(aShape), bs = strides(bShape);
  const shape: number[] = [], aStr: number[] = [], bStr: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;  // size-1 dims move nothing
    const last = shape.length - 1;
    if (last >= 0 && aStr[last] === as[d] * outShape[d] && bStr[last] === bs[d] * outShape[d]) {
      shape[last] *= outShape[d];
      aStr[last] = as[d];
      bStr[last] = bs[d];
    } else {
      shape.push(outShape[d]);
      aStr.push(as[d]);
      bStr.push(bs[d]);
    }
  }
  if (shape.length === 0) { shape.push(1); aStr.push(0); bStr.push(0); }
  return { shape: Int32Array.from(shape), aStr: Int32Array.from(aStr), bStr: Int32Array.from(bStr) };
}

/**
 * A Float32Array for a kernel output that the kernel overwrites completely. Large ones skip
 * calloc's zero-fill (Buffer.allocUnsafeSlow), which is a full extra pass over memory.
 */
export function outF32(n: number): Float32Array {
  if (n < 2048) return new Float32Array(n);
  return new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
}

/** As outF32, for int32 outputs. */
export function outI32(n: number): Int32Array {
  if (n < 2048) return new Int32Array(n);
  return new Int32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
}
