/**
 * The benchmark: reference training steps on every available tfjs backend against the PyTorch
 * peer (bench/peer/ref_step.py) in one invocation, alternating rounds so that load on the
 * machine hits both alike. Writes bench/results/<stamp>.arrow and .md. Timings live here and
 * in the results, never in tests.
 *
 * @example
 * ```ts
 * const res = await runBenchmark({ quick: true, only: ['ref-dense'], backends: ['native'] });
 * res.rows[0].ratio; // tfjs median step / PyTorch median step
 * ```
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { ConfigError } from '../src/imp/core/errors';
import { initBackend } from '../src/imp/backend';
import { loadAddon } from '../src/imp/backend/native';
import { createModel, disposeModel } from '../src/imp/model/model';
import { createRefStep, REF_CONFIGS, RefConfigName, refModelConfig } from './ref_step';

export interface BenchOptions {
  quick?: boolean;
  only?: string[];
  backends?: string[];
  python?: string;
  peerThreads?: number;
  log?: (line: string) => void;
}

export interface BenchRow {
  config: string;
  backend: string;
  medianMs: number;
  peerMs: number | null;
  ratio: number | null;
  gflops: number;
  sgemmShare: number | null;
  steps: number;
}

export interface BenchResult {
  rows: BenchRow[];
  extras: Record<string, number | string | null>;
  files: string[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type PeerOut = { times_ms: number[]; peak_rss_mb: number; torch: string; sgemm_gflops?: number };

function runPeer(python: string, config: string, steps: number, warmup: number, threads: number, sgemm = false): PeerOut | null {
  const script = path.join(__dirname, '..', '..', 'bench', 'peer', 'ref_step.py');
  const args = [script, '--config', config, '--steps', String(steps), '--warmup', String(warmup), '--threads', String(threads)];
  if (sgemm) args.push('--sgemm');
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' }, timeout: 600_000 });
  if (r.status !== 0) return null;
  try { return JSON.parse(r.stdout.trim().split('\n').pop() as string) as PeerOut; } catch { return null; }
}

/** OpenBLAS sgemm from Node (the addon), 1024^3, GFLOP/s: the machine's matmul ceiling now. */
function nodeSgemm(): number | null {
  const addon = loadAddon();
  if (!addon) return null;
  const n = 1024, a = new Float32Array(n * n).fill(0.5), b = new Float32Array(n * n).fill(0.25), o = new Float32Array(n * n);
  addon.matmul(a, b, o, 1, 1, n, n, n, false, false);
  const t = performance.now();
  for (let i = 0; i < 10; i++) addon.matmul(a, b, o, 1, 1, n, n, n, false, false);
  return (2 * n ** 3 * 10) / ((performance.now() - t) / 1000) / 1e9;
}

function timeSteps(run: () => number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); run(); out.push(performance.now() - t); }
  return out;
}

export async function runBenchmark(opts: BenchOptions = {}): Promise<BenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const configs = (opts.only && opts.only.length ? opts.only : [...REF_CONFIGS]) as RefConfigName[];
  for (const c of configs) if (!(REF_CONFIGS as readonly string[]).includes(c)) throw new ConfigError('--only', c, REF_CONFIGS.join(' | '));
  const backends = opts.backends && opts.backends.length ? opts.backends : ['native', 'wasm'];
  const quick = opts.quick ?? false;
  const rounds = quick ? 2 : 3, perRound = quick ? 2 : 5, warmup = quick ? 1 : 2;
  const python = opts.python ?? '/usr/bin/python3';
  const threads = opts.peerThreads ?? os.cpus().length;
  const rows: BenchRow[] = [];
  const extras: BenchResult['extras'] = {};
  const peerTimes: Record<string, number[]> = {};
  const tfTimes: Record<string, number[]> = {};
  let peerInfo: PeerOut | null = null;
  const sgemm = nodeSgemm();
  extras.sgemm_gflops_node = sgemm;
  extras.load_average_start = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  for (const backend of backends) {
    const got = await initBackend(backend).catch((e: Error) => { log(`backend ${backend}: ${e.message}`); return null; });
    if (got !== backend) continue;
    // Rounds outermost, configurations inside: every configuration (and the peer right after
    // it) sees the same stretch of machine load, so the ratios between configurations (MoE /
    // dense) are not skewed by load that changes during the run.
    const steps = configs.map((config) => createRefStep(config, { seed: 0 }));
    for (const step of steps) timeSteps(step.run, warmup);
    for (let r = 0; r < rounds; r++) {
      for (const [i, step] of steps.entries()) {
        const config = configs[i];
        const key = `${config}|${backend}`;
        (tfTimes[key] ??= []).push(...timeSteps(step.run, perRound));
        if (!(config in peerTimes) || peerTimes[config].length < rounds * perRound) {
          const p = runPeer(python, config, perRound, warmup, threads, peerInfo === null);
          if (p) { (peerTimes[config] ??= []).push(...p.times_ms); peerInfo = peerInfo ?? p; extras[`peer_rss_mb_${config}`] = p.peak_rss_mb; }
        }
        log(`${key} round ${r + 1}/${rounds}: tfjs ${median(tfTimes[key]).toFixed(0)} ms, peer ${peerTimes[config] ? median(peerTimes[config]).toFixed(0) : 'n/a'} ms`);
      }
    }
    steps.forEach((step, i) => {
      const config = configs[i];
      const key = `${config}|${backend}`;
      const med = median(tfTimes[key]);
      const peer = peerTimes[config] ? median(peerTimes[config]) : null;
      const gflops = (3 * step.forwardFlops) / (med / 1000) / 1e9;  // backward ~ 2x forward
      rows.push({ config, backend, medianMs: med, peerMs: peer, ratio: peer ? med / peer : null, gflops,
        sgemmShare: sgemm ? gflops / sgemm : null, steps: tfTimes[key].length });
      step.dispose();
    });
    // AGD switching and memory on the first backend that ran, before any other backend: the
    // process's peak RSS must not include another backend's memory (wasm keeps its heap).
    if (!('agd_overhead_pct' in extras)) Object.assign(extras, await agdAndMemory(backend, quick, log));
  }
  extras.torch = peerInfo?.torch ?? null;
  extras.sgemm_gflops_torch = peerInfo?.sgemm_gflops ?? null;
  const first = backends.find((b) => rows.some((r) => r.backend === b));
  const dense = rows.find((r) => r.backend === first && r.config === 'ref-dense');
  const ec = rows.find((r) => r.backend === first && r.config === 'ref-moe-ec');
  if (dense && ec) extras.moe_ec_over_dense = ec.medianMs / dense.medianMs;
  const peerRss = extras['peer_rss_mb_ref-dense'];
  if (typeof extras.peak_rss_mb === 'number' && typeof peerRss === 'number') extras.peak_rss_over_peer_dense = extras.peak_rss_mb / peerRss;
  const files = writeResults(rows, extras, opts);
  return { rows, extras, files };
}

/**
 * AGD task-switch overhead: the same steps run as blocks that repeat each task `reps` times
 * ("repeated": A A B B C C) and as blocks that cycle through the tasks ("switching": A B C A B C).
 * The two kinds of block alternate, in ABBA order so that a drift in machine load cancels, and
 * the overhead is the median over pairs of (switching time / repeated time - 1).
 */
export function agdOverhead(tasks: Array<() => unknown>, pairs: number, reps: number): { pct: number; ratios: number[] } {
  const block = (switching: boolean): number => {
    const t0 = performance.now();
    if (switching) for (let r = 0; r < reps; r++) for (const t of tasks) t();
    else for (const t of tasks) for (let r = 0; r < reps; r++) t();
    return performance.now() - t0;
  };
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    if (p % 2 === 0) { const rep = block(false); const sw = block(true); ratios.push(sw / rep); }
    else { const sw = block(true); const rep = block(false); ratios.push(sw / rep); }
  }
  return { pct: (median(ratios) - 1) * 100, ratios };
}

/** AGD switching overhead (3 tasks of different batch shapes) and tensors/RSS over many steps. */
async function agdAndMemory(backend: string, quick: boolean, log: (l: string) => void): Promise<Record<string, number | string>> {
  await initBackend(backend);
  const model = createModel(refModelConfig('ref-dense'), { seed: 0 });
  const tasks = [32, 16, 24].map((batch) => createRefStep('ref-dense', { model, batch, seed: batch }));
  for (const t of tasks) t.run();  // warm-up: first-step costs out of the comparison
  const agd = agdOverhead(tasks.map((t) => t.run), quick ? 3 : 7, quick ? 1 : 2);
  const agdOverheadPct = agd.pct;
  log(`AGD switching overhead: ${agdOverheadPct.toFixed(1)} % (median of ${agd.ratios.length} interleaved pairs: ` +
    `${agd.ratios.map((r) => `${((r - 1) * 100).toFixed(1)}`).join(', ')} %)`);
  const steps = quick ? 20 : 1000;
  const t0 = tf.memory().numTensors;
  let peak = process.memoryUsage().rss;
  for (let i = 0; i < steps; i++) { tasks[i % 3].run(); peak = Math.max(peak, process.memoryUsage().rss); }
  const t1 = tf.memory().numTensors;
  log(`tensors alive: ${t0} -> ${t1} over ${steps} steps; peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
  for (const t of tasks) t.dispose();
  disposeModel(model);
  return {
    agd_overhead_pct: agdOverheadPct, agd_pairs_pct: agd.ratios.map((r) => ((r - 1) * 100).toFixed(1)).join(' '),
    tensors_start: t0, tensors_end: t1, memory_steps: steps, peak_rss_mb: peak / 2 ** 20,
  };
}

function writeResults(rows: BenchRow[], extras: BenchResult['extras'], opts: BenchOptions): string[] {
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const arrow = path.join(dir, `${stamp}.arrow`);
  const table = tableFromArrays({
    config: rows.map((r) => r.config), backend: rows.map((r) => r.backend),
    median_ms: Float64Array.from(rows.map((r) => r.medianMs)), peer_ms: Float64Array.from(rows.map((r) => r.peerMs ?? NaN)),
    ratio: Float64Array.from(rows.map((r) => r.ratio ?? NaN)), gflops: Float64Array.from(rows.map((r) => r.gflops)),
    sgemm_share: Float64Array.from(rows.map((r) => r.sgemmShare ?? NaN)), steps: Int32Array.from(rows.map((r) => r.steps)),
  });
  fs.writeFileSync(arrow, tableToIPC(table, 'file'));
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const md = [
    `# IMP Lab benchmark ${new Date().toISOString()}`, '',
    `machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `versions: node ${process.version}, tfjs-core ${tf.version_core}, ${extras.torch ? `torch ${extras.torch}` : 'torch unavailable'}`,
    `command: imp-lab bench ${opts.quick ? '--quick ' : ''}${opts.only?.length ? `--only ${opts.only.join(',')} ` : ''}${opts.backends?.length ? `--backend ${opts.backends.join(',')}` : ''}`,
    '', '| config | backend | median step ms | PyTorch ms | ratio | GFLOP/s | share of sgemm | steps |', '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.config} | ${r.backend} | ${r.medianMs.toFixed(0)} | ${r.peerMs?.toFixed(0) ?? 'n/a'} | ${r.ratio?.toFixed(2) ?? 'n/a'} | ${r.gflops.toFixed(1)} | ${r.sgemmShare !== null ? `${(100 * r.sgemmShare).toFixed(0)} %` : 'n/a'} | ${r.steps} |`),
    '', ...Object.entries(extras).map(([k, v]) => `- ${k}: ${typeof v === 'number' ? v.toFixed(2) : v}`), '',
  ].join('\n');
  const mdFile = path.join(dir, `${stamp}.md`);
  fs.writeFileSync(mdFile, md);
  return [arrow, mdFile];
}
