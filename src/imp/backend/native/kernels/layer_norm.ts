/**
 * LayerNorm over the last axis as one kernel (`ImpLayerNorm`: normalise, scale, bias) with a
 * one-kernel gradient (`ImpLayerNormGrad`: dx, dscale, dbias), instead of the ~7 kernels forward
 * and ~20 backward of the composed formula. Registered for `native` (C++) and `cpu` (a JS loop);
 * other backends use the composed formula through `layerNormFused()` in ../../ops.ts.
 *
 * Inputs: x [..., D] float32, scale and bias (optional) of D elements whose shape broadcasts to
 * [D] (for example [D] or [1, D]); attrs: eps. The gradient recomputes each row's mean and
 * 1/std from x instead of keeping them: one more pass over x, no extra tensors alive.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { asF32, KernelArgs, outF32 } from '../util';

export const LAYER_NORM = 'ImpLayerNorm';
export const LAYER_NORM_GRAD = 'ImpLayerNormGrad';

export interface LayerNormAttrs { eps: number }

function rowsAndWidth(x: tf.TensorInfo): { rows: number; d: number } {
  const d = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { rows: d === 0 ? 0 : size / d, d };
}

/** The composed formula's arithmetic (two-pass mean and variance), one row at a time. */
/** Mean and 1/std of row v[o .. o+d), rounded as the native kernel rounds them. */
function rowStats(v: Float32Array, o: number, d: number, eps: number): { mean: number; rstd: number } {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += v[o + j];
  const mean = Math.fround(sum / d);
  let ss = 0;
  for (let j = 0; j < d; j++) { const c = Math.fround(v[o + j] - mean); ss += c * c; }
  return { mean, rstd: Math.fround(1 / Math.sqrt(Math.fround(Math.fround(ss / d) + eps))) };
}

function cpuLayerNorm(args: KernelArgs): tf.TensorInfo {
  const { x, scale, bias } = args.inputs;
  const { eps } = args.attrs as unknown as LayerNormAttrs;
  const v = args.backend.data.get(x.dataId).values as Float32Array;
  const s = args.backend.data.get(scale.dataId).values as Float32Array;
  const b = bias ? args.backend.data.get(bias.dataId).values as Float32Array : null;
  const { rows, d } = rowsAndWidth(x);
  const out = outF32(v.length);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const { mean, rstd } = rowStats(v, o, d, eps);
    for (let j = 0; j < d; j++) out[o + j] = (v[o + j] - mean) * rstd * s[j] + (b ? b[j] : 0);
  }
  return args.backend.makeTensorInfo(x.shape, 'float32', out);
}

function cpuLayerNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const { x, scale, dy } = args.inputs;
  const { eps } = args.attrs as unknown as LayerNormAttrs;
  const v = args.backend.data.get(x.dataId).values as Float32Array;
  const s = args.backend.data.get(scale.dataId).values as Float32Array;
  const g = args.backend.data.get(dy.dataId).values as Float32Array;
  const { rows, d } = rowsAndWidth(x);
  const dx = outF32(v.length);
  const ds = new Float64Array(d), db = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const { mean, rstd } = rowStats(v, o, d, eps);
    let sg = 0, sgx = 0;
    for (let j = 0; j < d; j++) {
      const xh = (v[o + j] - mean) * rstd;
      const gs = g[o + j] * s[j];
      sg += gs;
      sgx += gs * xh;
      ds[j] += g[o + j] * xh;
      db[j] += g[o + j];
    }
    const mg = sg / d, mgx = sgx / d;
    for (let j = 0; j < d; j++) dx[o + j] = rstd * (g[o + j] * s[j] - mg - (v[o + j] - mean) * rstd * mgx);
  }
  return [
    args.backend.makeTensorInfo(x.shape, 'float32', dx),
    args.backend.makeTensorInfo(scale.shape, 'float32', Float32Array.from(ds)),
    args.backend.makeTensorInfo(scale.shape, 'float32', Float32Array.from(db)),
  ];
}

/** Registers the gradient (once, globally) and the cpu kernels. */
export function registerLayerNormKernelsCommon(): void {
  if (!tf.getGradient(LAYER_NORM)) {
    tf.registerGradient({
      kernelName: LAYER_NORM,
      inputsToSave: ['x', 'scale'],
      gradFunc: (dy, saved, attrs) => {
        const [x, scale] = saved;
        // One kernel for all three gradients, run here rather than in the per-input thunks: the
        // engine runs each thunk in its own tidy, which would dispose the other two outputs.
        const [dx, ds, db] = tf.engine().runKernel(LAYER_NORM_GRAD, { x, scale, dy: dy as tf.Tensor },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { x: () => dx, scale: () => ds, bias: () => db };
      },
    });
  }
  if (!tf.getKernel(LAYER_NORM, 'cpu')) {
    tf.registerKernel({ kernelName: LAYER_NORM, backendName: 'cpu', kernelFunc: cpuLayerNorm as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: LAYER_NORM_GRAD, backendName: 'cpu', kernelFunc: cpuLayerNormGrad as unknown as tf.KernelFunc });
  }
}

export function layerNormKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward = (args: KernelArgs): tf.TensorInfo => {
    const { x, scale, bias } = args.inputs;
    const { eps } = args.attrs as unknown as LayerNormAttrs;
    const v = asF32(args.backend, x);
    const { rows, d } = rowsAndWidth(x);
    const out = outF32(v.length);
    addon.layerNorm(v, asF32(args.backend, scale), bias ? asF32(args.backend, bias) : null, out, rows, d, eps);
    return args.backend.makeTensorInfo(x.shape, 'float32', out);
  };
  const backward = (args: KernelArgs): tf.TensorInfo[] => {
    const { x, scale, dy } = args.inputs;
    const { eps } = args.attrs as unknown as LayerNormAttrs;
    const v = asF32(args.backend, x);
    const { rows, d } = rowsAndWidth(x);
    const dx = outF32(v.length), ds = new Float32Array(d), db = new Float32Array(d);
    addon.layerNormGrad(v, asF32(args.backend, scale), asF32(args.backend, dy), dx, ds, db,
      rows, d, eps);
    return [
      args.backend.makeTensorInfo(x.shape, 'float32', dx),
      args.backend.makeTensorInfo(scale.shape, 'float32', ds),
      args.backend.makeTensorInfo(scale.shape, 'float32', db),
    ];
  };
  return [
    { kernelName: LAYER_NORM, backendName: 'native', kernelFunc: forward as unknown as tf.KernelFunc },
    { kernelName: LAYER_NORM_GRAD, backendName: 'native', kernelFunc: backward as unknown as tf.KernelFunc },
  ];
}
