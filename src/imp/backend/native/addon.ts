/**
 * Loads the C++ addon built from native/ (node-gyp, OpenBLAS). Returns null, with the reason
 * kept in `addonError()`, when it was not built here, so the library keeps working on the
 * JavaScript backends.
 *
 * @example
 * ```ts
 * import { loadAddon } from './addon';
 * const addon = loadAddon();
 * if (addon) console.log(addon.blasConfig());
 * ```
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The functions the addon exports; every array argument is used in place, without copies. */
export interface NativeAddon {
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number,
    m: number, n: number, k: number, transA: boolean, transB: boolean, bias?: Float32Array | null): void;
  biasAct(out: Float32Array, bias: Float32Array | null, rows: number, n: number, biasMode: number,
    act: number, alpha: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array | Uint8Array,
    shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, n: number, alpha: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array, pre: number, red: number, post: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  transpose(x: Float32Array | Int32Array, out: Float32Array | Int32Array, shape: Int32Array, perm: Int32Array): void;
  gather(x: Float32Array | Int32Array, idx: Int32Array, out: Float32Array | Int32Array, outer: number,
    axis: number, inner: number, nIdx: number): number;
  segmentSum(x: Float32Array, seg: Int32Array, out: Float32Array, n: number, inner: number, numSegments: number): void;
  gelu(x: Float32Array, out: Float32Array, n: number): void;
  geluGrad(x: Float32Array, dy: Float32Array, out: Float32Array, n: number): void;
  layerNorm(x: Float32Array, scale: Float32Array, bias: Float32Array | null, out: Float32Array, rows: number, d: number,
    eps: number): void;
  layerNormGrad(x: Float32Array, scale: Float32Array, dy: Float32Array, dx: Float32Array, dscale: Float32Array,
    dbias: Float32Array | null, rows: number, d: number, eps: number): void;
  /** q, k, v: rows of `ldIn` floats (views into one packed buffer when ldIn = 3 heads dh). */
  attention(q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array | null, out: Float32Array,
    batch: number, n: number, heads: number, dh: number, scale: number, ldIn: number, ldOut: number): void;
  attentionGrad(q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array | null, dy: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, batch: number, n: number, heads: number, dh: number,
    scale: number, ldIn: number, ldOut: number): void;
  adamw(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array | null, outP: Float32Array,
    outM: Float32Array, outV: Float32Array, n: number, lr: number, b1: number, b2: number, bc1: number, bc2: number,
    eps: number, wd: number, scale: number): void;
  setThreads(n: number): void;
  /** GEMMs split across the kernel pool with OpenBLAS single-threaded (default), or OpenBLAS's threads. */
  setPoolGemm(on: boolean): void;
  getThreads(): { blas: number; pool: number; poolGemm: boolean };
  blasConfig(): string;
  tuneMalloc(): boolean;
}

let cached: NativeAddon | null | undefined;
let loadError = '';

/** Where the addon is looked for: $IMP_NATIVE_ADDON, else native/build/Release above this file. */
export function addonCandidates(): string[] {
  const out: string[] = [];
  if (process.env.IMP_NATIVE_ADDON) out.push(process.env.IMP_NATIVE_ADDON);
  // This file sits at src/imp/backend/native (or dist/src/...): walk up to the package root.
  let dir = __dirname;
  for (let i = 0; i < 7; i++) {
    out.push(path.join(dir, 'native', 'build', 'Release', 'imp_native.node'));
    dir = path.dirname(dir);
  }
  return out;
}

/** The addon, or null when it is not built (see `addonError()` for why). Loaded once. */
export function loadAddon(): NativeAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  const tried: string[] = [];
  for (const file of addonCandidates()) {
    if (!fs.existsSync(file)) { tried.push(file); continue; }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      // $IMP_GEMM_THREADS=openblas gives GEMMs OpenBLAS's own threads instead of the pool's.
      addon.setPoolGemm(process.env.IMP_GEMM_THREADS !== 'openblas');
      addon.setThreads(defaultThreads());
      if (process.env.IMP_NATIVE_MALLOC !== 'default') addon.tuneMalloc();
      cached = addon;
      return cached;
    } catch (e) {
      loadError = `${file}: ${(e as Error).message}`;
      return null;
    }
  }
  loadError = `addon not built (looked for ${tried[tried.length > 1 ? 1 : 0] ?? 'native/build/Release/imp_native.node'}); ` +
    'build it with `npm rebuild imp-lab` or `cd native && npx node-gyp rebuild --nodedir=/usr` (needs libopenblas-dev, g++, make)';
  return null;
}

/** Why the addon did not load ('' when it did or was not tried). */
export function addonError(): string {
  return loadError;
}

/** Threads for OpenBLAS and the kernel pool: $IMP_NUM_THREADS, else the number of cores. */
export function defaultThreads(): number {
  const env = Number(process.env.IMP_NUM_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, os.cpus().length);
}
