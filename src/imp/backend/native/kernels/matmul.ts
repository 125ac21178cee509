/**
 * BatchMatMul and _FusedMatMul on OpenBLAS sgemm. Every transpose combination is passed to
 * sgemm as a flag (no copies); batches follow tfjs-backend-cpu's rule (input batch index =
 * output batch index modulo the input's batch size), and a shared right operand folds the
 * batch into one large GEMM.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { cpuKernel, f32, KernelArgs, outF32, sizeOf } from '../util';

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5 };

type MatMulPlan = { outShape: number[]; batchA: number; batchB: number; m: number; n: number; k: number };

/** Shapes of a (batched) matmul, with tfjs-core's errors for mismatched operands. */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): MatMulPlan {
  const ra = a.shape.length, rb = b.shape.length;
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  tf.util.assert(k === kb, () => `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ` +
    `${a.shape} and ${b.shape} and transposeA=${transA} and transposeB=${transB} must match.`);
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return {
    outShape: outer.concat([m, n]), batchA: sizeOf(a.shape.slice(0, -2)), batchB: sizeOf(b.shape.slice(0, -2)), m, n, k,
  };
}

function usable(p: MatMulPlan): boolean {
  const batch = Math.max(p.batchA, p.batchB);
  // The modulo rule only makes sense when one batch divides the other; otherwise defer to cpu.
  return p.batchA > 0 && p.batchB > 0 && batch % p.batchA === 0 && batch % p.batchB === 0;
}

export function matMulKernels(addon: NativeAddon): tf.KernelConfig[] {
  const cpuBatch = cpuKernel(tf.BatchMatMul);
  const cpuFused = cpuKernel(tf._FusedMatMul);

  const batchMatMul = (args: KernelArgs): tf.TensorInfo => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const va = f32(args.backend, a), vb = f32(args.backend, b);
    const p = plan(a, b, transposeA, transposeB);
    if (!va || !vb || !usable(p)) return cpuBatch(args) as tf.TensorInfo;
    const out = outF32(sizeOf(p.outShape));
    addon.matmul(va, vb, out, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB);
    return args.backend.makeTensorInfo(p.outShape, 'float32', out);
  };

  const fusedMatMul = (args: KernelArgs): tf.TensorInfo => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as tf._FusedMatMulAttrs;
    const va = f32(args.backend, a), vb = f32(args.backend, b);
    const p = plan(a, b, transposeA, transposeB);
    const act = ACTIVATIONS[activation ?? 'linear'];
    const vbias = bias ? f32(args.backend, bias) : null;
    const outSize = sizeOf(p.outShape);
    // Bias that is one row ([N], [1, N], ...) or the full output; anything else broadcasts
    // in ways the fused loop does not cover.
    const biasSize = bias ? sizeOf(bias.shape) : 0;
    const biasMode = !bias ? 0 : biasSize === p.n && bias.shape[bias.shape.length - 1] === p.n ? 1
      : biasSize === outSize && bias.shape.length === p.outShape.length ? 2 : -1;
    if (!va || !vb || !usable(p) || act === undefined || preluActivationWeights || biasMode < 0 ||
      (bias && !vbias)) {
      return cpuFused(args) as tf.TensorInfo;
    }
    const out = outF32(outSize);
    if (biasMode === 1 && act === 0) {
      // The GEMM accumulates onto the bias rows: no second pass over the output.
      addon.matmul(va, vb, out, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB, vbias);
      return args.backend.makeTensorInfo(p.outShape, 'float32', out);
    }
    addon.matmul(va, vb, out, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB);
    if (biasMode !== 0 || act !== 0) {
      addon.biasAct(out, vbias, outSize / Math.max(p.n, 1), p.n, biasMode, act, leakyreluAlpha ?? 0.2);
    }
    return args.backend.makeTensorInfo(p.outShape, 'float32', out);
  };

  return [
    { kernelName: tf.BatchMatMul, backendName: 'native', kernelFunc: batchMatMul as unknown as tf.KernelFunc },
    { kernelName: tf._FusedMatMul, backendName: 'native', kernelFunc: fusedMatMul as unknown as tf.KernelFunc },
  ];
}
