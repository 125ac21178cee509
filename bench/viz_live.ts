/**
 * Cost of results recording and live views.
 * 1. Builder cost per update on a realistic table (1000 steps; routing: 6 MoE layers x 8 experts,
 *    one or two modality passes per step -> ~70k rows; metrics ~8k rows), plus recorder.tables().
 * 2. Overhead on real training: the smoke experiment trained with a recorder, with and without
 *    three live views updated every `every` steps (bundles serialised as the kernel would).
 * Run: npm run build && node dist/bench/viz_live.js [steps=120] [every=10]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { Rng } from '../src/imp/core/rng';
import { createRecorder, type Frame, type RunTables } from '../src/imp/frames';
import * as viz from '../src/viz';

function realisticTables(): RunTables {
  const rng = new Rng(0);
  const mods = ['image', 'video', 'audio', 'text'];
  const m: Record<string, unknown[]> = { run: [], step: [], task: [], modality: [], metric: [], value: [] };
  const r: Record<string, unknown[]> = { run: [], step: [], layer: [], expert: [], modality: [], tokens: [], weight: [], dropped: [] };
  for (let s = 0; s < 1000; s++) {
    const task = `task-${rng.int(5)}`;
    const passes = rng.next() < 0.5 ? [mods[rng.int(4)]] : [mods[rng.int(4)], 'text'];
    for (const metric of ['loss', 'lr', 'grad_norm', 'step_ms', 'z_loss', 'accuracy', 'skipped', 'nce_loss']) {
      for (const k of ['run', 'step', 'task', 'modality', 'metric', 'value'] as const) m[k].push({ run: 'bench', step: s, task, modality: passes[0], metric, value: rng.next() }[k]);
    }
    for (const mod of passes) for (let layer = 6; layer < 12; layer++) for (let e = 0; e < 8; e++) {
      const row = { run: 'bench', step: s, layer, expert: e, modality: mod, tokens: 32, weight: 32 * rng.next(), dropped: 0 };
      for (const k of Object.keys(r)) r[k].push(row[k as keyof typeof row]);
    }
  }
  const empty = (cols: string[]) => aq.table(Object.fromEntries(cols.map((c) => [c, []]))) as Frame;
  return {
    metrics: aq.table(m) as Frame,
    routing: aq.table(r) as Frame,
    tokens: empty(['run', 'step', 'layer', 'modality', 'example', 'token', 't', 'h', 'w', 'expert', 'weight']),
    evals: empty(['run', 'step', 'eval', 'modality', 'metric', 'k', 'value', 'label', 'predicted']),
  };
}

function time(label: string, reps: number, fn: () => unknown): number {
  fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(44)} ${ms.toFixed(2)} ms`);
  return ms;
}

async function builders(): Promise<void> {
  const t = realisticTables();
  console.log(`realistic tables: metrics ${t.metrics.numRows()} rows, routing ${t.routing.numRows()} rows`);
  time('lossCurves (smoothing 0.6)', 5, () => viz.lossCurves(t.metrics, { smoothing: 0.6 }));
  time('taskTimeline', 5, () => viz.taskTimeline(t.metrics));
  time('expertLoad (all steps)', 5, () => viz.expertLoad(t.routing));
  time('expertLoad (last 100 steps)', 5, () => viz.expertLoad(t.routing, { steps: [900, 999] }));
  time('specialization', 5, () => viz.specialization(t.routing));
  time('routingDynamics (+ z-loss)', 5, () => viz.routingDynamics(t.routing, { metrics: t.metrics }));
  const figs = [viz.lossCurves(t.metrics), viz.expertLoad(t.routing), viz.routingDynamics(t.routing, { metrics: t.metrics })];
  time('3 figureBundles + JSON.stringify', 5, () => figs.forEach((f) => JSON.stringify(viz.figureBundle(f))));
  console.log(`bundle sizes: ${figs.map((f) => `${(JSON.stringify(viz.figureBundle(f)).length / 1024).toFixed(0)} KiB`).join(', ')}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-bench-rec-'));
  const rec = createRecorder({ dir, run: 'bench', maxRowsInMemory: 20_000 });
  const R = t.routing.objects() as Parameters<typeof rec.routing>[0];
  const t0 = performance.now();
  for (let i = 0; i < R.length; i += 96) rec.routing(R.slice(i, i + 96));
  console.log(`${'recorder.routing() per step (96 rows)'.padEnd(44)} ${((performance.now() - t0) / (R.length / 96)).toFixed(3)} ms (incl. part writes)`);
  time('recorder.tables() (disk parts + memory)', 3, () => rec.tables());
  const t1 = performance.now();
  await rec.close();
  console.log(`${'recorder.close() (fold parts)'.padEnd(44)} ${(performance.now() - t1).toFixed(1)} ms; routing.arrow ${(fs.statSync(path.join(dir, 'routing.arrow')).size / 1024).toFixed(0)} KiB`);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function training(steps: number, every: number): Promise<void> {
  let train: typeof import('../src/imp/train/index.js');
  try {
    // required lazily: the builder part runs even where the trainer does not load
    train = require('../src/imp/train') as typeof import('../src/imp/train/index.js');
    await (require('../src/imp/backend') as typeof import('../src/imp/backend/index.js')).initBackend(process.env.IMP_BACKEND ?? 'auto');
  } catch (e) {
    console.log(`trainer not available (${(e as Error).message}); skipping the training overhead part`);
    return;
  }
  const runOnce = async (live: boolean): Promise<{ ms: number; viewMs: number }> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-bench-live-'));
    const recorder = createRecorder({ dir, run: live ? 'live' : 'plain' });
    const t = train.createTrainer({ experiment: 'smoke', seed: 0, recorder });
    let bytes = 0;
    const sink = { display: (b: viz.MimeBundle) => { bytes += JSON.stringify(b).length; }, update: (b: viz.MimeBundle) => { bytes += JSON.stringify(b).length; } };
    const view = live ? viz.createLiveView({ views: ['lossCurves', 'expertLoad', 'routingDynamics'], every, sink, source: recorder }) : null;
    await t.run({ steps: 5 }); // warm-up (first-call kernel setup)
    const t0 = performance.now();
    await t.run({ steps, onStep: (r) => { view?.tick(r.step); } });
    const ms = performance.now() - t0;
    await recorder.close();
    const viewMs = view ? view.stats().ms : 0;
    if (view) console.log(`  live run: ${view.stats().updates} updates, ${viewMs.toFixed(0)} ms in views (${(viewMs / view.stats().updates).toFixed(1)} ms each, incl. reading tables), ${(bytes / 1024).toFixed(0)} KiB of bundles`);
    fs.rmSync(dir, { recursive: true, force: true });
    return { ms, viewMs };
  };
  // Alternate plain and live runs: the machine is shared, so wall time drifts between runs.
  const plain: number[] = [];
  const live: { ms: number; viewMs: number }[] = [];
  for (let i = 0; i < 2; i++) {
    plain.push((await runOnce(false)).ms);
    live.push(await runOnce(true));
  }
  const med = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const viewShare = live.map((l) => (100 * l.viewMs) / l.ms);
  console.log(`smoke training, ${steps} steps: recorder only [${plain.map((x) => x.toFixed(0)).join(', ')}] ms; with 3 live views every ${every} steps [${live.map((l) => l.ms.toFixed(0)).join(', ')}] ms`);
  console.log(`time inside the live views: ${viewShare.map((x) => x.toFixed(2)).join(', ')} % of training time (wall-clock difference of medians ${(((med(live.map((l) => l.ms)) - med(plain)) / med(plain)) * 100).toFixed(1)} %, noisy on a shared machine)`);
}

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 120);
  const every = Number(process.argv[3] ?? 10);
  await builders();
  await training(steps, every);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
