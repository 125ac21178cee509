/**
 * `imp-lab bench [--quick] [--only NAME[,NAME]] [--backend B[,B]] [--json]`: the performance
 * benchmark of bench/run.ts (reference training steps vs PyTorch).
 */
import { ConfigError } from '../imp/core/errors';
import { runBenchmark } from '../../bench/run';

const HELP = `usage: imp-lab bench [--quick] [--only ref-dense|ref-moe-ec|ref-moe-tc[,...]] [--backend native|wasm|cpu[,...]] [--json]
Times the reference training steps on each backend against PyTorch (bench/peer/ref_step.py), alternating
runs; writes bench/results/<stamp>.arrow and .md. --json prints per config and backend the median step (ms),
the peer's and their ratio.
`;

export async function runBenchCommand(args: string[]): Promise<number> {
  const opts: { quick: boolean; only: string[]; backends: string[]; json: boolean } = { quick: false, only: [], backends: [], json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') { process.stdout.write(HELP); return 0; }
    if (a === '--quick') opts.quick = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--only' || a === '--backend') {
      const v = args[++i];
      if (!v) throw new ConfigError(a, v, 'a comma-separated list');
      (a === '--only' ? opts.only : opts.backends).push(...v.split(','));
    } else throw new ConfigError('bench option', a, '--quick | --only NAME | --backend B | --json');
  }
  const res = await runBenchmark({ quick: opts.quick, only: opts.only, backends: opts.backends });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ results: res.rows.map((r) => ({ config: r.config, backend: r.backend, medianMs: r.medianMs, peerMs: r.peerMs, ratio: r.ratio })), extras: res.extras, files: res.files }, null, 2)}\n`);
  } else {
    for (const r of res.rows) process.stdout.write(`${r.config.padEnd(11)} ${r.backend.padEnd(7)} ${r.medianMs.toFixed(0).padStart(6)} ms  peer ${r.peerMs?.toFixed(0) ?? 'n/a'} ms  ratio ${r.ratio?.toFixed(2) ?? 'n/a'}\n`);
    process.stdout.write(`results: ${res.files.join(', ')}\n`);
  }
  return 0;
}
