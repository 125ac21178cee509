/**
 * The `wasm` backend made fit for training in Node (DESIGN.md "Performance"):
 * 1. threads: tfjs switches wasm threads off in Node and hands the pthread workers their
 *    scripts as `blob:` URLs, which Node's worker_threads cannot load. We write the worker
 *    script and the module factory to files, point the blob URLs at them while the backend
 *    initialises, and set the XNNPACK thread count (tfjs would otherwise cap it at half the cores).
 * 2. matmul: stock wasm uses XNNPACK only for a plain 2-D matmul without transposes; batched
 *    or transposed operands fall to a scalar single-threaded loop. `BatchMatMul` is replaced by
 *    one that materialises transposes (wasm's Transpose kernel) and turns every case into 2-D
 *    XNNPACK matmuls (a shared right operand folds the batch into the rows).
 *
 * @example
 * ```ts
 * import { loadWasmBackend } from './wasm';
 * if (await loadWasmBackend({ threads: 2 })) await tf.setBackend('wasm');
 * ```
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors';

type WasmBackendLike = tf.KernelBackend & { disposeData(id: tf.DataId): boolean };
type Args = { inputs: Record<string, tf.TensorInfo>; backend: WasmBackendLike; attrs?: tf.NamedAttrMap };
type KernelFn = (args: Args) => tf.TensorInfo;

// The CommonJS module object itself (the namespace import is read-only), so that the wasm
// factory's require('os').cpus() sees the patch below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeOs = require('node:os') as { cpus: () => os.CpuInfo[] };

let loaded: Promise<boolean> | null = null;
let threadsInUse = 1;

/** Threads the wasm backend runs with ($IMP_WASM_THREADS, else the number of cores). */
export function wasmThreads(): number {
  return threadsInUse;
}

function kernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-backend-wasm has no kernel ${name}`);
  return k.kernelFunc as unknown as KernelFn;
}

/** Writes the pthread worker and module scripts where Node's worker_threads can load them. */
function writeThreadScripts(): { worker: string; main: string } {
  const dir = path.join(os.tmpdir(), `imp-lab-wasm-4.22.0-${process.getuid?.() ?? 0}`);
  fs.mkdirSync(dir, { recursive: true });
  const main = path.join(dir, 'tfjs-backend-wasm-threaded-simd.main.js');
  const worker = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as () => unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  // The worker receives the main script as a Blob and turns it into a blob: URL to import; in
  // Node it must be a file path, so its createObjectURL answers with the file written here.
  const shim = `globalThis.URL.createObjectURL = (b) => typeof b === 'string' ? b : ${JSON.stringify(main)};\n` +
    'globalThis.URL.revokeObjectURL = () => {};\n';
  const writeIfChanged = (file: string, text: string): void => {
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);  // atomic: concurrent processes never read half a file
    }
  };
  writeIfChanged(main, `var WasmBackendModuleThreadedSimd = ${factory.toString()};\n`);
  // The contents were a template literal, so its '\n' escapes became real newlines; undo that.
  writeIfChanged(worker, shim + wasmWorkerContents.replace(/\n/g, '\\n'));
  return { worker, main };
}

/**
 * BatchMatMul for wasm that never reaches the scalar path: transposes are materialised and
 * each batch runs as a 2-D, untransposed XNNPACK matmul.
 */
function makeBatchMatMul(stock: KernelFn): KernelFn {
  const transpose = kernel(tf.Transpose), reshape = kernel(tf.Reshape), slice = kernel(tf.Slice), concat = kernel(tf.Concat);
  return (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const backend = args.backend;
    const ra = a.shape.length, rb = b.shape.length;
    const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const batch = Math.max(batchA, batchB);
    const plain = ra === 2 && rb === 2 && !transposeA && !transposeB;
    const divisible = batchA > 0 && batchB > 0 && batch % batchA === 0 && batch % batchB === 0;
    const mm = transposeA ? a.shape[ra - 1] : a.shape[ra - 2], nn = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const kk = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    // Many small independent matmuls (attention): the ~5 kernel calls per batch that the
    // XNNPACK route costs exceed the scalar loop's time (measured 400 ms vs 45 ms for
    // 96 x 64^3), so those stay on the stock kernel.
    const smallBatched = batchB > 1 && mm * nn * kk < (1 << 20);
    if (plain || smallBatched || !divisible || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const temps: tf.TensorInfo[] = [];
    const keep = <T extends tf.TensorInfo>(t: T): T => { temps.push(t); return t; };
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const as3 = keep(reshape({ inputs: { x: a }, backend, attrs: { shape: [batchA, a.shape[ra - 2], a.shape[ra - 1]] } }));
    const bs3 = keep(reshape({ inputs: { x: b }, backend, attrs: { shape: [batchB, b.shape[rb - 2], b.shape[rb - 1]] } }));
    const a3 = transposeA ? keep(transpose({ inputs: { x: as3 }, backend, attrs: { perm: [0, 2, 1] } })) : as3; // [bA, M, K]
    const b3 = transposeB ? keep(transpose({ inputs: { x: bs3 }, backend, attrs: { perm: [0, 2, 1] } })) : bs3; // [bB, K, N]
    let out: tf.TensorInfo;
    if (batchB === 1) {
      // Shared right operand: one [bA*M, K] x [K, N] matmul.
      const a2 = keep(reshape({ inputs: { x: a3 }, backend, attrs: { shape: [batchA * m, k] } }));
      const b2 = keep(reshape({ inputs: { x: b3 }, backend, attrs: { shape: [k, n] } }));
      const o2 = keep(stock({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } }));
      out = reshape({ inputs: { x: o2 }, backend, attrs: { shape: [...outer, m, n] } });
    } else {
      const parts: tf.TensorInfo[] = [];
      for (let i = 0; i < batch; i++) {
        const ai = keep(slice({ inputs: { x: a3 }, backend, attrs: { begin: [i % batchA, 0, 0], size: [1, m, k] } }));
        const bi = keep(slice({ inputs: { x: b3 }, backend, attrs: { begin: [i % batchB, 0, 0], size: [1, k, n] } }));
        const a2 = keep(reshape({ inputs: { x: ai }, backend, attrs: { shape: [m, k] } }));
        const b2 = keep(reshape({ inputs: { x: bi }, backend, attrs: { shape: [k, n] } }));
        parts.push(keep(stock({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } })));
      }
      const joined = keep(concat({ inputs: parts as unknown as Record<string, tf.TensorInfo>, backend, attrs: { axis: 0 } }));
      out = reshape({ inputs: { x: joined }, backend, attrs: { shape: [...outer, m, n] } });
    }
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
}

/**
 * Loads tfjs-backend-wasm with threads and the matmul routing above, and initialises it.
 * Resolves false when the package or the threaded binary cannot load here. Idempotent.
 */
export function loadWasmBackend(opts: { threads?: number } = {}): Promise<boolean> {
  if (!loaded) loaded = load(opts);
  return loaded;
}

async function load(opts: { threads?: number }): Promise<boolean> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch {
    return false;
  }
  const env = Number(process.env.IMP_WASM_THREADS);
  const threads = opts.threads ?? (Number.isInteger(env) && env > 0 ? env : os.cpus().length);
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError('wasm.threads', threads, 'an integer >= 1');
  const useThreads = threads > 1 && typeof SharedArrayBuffer === 'function';
  const previous = tf.getBackend();
  const restore = { create: URL.createObjectURL, revoke: URL.revokeObjectURL, cpus: os.cpus };
  if (useThreads) {
    const files = writeThreadScripts();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    // During initialisation tfjs asks for a blob: URL of the worker script; give it the file.
    URL.createObjectURL = (obj: Blob | unknown) =>
      obj instanceof Blob && obj.type === 'application/javascript' ? files.worker : restore.create(obj as Blob);
    // The wasm side sizes its pool as min(requested, cores / 2), reading the cores from
    // os.cpus() in Node; report twice the requested count while it initialises.
    const real = restore.cpus();
    nodeOs.cpus = () => Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  }
  try {
    if (!(await tf.setBackend('wasm'))) return false;
  } catch {
    return false;
  } finally {
    URL.createObjectURL = restore.create;
    URL.revokeObjectURL = restore.revoke;
    nodeOs.cpus = restore.cpus;
  }
  threadsInUse = useThreads ? wasm.getThreadsCount() : 1;
  // Emscripten refs a pthread's worker while it runs, and XNNPACK's pool threads run forever:
  // unref them so that a script ends when its work does.
  const pthreads = (tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] } } }).wasm?.PThread;
  if (pthreads) for (const w of [...pthreads.runningWorkers, ...pthreads.unusedWorkers]) w.unref();
  if (process.env.IMP_WASM_MATMUL === 'stock') return true;
  const stock = kernel(tf.BatchMatMul);
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: makeBatchMatMul(stock) as unknown as tf.KernelFunc });
  if (previous && previous !== 'wasm') await tf.setBackend(previous);
  return true;
}
