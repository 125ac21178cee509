/**
 * Where a training step's time goes: per-kernel calls and milliseconds of one profiled step
 * (tf.profile), next to the median wall time of unprofiled steps, so the share spent outside
 * kernels (tfjs engine, tape, JS glue) shows. `--without` unregisters fused kernels on the
 * native backend so that before/after run in one process under the same machine load.
 *
 * Run: `npm run build && node dist/bench/profile.js ref-dense ref-moe-ec tiny-moe --steps 5`
 * (`--without ImpLayerNorm,ImpAttention,ImpAttentionMasked` for the composed paths;
 * `--compare K1,K2 --rounds R` alternates rounds with and without those kernels (tfjs
 * kernels are replaced by tfjs-backend-cpu's), a fair
 * before/after on a busy machine; `--backend B`; `--top N` rows; `--shapes` groups by kernel and input shapes).
 *
 * @example
 * ```ts
 * const p = await profileStep(() => step.run(), 5);
 * p.kernels[0]; // { name: '_FusedMatMul', calls: 42, ms: 310.2 }
 * ```
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/imp/backend';
import { createTrainer } from '../src/imp/train/trainer';
import { createRefStep, REF_CONFIGS, RefConfigName } from './ref_step';

export interface KernelRow { name: string; calls: number; ms: number }
export interface StepProfile {
  wallMs: number;      // median of unprofiled steps
  kernelCalls: number;
  kernelMs: number;    // sum over the profiled step's kernels
  kernels: KernelRow[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times `steps` unprofiled runs (after one warm-up) and profiles one more. */
export async function profileStep(run: () => unknown, steps: number, byShape = false): Promise<StepProfile> {
  run();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  // Reading every kernel's output to check for NaN would dominate the profile.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const info = await tf.profile(() => { run(); });
  const rows = new Map<string, KernelRow>();
  let kernelMs = 0;
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    // Op scopes (customGrad ops such as fusedMatMul__op) are listed too, around their kernels:
    // counting them would count those kernels twice.
    if (!tf.getKernel(k.name, backend)) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = byShape ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('')}` : k.name;
    const r = rows.get(key) ?? { name: key, calls: 0, ms: 0 };
    r.calls++;
    r.ms += ms;
    kernelMs += ms;
    rows.set(key, r);
  }
  return { wallMs: median(times), kernelCalls: [...rows.values()].reduce((a, r) => a + r.calls, 0), kernelMs, kernels: [...rows.values()].sort((a, b) => b.ms - a.ms) };
}

/** A step function for a reference config or the `tiny-moe` experiment. */
export function stepFor(name: string): { run: () => unknown; dispose: () => void } {
  if ((REF_CONFIGS as readonly string[]).includes(name)) {
    const s = createRefStep(name as RefConfigName, { seed: 0 });
    return { run: s.run, dispose: s.dispose };
  }
  const t = createTrainer({ experiment: name, seed: 0 });
  return { run: () => t.trainStep(), dispose: () => t.dispose() };
}

/**
 * Removes a kernel from a backend: the project's fused `Imp*` kernels simply go (their ops fall
 * back to the composed formula); a tfjs kernel is replaced by tfjs-backend-cpu's implementation.
 */
export function withoutKernel(name: string, backend: string): void {
  tf.unregisterKernel(name, backend);
  const cpu = tf.getKernel(name, 'cpu');
  if (!name.startsWith('Imp') && cpu && backend !== 'cpu') tf.registerKernel({ ...cpu, backendName: backend });
}

/**
 * Median step with and without the named kernels, alternating rounds of `steps` steps so that
 * machine load hits both alike. The kernels are unregistered and re-registered between rounds.
 */
export function compareKernels(run: () => unknown, kernels: string[], backend: string, rounds: number, steps: number):
  { withMs: number; withoutMs: number } {
  const configs = kernels.map((k) => tf.getKernel(k, backend)).filter((k): k is tf.KernelConfig => !!k);
  const on: number[] = [], off: number[] = [];
  const time = (into: number[]) => {
    run();  // one step to settle after switching
    for (let i = 0; i < steps; i++) { const t = performance.now(); run(); into.push(performance.now() - t); }
  };
  for (let r = 0; r < rounds; r++) {
    time(on);
    for (const k of configs) withoutKernel(k.kernelName, backend);
    time(off);
    for (const k of configs) {
      if (tf.getKernel(k.kernelName, backend)) tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return { withMs: median(on), withoutMs: median(off) };
}

async function main(argv: string[]): Promise<void> {
  const names: string[] = [];
  let steps = 5, top = 18, backend = 'native', rounds = 0, byShape = false;
  const without: string[] = [], compare: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--steps') steps = Number(argv[++i]);
    else if (a === '--top') top = Number(argv[++i]);
    else if (a === '--backend') backend = argv[++i];
    else if (a === '--without') without.push(...argv[++i].split(','));
    else if (a === '--compare') compare.push(...argv[++i].split(','));
    else if (a === '--rounds') rounds = Number(argv[++i]);
    else if (a === '--shapes') byShape = true;
    else names.push(a);
  }
  const got = await initBackend(backend);
  for (const k of without) withoutKernel(k, got);
  process.stdout.write(`backend ${got}${without.length ? ` without ${without.join(',')}` : ''}; ` +
    `${os.cpus().length} x ${os.cpus()[0]?.model}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  for (const name of names.length ? names : ['ref-dense']) {
    const s = stepFor(name);
    if (compare.length) {
      const c = compareKernels(s.run, compare, got, rounds || 4, steps);
      process.stdout.write(`${name}: median step with ${compare.join(',')} ${c.withMs.toFixed(0)} ms, without ${c.withoutMs.toFixed(0)} ms ` +
        `(${rounds || 4} alternating rounds of ${steps}; load ${os.loadavg()[0].toFixed(2)})\n`);
      s.dispose();
      continue;
    }
    const p = await profileStep(s.run, steps, byShape);
    s.dispose();
    process.stdout.write(`\n${name}: median step ${p.wallMs.toFixed(0)} ms over ${steps}; profiled step ${p.kernelCalls} kernel calls, ` +
      `${p.kernelMs.toFixed(0)} ms in kernels (${(100 * (1 - p.kernelMs / p.wallMs)).toFixed(0)} % of the median step outside them)\n`);
    for (const r of p.kernels.slice(0, top)) {
      process.stdout.write(`  ${r.name.padEnd(byShape ? 48 : 22)} ${String(r.calls).padStart(5)} calls ${r.ms.toFixed(1).padStart(8)} ms\n`);
    }
  }
  process.stdout.write(`load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => { process.stderr.write(`${e.stack ?? e.message}\n`); process.exit(1); });
}
