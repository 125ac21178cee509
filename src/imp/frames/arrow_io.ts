/**
 * Arrow IPC read/write of the frames. Files use the Arrow IPC *file* format (the one `.arrow`
 * readers expect: apache-arrow, pyarrow `ipc.open_file`, polars `read_ipc`, DuckDB's arrow
 * extension), with the column types of `schemas.ts` and schema metadata:
 * `imp.frames.table` (table name), `imp.frames.version` and, for consolidated files,
 * `imp.frames.parts` (the highest part number folded into the file; see `recorder.ts`).
 *
 * Writes go to a temporary file in the same folder, are fsync'ed, then renamed over the target:
 * a crash leaves either the old file or the new one, never half a file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { dictionary, float64, int32, tableFromIPC, tableToIPC, utf8 } from '@uwdata/flechette';
import { DataError } from '../core/errors';
import { FrameName, SCHEMAS, ColumnType } from './schemas';

/** An arquero table (the type arquero's `table()` returns). */
export type Frame = ReturnType<typeof aq.table>;

/** Version of the on-disk layout; bump when a schema changes incompatibly. */
export const FRAMES_VERSION = '1';

function arrowType(type: ColumnType) {
  switch (type) {
    case 'string':
    case 'string?':
      // Dictionary keys: run/task/modality names repeat on every row, so this is ~10x smaller.
      return dictionary(utf8(), int32());
    case 'int':
      return int32();
    case 'float':
      return float64();
  }
}

/**
 * An empty table with the columns of `name`. Empty tables are never written to disk (some
 * readers, polars among them, reject an Arrow file without record batches); a missing file
 * reads as this.
 */
export function emptyFrame(name: FrameName): Frame {
  const cols: Record<string, unknown[]> = {};
  for (const c of SCHEMAS[name].columns) cols[c.name] = [];
  return aq.table(cols);
}

/** Encodes a table of schema `name` as Arrow IPC file bytes with the given schema metadata. */
export function encodeFrame(table: Frame, name: FrameName, metadata: Record<string, string> = {}): Uint8Array {
  const types: Record<string, ReturnType<typeof arrowType>> = {};
  for (const c of SCHEMAS[name].columns) types[c.name] = arrowType(c.type);
  const arrow = aq.toArrow(table, { types });
  arrow.schema.metadata = new Map([
    ['imp.frames.table', name],
    ['imp.frames.version', FRAMES_VERSION],
    ...Object.entries(metadata),
  ]);
  return tableToIPC(arrow, { format: 'file' }) as Uint8Array;
}

/** Writes bytes to `file` atomically (temp file in the same folder, fsync, rename). */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Writes a frame to an Arrow IPC file atomically.
 *
 * @example
 * ```ts
 * frames.writeFrame('/tmp/m.arrow', aq.table({run: ['a'], step: [0], task: ['t'], modality: ['image'],
 *   metric: ['loss'], value: [1.5]}), 'metrics');
 * ```
 */
export function writeFrame(file: string, table: Frame, name: FrameName, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeFrame(table, name, metadata));
}

/** A frame read from disk with its schema metadata. */
export interface FrameFile {
  table: Frame;
  metadata: Map<string, string>;
}

/**
 * Reads an Arrow IPC file (file or stream format) into an arquero table. Throws a DataError
 * naming the file when it is missing, truncated or not Arrow.
 *
 * @example
 * ```ts
 * const { table, metadata } = frames.readFrame('runs/a/metrics.arrow');
 * console.log(table.numRows(), metadata.get('imp.frames.table'));
 * ```
 */
export function readFrame(file: string): FrameFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DataError(`cannot read Arrow file: ${(e as Error).message}`, file, 'check the run folder path');
  }
  try {
    const arrow = tableFromIPC(bytes);
    const metadata = new Map<string, string>(arrow.schema.metadata ?? []);
    if (arrow.numRows === 0) {
      // A table with no record batch: arquero cannot wrap its dictionary columns, so build it.
      return { table: aq.table(Object.fromEntries(arrow.schema.fields.map((f) => [f.name, []]))) as Frame, metadata };
    }
    // arquero types its input as apache-arrow's Table; a flechette Table has the same column API.
    return { table: aq.fromArrow(arrow as unknown as Parameters<typeof aq.fromArrow>[0]) as Frame, metadata };
  } catch (e) {
    throw new DataError(
      `not a readable Arrow IPC file (${(e as Error).message})`,
      file,
      'the file is corrupt or was cut short; delete it or restore it from the run folder backup',
    );
  }
}
