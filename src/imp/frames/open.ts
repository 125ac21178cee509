/**
 * Re-opening run folders and putting several runs side by side.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../core/errors';
import { Frame } from './arrow_io';
import { RunTables } from './recorder';
import { readMeta, readStored } from './run_folder';
import { FRAME_NAMES, RunMeta, validate } from './schemas';

/** One run read back from its folder. */
export interface RunFrames extends RunTables {
  meta: RunMeta | null;
}

/** Several runs concatenated; `meta` has one entry per run, in input order. */
export interface RunsFrames extends RunTables {
  meta: (RunMeta | null)[];
  runs: string[];
}

/**
 * Opens a run folder written by a recorder (closed or still running: parts not yet folded in
 * are read too). Every table is present, empty when the run recorded none.
 *
 * @example
 * ```ts
 * const { metrics, routing, meta } = imp.frames.open('runs/moe-s8');
 * metrics.filter((d) => d.metric === 'loss').print();
 * ```
 */
export function openRun(runDir: string): RunFrames {
  if (typeof runDir !== 'string' || !fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) {
    throw new DataError('run folder not found', String(runDir), 'pass the folder given to createRecorder({dir})');
  }
  const out = { meta: readMeta(runDir) } as RunFrames;
  for (const name of FRAME_NAMES) out[name] = validate(readStored(runDir, name).table, name);
  return out;
}

/** Names of the runs in a run table (distinct values of its `run` column, in order of appearance). */
function runNames(t: RunTables): string[] {
  const seen = new Set<string>();
  for (const name of FRAME_NAMES) {
    const col = t[name].column('run');
    if (!col) continue;
    for (let i = 0; i < t[name].numRows(); i++) seen.add(col.at(i) as string);
  }
  return [...seen];
}

/**
 * Concatenates runs (folders or already opened runs) into one set of tables, for comparison
 * views. Throws a DataError when two inputs share a run name, since their rows could no longer
 * be told apart.
 *
 * @example
 * ```ts
 * const all = imp.frames.concatRuns(['runs/dense-s1', 'runs/dense-s2', 'runs/moe-s1', 'runs/moe-s2']);
 * viz.compareRuns(all.metrics, { metric: 'loss' });
 * ```
 */
export function concatRuns(runs: (string | RunFrames)[]): RunsFrames {
  if (!Array.isArray(runs) || runs.length === 0) throw new DataError(`concatRuns needs a non-empty array of run folders or opened runs; got ${JSON.stringify(runs)}`);
  const opened = runs.map((r) => (typeof r === 'string' ? openRun(r) : r));
  const owner = new Map<string, number>();
  opened.forEach((r, i) => {
    const names = runNames(r);
    if (names.length === 0 && r.meta?.run) names.push(r.meta.run);
    for (const n of names) {
      const prev = owner.get(n);
      if (prev !== undefined && prev !== i) {
        const where = (j: number) => (typeof runs[j] === 'string' ? path.resolve(runs[j] as string) : `input #${j}`);
        throw new DataError(`run name "${n}" appears in two inputs (${where(prev)} and ${where(i)}); give each run its own name`);
      }
      owner.set(n, i);
    }
  });
  const out = { meta: opened.map((r) => r.meta), runs: [...owner.keys()] } as RunsFrames;
  for (const name of FRAME_NAMES) {
    const [first, ...rest] = opened.map((r) => validate(r[name], name));
    out[name] = (rest.length ? first.concat(...rest) : first) as Frame;
  }
  return out;
}
