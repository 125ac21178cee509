/**
 * Layout of a run folder on disk:
 * ```
 * <dir>/metrics.arrow routing.arrow tokens.arrow evals.arrow   consolidated tables
 * <dir>/parts/<table>-<seq>.arrow                                rows flushed since the last close
 * <dir>/meta.json                                                run metadata
 * ```
 * A flush appends by writing one new part file (cost proportional to the new rows only);
 * `close()` folds the parts into the consolidated file. The consolidated file records the
 * highest part number it holds (schema metadata `imp.frames.parts`), and readers skip parts at or
 * below it: a crash between writing the consolidated file and deleting the parts never
 * duplicates rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../core/errors';
import { emptyFrame, Frame, readFrame } from './arrow_io';
import { FrameName, FRAME_NAMES, RunMeta } from './schemas';

export const PARTS_DIR = 'parts';
export const META_FILE = 'meta.json';
const PART_RE = /^(metrics|routing|tokens|evals)-(\d+)\.arrow$/;

export function baseFile(dir: string, name: FrameName): string {
  return path.join(dir, `${name}.arrow`);
}

export function partFile(dir: string, name: FrameName, seq: number): string {
  return path.join(dir, PARTS_DIR, `${name}-${String(seq).padStart(6, '0')}.arrow`);
}

/** Part numbers of `name` in the folder, ascending. */
export function listParts(dir: string, name: FrameName): number[] {
  const p = path.join(dir, PARTS_DIR);
  if (!fs.existsSync(p)) return [];
  const seqs: number[] = [];
  for (const f of fs.readdirSync(p)) {
    const m = PART_RE.exec(f);
    if (m && m[1] === name) seqs.push(Number(m[2]));
  }
  return seqs.sort((a, b) => a - b);
}

/** What is stored for one table: the consolidated file and the parts not yet folded into it. */
export interface StoredFrame {
  table: Frame;
  /** Highest part number folded into the consolidated file (0 when none). */
  through: number;
  /** Live parts (numbers above `through`). */
  parts: number[];
  /** Parts at or below `through`: already folded in, safe to delete. */
  stale: number[];
}

/** Reads one table of a run folder (consolidated file + live parts, in order). */
export function readStored(dir: string, name: FrameName): StoredFrame {
  const base = baseFile(dir, name);
  let table = emptyFrame(name);
  let through = 0;
  if (fs.existsSync(base)) {
    const f = readFrame(base);
    table = f.table;
    through = Number(f.metadata.get('imp.frames.parts') ?? '0') || 0;
  }
  const all = listParts(dir, name);
  const parts = all.filter((s) => s > through);
  const stale = all.filter((s) => s <= through);
  const pieces = parts.map((s) => readFrame(partFile(dir, name, s)).table);
  if (pieces.length > 0) table = table.concat(...pieces) as Frame;
  return { table, through, parts, stale };
}

/** Reads meta.json of a run folder; null when there is none. */
export function readMeta(dir: string): RunMeta | null {
  const file = path.join(dir, META_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RunMeta;
  } catch (e) {
    throw new DataError(`meta.json is not valid JSON (${(e as Error).message})`, file, 'restore or delete meta.json');
  }
}

/** True when `dir` holds any frame file (consolidated or part) or meta.json. */
export function hasRunData(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  if (fs.existsSync(path.join(dir, META_FILE))) return true;
  return FRAME_NAMES.some((n) => fs.existsSync(baseFile(dir, n)) || listParts(dir, n).length > 0);
}
