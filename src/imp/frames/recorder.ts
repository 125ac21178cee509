/**
 * The recorder the trainer writes results through. Per step it only appends to host arrays and
 * keeps scalar tensors; it reads scalars back once every `readEvery` steps (one `tf.stack` and
 * one async `data()` for all of them), so training never waits on a per-step read-back. Rows
 * beyond `maxRowsInMemory` go to a new Arrow part file in the run folder (see `run_folder.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ImpError, ShapeError } from '../core/errors';
import { encodeFrame, Frame, writeFileAtomic } from './arrow_io';
import { baseFile, listParts, META_FILE, PARTS_DIR, partFile, readMeta, readStored } from './run_folder';
import {
  checkRow,
  EvalRow,
  FrameName,
  FRAME_NAMES,
  RoutingRow,
  RunMeta,
  SCHEMAS,
  TokenRoutingRow,
} from './schemas';

export interface RecorderOptions {
  /** Run folder; created when missing. */
  dir: string;
  /** Run name, written in the `run` column of every row. */
  run: string;
  /** Read scalar tensors back every this many steps (default 10). */
  readEvery?: number;
  /** Rows kept in memory (all tables together) before they are written to a part file (default 50,000). */
  maxRowsInMemory?: number;
  /**
   * When resuming from a checkpoint taken at this step: rows with a larger step are dropped from
   * the run folder, so the resumed run does not duplicate steps. Omitted: existing rows are kept
   * and new rows are appended.
   */
  truncateAfterStep?: number;
  /** Read scalars early once this many are pending, whatever the step (default 4,096). */
  maxPendingScalars?: number;
}

/** The four result tables of a run. */
export interface RunTables {
  metrics: Frame;
  routing: Frame;
  tokens: Frame;
  evals: Frame;
}

export interface Recorder {
  readonly dir: string;
  readonly run: string;
  /**
   * Records one training scalar. A `tf.Scalar` (any size-1 tensor) is owned by the recorder
   * from here on: the caller must not dispose it.
   */
  metric(step: number, task: string, modality: string, metric: string, value: number | tf.Tensor): void;
  routing(rows: RoutingRow[]): void;
  tokens(rows: TokenRoutingRow[]): void;
  evals(rows: EvalRow[]): void;
  /** Merges fields into meta.json (written at once, atomically). */
  meta(obj: RunMeta): void;
  /** Resolves pending scalars and writes in-memory rows to a new part file. */
  flush(): Promise<void>;
  /**
   * Flushes, then folds all parts into metrics.arrow, routing.arrow, tokens.arrow, evals.arrow
   * (a table that recorded no row has no file; `open` reads it as an empty table).
   */
  close(): Promise<void>;
  /** Rows held in memory (not yet on disk), as arquero tables. */
  pending(): RunTables;
  /** Every resolved row of the run so far (disk + memory). Cost grows with the run: call it every N steps, not every step. */
  tables(): RunTables;
  /** Scalar tensors held (queued or being read). */
  pendingScalars(): number;
}

interface QueuedScalar {
  step: number;
  task: string;
  modality: string;
  metric: string;
  value: tf.Tensor;
}

class ColumnBuffer {
  cols: Record<string, unknown[]> = {};
  rows = 0;
  constructor(readonly name: FrameName) {
    this.reset();
  }
  reset(): void {
    for (const c of SCHEMAS[this.name].columns) this.cols[c.name] = [];
    this.rows = 0;
  }
  push(row: Record<string, unknown>): void {
    for (const c of SCHEMAS[this.name].columns) this.cols[c.name].push(row[c.name]);
    this.rows++;
  }
  table(): Frame {
    return aq.table(this.cols) as Frame;
  }
}

function positiveInt(field: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(field, v, 'an integer >= 1');
  return v;
}

class FrameRecorder implements Recorder {
  readonly dir: string;
  readonly run: string;
  private readonly readEvery: number;
  private readonly maxRows: number;
  private readonly maxPendingScalars: number;
  private readonly buffers: Record<FrameName, ColumnBuffer>;
  private queue: QueuedScalar[] = [];
  private queueFirstStep = 0;
  private reading = new Set<Promise<void>>();
  private inFlightScalars = 0;
  private readError: Error | null = null;
  private seq: number;
  private metaObj: RunMeta;
  private closed = false;

  constructor(opts: RecorderOptions) {
    if (opts === null || typeof opts !== 'object') throw new ConfigError('options', opts, '{dir, run, readEvery?, maxRowsInMemory?, truncateAfterStep?}');
    if (typeof opts.dir !== 'string' || opts.dir === '') throw new ConfigError('dir', opts.dir, 'a folder path');
    if (typeof opts.run !== 'string' || opts.run === '') throw new ConfigError('run', opts.run, 'a non-empty run name');
    this.dir = path.resolve(opts.dir);
    this.run = opts.run;
    this.readEvery = positiveInt('readEvery', opts.readEvery, 10);
    this.maxRows = positiveInt('maxRowsInMemory', opts.maxRowsInMemory, 50_000);
    this.maxPendingScalars = positiveInt('maxPendingScalars', opts.maxPendingScalars, 4096);
    const t = opts.truncateAfterStep;
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < -1)) {
      throw new ConfigError('truncateAfterStep', t, 'an integer >= -1 (the checkpoint step), or omitted');
    }
    this.buffers = {
      metrics: new ColumnBuffer('metrics'),
      routing: new ColumnBuffer('routing'),
      tokens: new ColumnBuffer('tokens'),
      evals: new ColumnBuffer('evals'),
    };
    fs.mkdirSync(path.join(this.dir, PARTS_DIR), { recursive: true });
    this.seq = 0;
    for (const name of FRAME_NAMES) {
      const stored = readStored(this.dir, name);
      this.seq = Math.max(this.seq, stored.through, ...stored.parts, ...stored.stale);
      for (const s of stored.stale) fs.rmSync(partFile(this.dir, name, s), { force: true });
      if (t !== undefined && (stored.parts.length > 0 || stored.table.numRows() > 0)) {
        // Keep rows up to the checkpoint: fold everything into the consolidated file first, then
        // delete the parts (readers skip them anyway once the file says it holds them).
        const kept = stored.table.params({ t }).filter((d: { step: number }, $: { t: number }) => d.step <= $.t);
        const through = Math.max(stored.through, ...stored.parts);
        if (kept.numRows() > 0) {
          writeFileAtomic(baseFile(this.dir, name), encodeFrame(kept as Frame, name, { 'imp.frames.parts': String(through) }));
          for (const s of stored.parts) fs.rmSync(partFile(this.dir, name, s), { force: true });
        } else {
          // Nothing kept: parts first, so a crash half-way leaves only rows a new truncation removes.
          for (const s of stored.parts) fs.rmSync(partFile(this.dir, name, s), { force: true });
          fs.rmSync(baseFile(this.dir, name), { force: true });
        }
      }
    }
    this.metaObj = { ...(readMeta(this.dir) ?? {}) };
    if (t !== undefined) {
      const resumes = Array.isArray(this.metaObj.resumes) ? (this.metaObj.resumes as unknown[]) : [];
      this.meta({ resumes: [...resumes, { afterStep: t, at: new Date().toISOString() }] });
    }
  }

  private checkOpen(what: string): void {
    if (this.closed) throw new ImpError(`recorder for run "${this.run}" is closed; ${what} needs an open recorder (createRecorder again to append)`);
  }

  metric(step: number, task: string, modality: string, metric: string, value: number | tf.Tensor): void {
    this.checkOpen('metric()');
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new ConfigError('metric.step', step, 'an integer >= 0');
    for (const [f, v] of [['task', task], ['modality', modality], ['metric', metric]] as const) {
      if (typeof v !== 'string') throw new ConfigError(`metric.${f}`, v, 'a string');
    }
    if (typeof value === 'number') {
      this.buffers.metrics.push({ run: this.run, step, task, modality, metric, value });
      this.afterAppend();
    } else {
      if (value === null || typeof value !== 'object' || typeof (value as tf.Tensor).dataSync !== 'function') {
        throw new ConfigError('metric.value', value, 'a number or a tf.Scalar');
      }
      if (value.size !== 1) throw new ShapeError(`metric "${metric}" value`, value.shape, '[] (a scalar)');
      // Keep it out of any enclosing tf.tidy: the recorder disposes it after the read.
      tf.keep(value);
      if (this.queue.length === 0) this.queueFirstStep = step;
      this.queue.push({ step, task, modality, metric, value });
      if (step - this.queueFirstStep >= this.readEvery || this.queue.length >= this.maxPendingScalars) this.readScalars();
    }
  }

  /** Starts one asynchronous read of every queued scalar. */
  private readScalars(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const stacked = tf.keep(tf.tidy(() => tf.stack(batch.map((e) => tf.cast(tf.reshape(e.value, []), 'float32'))))); // [n]
    for (const e of batch) e.value.dispose();
    this.inFlightScalars += batch.length;
    const p: Promise<void> = stacked
      .data()
      .then((vals) => {
        batch.forEach((e, i) => this.buffers.metrics.push({ run: this.run, step: e.step, task: e.task, modality: e.modality, metric: e.metric, value: vals[i] }));
        this.afterAppend();
      })
      .catch((err: Error) => {
        this.readError = this.readError ?? err;
      })
      .finally(() => {
        stacked.dispose();
        this.inFlightScalars -= batch.length;
        this.reading.delete(p);
      });
    this.reading.add(p);
  }

  private addRows(name: FrameName, rows: unknown): void {
    this.checkOpen(`${name}()`);
    if (!Array.isArray(rows)) throw new ConfigError(name, rows, `an array of ${name} rows`);
    // Check all rows before keeping any, so a bad row never leaves half a batch behind.
    const checked = rows.map((r, i) => checkRow(SCHEMAS[name], r as Record<string, unknown>, i, this.run));
    for (const r of checked) this.buffers[name].push(r);
    this.afterAppend();
  }

  routing(rows: RoutingRow[]): void {
    this.addRows('routing', rows);
  }
  tokens(rows: TokenRoutingRow[]): void {
    this.addRows('tokens', rows);
  }
  evals(rows: EvalRow[]): void {
    this.addRows('evals', rows);
  }

  meta(obj: RunMeta): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new ConfigError('meta', obj, 'a plain object');
    this.metaObj = { ...this.metaObj, run: this.run, ...obj };
    writeFileAtomic(path.join(this.dir, META_FILE), `${JSON.stringify(this.metaObj, null, 2)}\n`);
  }

  private rowsInMemory(): number {
    return FRAME_NAMES.reduce((n, k) => n + this.buffers[k].rows, 0);
  }

  private afterAppend(): void {
    if (this.rowsInMemory() > this.maxRows) this.writeParts();
  }

  /** Writes every buffered table to a new part file. Synchronous: buffers hold only resolved rows. */
  private writeParts(): void {
    for (const name of FRAME_NAMES) {
      const buf = this.buffers[name];
      if (buf.rows === 0) continue;
      this.seq += 1;
      writeFileAtomic(partFile(this.dir, name, this.seq), encodeFrame(buf.table(), name));
      buf.reset();
    }
  }

  async flush(): Promise<void> {
    this.readScalars();
    while (this.reading.size > 0) await Promise.all([...this.reading]);
    if (this.readError) {
      const err = this.readError;
      this.readError = null;
      throw new ImpError(`reading recorded scalars failed: ${err.message}`);
    }
    this.writeParts();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    for (const name of FRAME_NAMES) {
      const stored = readStored(this.dir, name);
      const through = Math.max(stored.through, ...stored.parts);
      if (stored.parts.length > 0) {
        writeFileAtomic(baseFile(this.dir, name), encodeFrame(stored.table, name, { 'imp.frames.parts': String(through) }));
      }
      for (const s of listParts(this.dir, name)) if (s <= through) fs.rmSync(partFile(this.dir, name, s), { force: true });
    }
    try {
      fs.rmdirSync(path.join(this.dir, PARTS_DIR)); // only when empty: a crashed writer's temp file stays visible
    } catch {
      // not empty: leave it
    }
    this.closed = true;
  }

  pending(): RunTables {
    return {
      metrics: this.buffers.metrics.table(),
      routing: this.buffers.routing.table(),
      tokens: this.buffers.tokens.table(),
      evals: this.buffers.evals.table(),
    };
  }

  tables(): RunTables {
    const out = {} as RunTables;
    for (const name of FRAME_NAMES) {
      const disk = readStored(this.dir, name).table;
      const mem = this.buffers[name];
      out[name] = mem.rows > 0 ? (disk.concat(mem.table()) as Frame) : disk;
    }
    return out;
  }

  pendingScalars(): number {
    return this.queue.length + this.inFlightScalars;
  }
}

/**
 * Opens a recorder on a run folder. See `RecorderOptions` for resuming.
 *
 * @example
 * ```ts
 * const rec = frames.createRecorder({ dir: 'runs/moe-s8', run: 'moe-s8', readEvery: 10 });
 * rec.meta({ seed: 8, backend: 'wasm', startedAt: new Date().toISOString() });
 * rec.metric(0, 'mnist-cls', 'image', 'loss', lossScalar);   // lossScalar is now the recorder's
 * rec.routing([{ step: 0, layer: 4, expert: 1, modality: 'image', tokens: 64, weight: 9.5, dropped: 0 }]);
 * await rec.close();                                          // runs/moe-s8/metrics.arrow, ...
 * ```
 */
export function createRecorder(opts: RecorderOptions): Recorder {
  return new FrameRecorder(opts);
}
