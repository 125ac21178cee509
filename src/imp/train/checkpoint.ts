/**
 * Checkpoints: one binary file of float32 arrays plus a JSON index that names it with its size
 * and sha256. A save writes the new binary under a fresh name, then atomically renames a new
 * index over the old one, and only then deletes the old binary: a save that dies at any point
 * leaves the previous checkpoint loadable. A load verifies size and hash before trusting a byte.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../core/errors';

export const CHECKPOINT_INDEX = 'checkpoint.json';
export const CHECKPOINT_FORMAT = 'imp-lab-checkpoint/1';

export interface StoredArray {
  data: Float32Array;
  shape: number[];
}

interface IndexEntry { name: string; shape: number[]; offset: number; length: number }

interface CheckpointIndex {
  format: string;
  binary: string;
  bytes: number;
  sha256: string;
  arrays: IndexEntry[];
  state: unknown;
}

export interface SaveOptions {
  /** Test hook: runs after the new binary is written and before the index is switched. */
  beforeCommit?: () => void;
}

function fsyncWrite(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data, 0, data.length);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Saves arrays and a JSON state into `dir` (created if missing).
 *
 * @example
 * ```ts
 * saveCheckpoint('runs/a', { 'w': { data: Float32Array.from([1, 2]), shape: [2] } }, { step: 10 });
 * loadCheckpoint('runs/a').state; // { step: 10 }
 * ```
 */
export function saveCheckpoint(dir: string, arrays: Record<string, StoredArray>, state: unknown, opts: SaveOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries: IndexEntry[] = [];
  let offset = 0;
  const names = Object.keys(arrays).sort();
  for (const name of names) {
    const a = arrays[name];
    entries.push({ name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length * 4;
  }
  const buf = Buffer.alloc(offset);
  for (const e of entries) {
    const a = arrays[e.name].data;
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, e.offset);
  }
  const sha256 = crypto.createHash('sha256').update(buf).digest('hex');
  const binary = `checkpoint-${sha256.slice(0, 16)}-${Date.now().toString(36)}.bin`;
  const previous = readIndexQuiet(dir)?.binary;
  fsyncWrite(path.join(dir, binary), buf);
  opts.beforeCommit?.();
  const index: CheckpointIndex = { format: CHECKPOINT_FORMAT, binary, bytes: buf.length, sha256, arrays: entries, state };
  const tmp = path.join(dir, `${CHECKPOINT_INDEX}.tmp-${process.pid}`);
  fsyncWrite(tmp, JSON.stringify(index));
  fs.renameSync(tmp, path.join(dir, CHECKPOINT_INDEX));
  if (previous && previous !== binary) fs.rmSync(path.join(dir, previous), { force: true });
}

function readIndexQuiet(dir: string): CheckpointIndex | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_INDEX), 'utf8')) as CheckpointIndex;
  } catch {
    return null;
  }
}

/** True when `dir` holds a checkpoint index. */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, CHECKPOINT_INDEX));
}

/** Loads and verifies a checkpoint; every failure is a CheckpointError naming the file and the problem. */
export function loadCheckpoint(dir: string): { arrays: Record<string, StoredArray>; state: unknown } {
  const indexFile = path.join(dir, CHECKPOINT_INDEX);
  if (!fs.existsSync(indexFile)) throw new CheckpointError(`no checkpoint here (missing ${CHECKPOINT_INDEX})`, dir);
  let index: CheckpointIndex;
  try {
    index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CheckpointIndex;
  } catch (e) {
    throw new CheckpointError(`corrupt index: ${(e as Error).message}`, indexFile);
  }
  if (index.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`unknown format ${JSON.stringify(index.format)}; expected ${CHECKPOINT_FORMAT}`, indexFile);
  const binFile = path.join(dir, index.binary);
  if (!fs.existsSync(binFile)) throw new CheckpointError(`binary file ${index.binary} named by the index is missing`, binFile);
  const buf = fs.readFileSync(binFile);
  if (buf.length !== index.bytes) throw new CheckpointError(`truncated or padded: ${buf.length} bytes, the index says ${index.bytes}`, binFile);
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  if (sha !== index.sha256) throw new CheckpointError(`content hash ${sha.slice(0, 12)}... does not match the index (${index.sha256.slice(0, 12)}...): the file is corrupt`, binFile);
  const arrays: Record<string, StoredArray> = {};
  for (const e of index.arrays) {
    const data = new Float32Array(e.length);
    Buffer.from(data.buffer).set(buf.subarray(e.offset, e.offset + e.length * 4));
    arrays[e.name] = { data, shape: e.shape };
  }
  return { arrays, state: index.state };
}
