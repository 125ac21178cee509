/**
 * `imp-lab train <experiment> [--steps N] [--seed S] [--out DIR] [--backend B] [--resume DIR]`:
 * trains with a progress line (task, losses, steps/s), writes DIR/metrics.arrow,
 * DIR/routing.arrow, DIR/tokens.arrow, DIR/meta.json and a checkpoint; `--resume DIR` continues
 * a run exactly where its checkpoint left it; Ctrl-C stops between two steps, saves and exits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../imp/backend';
import { ImpError } from '../imp/core/errors';
import { clearInterrupt, requestInterrupt } from '../imp/core/interrupt';
import { experiments, getExperiment, ExperimentConfig } from '../imp/configs/index';
import { createRecorder } from '../imp/frames/recorder';
import { hasCheckpoint, loadCheckpoint } from '../imp/train/checkpoint';
import { createTrainer, StepReport, Trainer } from '../imp/train/trainer';
import { parseArgs } from './args';

const USAGE = `usage: imp-lab train <experiment> [--steps N] [--seed S] [--out DIR] [--backend auto|tensorflow|native|wasm|cpu]
                     [--save-every N] [--eval-samples N (0 = no evaluation)] [--resume DIR]
       imp-lab train --list
`;

function versions(): Record<string, string> {
  const v = (p: string) => { try { return (require(`${p}/package.json`) as { version: string }).version; } catch { return 'missing'; } };
  return { 'imp-lab': (require('../../../package.json') as { version: string }).version, node: process.version, '@tensorflow/tfjs-core': v('@tensorflow/tfjs-core'), arquero: v('arquero') };
}

/** One progress line: step, task, loss, running per-task losses, steps/s. */
function progressLine(r: StepReport, total: number, rate: number, last: Map<string, number>): string {
  const width = 20;
  const done = Math.round(((r.step + 1) / total) * width);
  const tasks = [...last.entries()].map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
  return `step ${r.step + 1}/${total} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${r.tasks.join('+')} loss=${r.loss.toFixed(4)}${r.skipped ? ' (skipped: non-finite)' : ''} | ${tasks} | ${rate.toFixed(2)} steps/s`;
}

export async function runTrain(args: string[]): Promise<number> {
  const p = parseArgs(args, { steps: 'number', seed: 'number', out: 'string', backend: 'string', resume: 'string', 'save-every': 'number', 'eval-samples': 'number', list: 'boolean', help: 'boolean' });
  if (typeof p === 'string') { process.stderr.write(`imp-lab train: ${p}\n${USAGE}`); return 2; }
  if (p.flags.help) { process.stdout.write(USAGE); return 0; }
  if (p.flags.list) {
    for (const name of experiments.names()) process.stdout.write(`${name.padEnd(12)} ${experiments.get(name).description}\n`);
    return 0;
  }
  try {
    const backend = await initBackend(p.flags.backend as string | undefined);
    const resume = p.flags.resume as string | undefined;
    let experiment: ExperimentConfig;
    let seed = (p.flags.seed as number | undefined) ?? 0;
    if (resume) {
      if (!hasCheckpoint(resume)) throw new ImpError(`--resume ${resume}: no checkpoint.json there (a run folder written by imp-lab train)`);
      const st = loadCheckpoint(resume).state as { experiment: ExperimentConfig; seed: number };
      experiment = st.experiment;
      if (p.positionals[0] && p.positionals[0] !== experiment.name) throw new ImpError(`--resume ${resume} holds a run of "${experiment.name}", not "${p.positionals[0]}"`);
      seed = st.seed;
    } else {
      if (!p.positionals[0]) { process.stderr.write(`imp-lab train: name an experiment (imp-lab train --list)\n${USAGE}`); return 2; }
      experiment = getExperiment(p.positionals[0]);
    }
    const steps = (p.flags.steps as number | undefined) ?? experiment.steps;
    if (!Number.isInteger(steps) || steps < 1) throw new ImpError(`--steps: got ${steps}; allowed: an integer >= 1`);
    const out = resume ?? (p.flags.out as string | undefined) ?? path.join('runs', experiment.name);
    if (!resume && hasCheckpoint(out)) {
      // Never mix two runs' rows in one folder, and never overwrite a checkpoint by accident.
      throw new ImpError(`${out} already holds a run; continue it with --resume ${out}, or choose another --out`);
    }
    fs.mkdirSync(out, { recursive: true });
    const trainer: Trainer = createTrainer({ experiment, overrides: { steps }, seed });
    if (resume) trainer.load(resume);
    const remaining = steps - trainer.step;
    const recorder = createRecorder({ dir: out, run: `${experiment.name}-s${seed}`, readEvery: experiment.record.readEvery, ...(resume ? { truncateAfterStep: trainer.step - 1 } : {}) });
    trainer.recorder = recorder;
    const synthetic = Object.values(trainer.sources).filter((s) => s.synthetic).map((s) => s.name);
    recorder.meta({ run: `${experiment.name}-s${seed}`, config: trainer.experiment, seed, backend, versions: versions(), startedAt: new Date().toISOString(), syntheticSources: synthetic } as never);
    process.stderr.write(`imp-lab train ${experiment.name}: ${trainer.step > 0 ? `resuming at step ${trainer.step}, ` : ''}${remaining} steps, seed ${seed}, backend ${backend}, out ${out}\n`);
    if (synthetic.length) process.stderr.write(`note: ${synthetic.join(', ')} is SYNTHETIC smoke-test data; these numbers are not results on real data\n`);
    const saveEvery = (p.flags['save-every'] as number | undefined) ?? 50;
    const last = new Map<string, number>();
    const t0 = performance.now();
    let lastPrint = 0;
    const tty = process.stderr.isTTY;
    const onSigint = () => { requestInterrupt(); process.stderr.write('\ninterrupt: stopping after this step...\n'); };
    process.on('SIGINT', onSigint);
    let interrupted = false;
    try {
      await trainer.run({
        steps: Math.max(0, remaining),
        onStep: async (r) => {
          for (const t of r.tasks) last.set(t, Number.isFinite(r.loss) ? (last.has(t) ? 0.9 * (last.get(t) as number) + 0.1 * r.loss : r.loss) : (last.get(t) ?? NaN));
          const now = performance.now();
          const line = progressLine(r, steps, (r.step + 1 - (steps - remaining)) / ((now - t0) / 1000), last);
          if (tty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 160) - 1)}`);
          else if (now - lastPrint > 2000 || r.step + 1 === steps) { process.stderr.write(`${line}\n`); lastPrint = now; }
          if ((r.step + 1) % saveEvery === 0) { await recorder.flush(); trainer.save(out); }
        },
      });
    } catch (e) {
      if ((e as Error).name !== 'InterruptError') throw e;
      interrupted = true;
    } finally {
      process.off('SIGINT', onSigint);
      clearInterrupt();
    }
    if (tty) process.stderr.write('\n');
    const evalSamples = (p.flags['eval-samples'] as number | undefined) ?? 256;
    if (!interrupted && evalSamples > 0) {
      const rows = trainer.evaluate({ samples: evalSamples });
      for (const r of rows.filter((x) => x.metric !== 'count')) process.stderr.write(`eval ${r.eval} ${r.modality} ${r.metric}${r.k > 0 ? `@${r.k}` : ''} = ${r.value.toFixed(3)}\n`);
    }
    await recorder.close();
    trainer.save(out);
    const secs = (performance.now() - t0) / 1000;
    process.stderr.write(`${interrupted ? 'interrupted' : 'done'} at step ${trainer.step}: ${secs.toFixed(1)} s, ${trainer.skippedSteps} skipped steps; wrote ${['metrics.arrow', 'routing.arrow', 'tokens.arrow', 'meta.json', 'checkpoint.json'].filter((f) => fs.existsSync(path.join(out, f))).join(', ')} in ${out}\n`);
    if (interrupted) process.stderr.write(`resume with: imp-lab train --resume ${out} --steps ${steps}\n`);
    trainer.dispose();
    return interrupted ? 130 : 0;
  } catch (e) {
    if (e instanceof ImpError) { process.stderr.write(`imp-lab train: ${e.name}: ${e.message}\n`); return 2; }
    throw e;
  }
}
