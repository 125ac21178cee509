/**
 * `imp-lab data build [--only PART[,PART]] [--out DIR] [--small] [--if-missing]` and
 * `imp-lab data info [--json] [--verify] [--out DIR]`: build the offline benchmark and describe it.
 */
import * as path from 'node:path';
import { buildBenchmark, parseParts } from '../../datasets/build';
import { ImpError } from '../imp/core/errors';
import { BENCHMARK_NAME, PARTS, readManifest, readVerified, resolveDataDir, type Manifest, type PartName } from '../imp/data/manifest';

const USAGE = `usage:
  imp-lab data build [--only PART[,PART...]] [--out DIR] [--small] [--if-missing] [--emoji-size PX] [--keep-wav]
  imp-lab data info  [--json] [--verify] [--out DIR]

parts: ${PARTS.join(', ')}
DIR defaults to <repo>/data, or env IMP_DATA_DIR.
`;

interface Flags {
  only: string[];
  out?: string;
  small: boolean;
  ifMissing: boolean;
  json: boolean;
  verify: boolean;
  emojiSize?: number;
  keepWav: boolean;
}

function parseFlags(args: string[]): Flags | string {
  const f: Flags = { only: [], small: false, ifMissing: false, json: false, verify: false, keepWav: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    const name = a.split('=')[0];
    if (name === '--only') {
      const v = value();
      if (!v) return '--only needs a part name';
      f.only.push(...v.split(',').filter(Boolean));
    } else if (name === '--out') {
      f.out = value();
      if (!f.out) return '--out needs a folder';
    } else if (name === '--emoji-size') {
      f.emojiSize = Number(value());
    } else if (a === '--small') f.small = true;
    else if (a === '--if-missing') f.ifMissing = true;
    else if (a === '--keep-wav') f.keepWav = true;
    else if (a === '--json') f.json = true;
    else if (a === '--verify') f.verify = true;
    else return `unknown option ${JSON.stringify(a)}`;
  }
  return f;
}

/** Human-readable summary of a manifest. */
export function formatInfo(m: Manifest, dir: string): string {
  const lines = [`${BENCHMARK_NAME} at ${dir}`];
  for (const p of PARTS) {
    const r = m.parts[p];
    if (!r) {
      lines.push(`\n${p}: not built`);
      continue;
    }
    const opts = Object.entries(r.options).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    lines.push(`\n${p}${opts ? ` (${opts})` : ''}`);
    for (const [s, info] of Object.entries(r.splits)) {
      const shapes = Object.entries(info.shapes).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
      lines.push(`  ${s.padEnd(20)} ${String(info.count).padStart(7)}  ${shapes}${info.notes ? `  (${info.notes})` : ''}`);
    }
    if (r.classNames) lines.push(`  classes (${r.classNames.length}): ${r.classNames.join(', ')}`);
    // Scalar and short-list metadata (vocabulary size, zero-shot classes, audio statistics).
    const meta = Object.entries(r.meta ?? {})
      .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || (Array.isArray(v) && v.length <= 10 && v.every((x) => typeof x !== 'object')))
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`);
    if (meta.length) lines.push(`  meta: ${meta.join(' ')}`);
    for (const [f, rec] of Object.entries(r.files)) lines.push(`  ${rec.sha256}  ${String(rec.bytes).padStart(10)}  ${f}`);
  }
  lines.push('\ntools:');
  for (const [k, v] of Object.entries(m.tools)) lines.push(`  ${k} ${v}`);
  return `${lines.join('\n')}\n`;
}

/** Entry point of `imp-lab data`. */
export async function runData(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  const f = parseFlags(rest);
  if (typeof f === 'string') {
    process.stderr.write(`imp-lab data: ${f}\n${USAGE}`);
    return 2;
  }
  try {
    if (sub === 'build') {
      const t0 = Date.now();
      const m = await buildBenchmark({ out: f.out, only: parseParts(f.only), small: f.small, ifMissing: f.ifMissing, emojiSize: f.emojiSize, keepWav: f.keepWav });
      const dir = resolveDataDir(f.out);
      process.stderr.write(`[data] ${BENCHMARK_NAME} parts built: ${Object.keys(m.parts).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${path.join(dir, 'manifest.json')}\n`);
      return 0;
    }
    if (sub === 'info') {
      const dir = resolveDataDir(f.out);
      const m = readManifest(dir);
      if (f.verify) {
        for (const [p, r] of Object.entries(m.parts)) for (const file of Object.keys(r.files)) readVerified(dir, p as PartName, file);
      }
      process.stdout.write(f.json ? `${JSON.stringify({ dir, ...m }, null, 1)}\n` : formatInfo(m, dir));
      if (f.verify && !f.json) process.stdout.write('verify: every file matches its sha256\n');
      return 0;
    }
  } catch (e) {
    if (e instanceof ImpError) {
      process.stderr.write(`imp-lab data ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(`imp-lab data: unknown subcommand ${JSON.stringify(sub)}\n${USAGE}`);
  return 2;
}
