/**
 * AGD vs mixing (IMP.md claim 1, the memory half): per-step time and peak tensor memory of
 * AGD steps (one task each) against mixing steps (every task summed), same experiment, same
 * process. Usage: `node dist/bench/agd_vs_mixing.js [experiment] [rounds] [backend]`.
 * Prints a Markdown table; numbers are whatever this machine measured in this run.
 */
import * as os from 'node:os';
import { initBackend } from '../src/imp/backend';
import { createTrainer } from '../src/imp/train/trainer';

async function main(): Promise<void> {
  const [name = 'tiny-moe', roundsArg = '3', backendArg] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const backend = await initBackend(backendArg);
  const agd = createTrainer({ experiment: name, seed: 0, overrides: { sampler: 'round-robin' }, profileMemory: true });
  const tasks = agd.experiment.tasks.map((t) => t.name);
  const per: Record<string, { ms: number[]; peak: number[] }> = {};
  agd.trainStep(); // warm-up
  for (let i = 0; i < rounds * tasks.length; i++) {
    const r = agd.trainStep();
    const k = r.tasks[0];
    (per[k] ??= { ms: [], peak: [] }).ms.push(r.ms);
    per[k].peak.push(r.peakBytes as number);
  }
  agd.dispose();
  const mix = createTrainer({ experiment: name, seed: 0, overrides: { mode: 'mixing' }, profileMemory: true });
  mix.trainStep();
  const mixMs: number[] = [];
  const mixPeak: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = mix.trainStep();
    mixMs.push(r.ms);
    mixPeak.push(r.peakBytes as number);
  }
  mix.dispose();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(`# AGD vs mixing: ${name}, backend ${backend}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, ${new Date().toISOString()}`);
  console.log(`command: node dist/bench/agd_vs_mixing.js ${name} ${rounds} ${backend}\n`);
  console.log('| step | median ms | peak tensor MiB |\n|---|---|---|');
  let sumMs = 0;
  for (const t of tasks) {
    console.log(`| AGD ${t} | ${med(per[t].ms).toFixed(0)} | ${mb(Math.max(...per[t].peak))} |`);
    sumMs += med(per[t].ms);
  }
  console.log(`| mixing (all ${tasks.length} tasks) | ${med(mixMs).toFixed(0)} | ${mb(Math.max(...mixPeak))} |`);
  const agdPeak = Math.max(...Object.values(per).flatMap((x) => x.peak));
  console.log(`\nlargest AGD step peak ${mb(agdPeak)} MiB vs mixing ${mb(Math.max(...mixPeak))} MiB (${(Math.max(...mixPeak) / agdPeak).toFixed(2)}x); sum of AGD task medians ${sumMs.toFixed(0)} ms vs one mixing step ${med(mixMs).toFixed(0)} ms`);
}

main().catch((e) => { console.error(e); process.exit(1); });
