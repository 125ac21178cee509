/**
 * The fixed schemas of every results table IMP Lab writes. This file is the one place they are
 * documented: the recorder fills them, the Arrow files on disk carry them, and every chart in
 * `src/viz` reads only these columns.
 *
 * All tables are long-form (one measured number per row), so runs, tasks, modalities and layers
 * concatenate and group without reshaping. Column types on disk (Arrow IPC):
 * - `string`: dictionary-encoded UTF-8 (int32 keys), never null;
 * - `string?`: dictionary-encoded UTF-8, null where it does not apply;
 * - `int`: int32; `-1` where a position or k does not apply;
 * - `float`: float64 (NaN is kept: a diverging loss is information).
 *
 * | table   | columns |
 * |---------|---------|
 * | metrics | run, step, task, modality, metric, value |
 * | routing | run, step, layer, expert, modality, tokens, weight, dropped |
 * | tokens  | run, step, layer, modality, example, token, t, h, w, expert, weight |
 * | evals   | run, step, eval, modality, metric, k, value, label, predicted |
 * | meta    | meta.json: {run, config, seed, backend, versions, startedAt, ...} |
 *
 * @example
 * ```ts
 * import * as aq from 'arquero';
 * import { frames } from 'imp-lab';
 * const t = aq.table({ run: ['r'], step: [1], task: ['mnist-cls'], modality: ['image'],
 *   metric: ['loss'], value: [2.3] });
 * frames.validate(t, 'metrics'); // passes
 * frames.validate(t.select('run', 'step'), 'metrics');
 * // DataError: metrics table is missing column "task"; ...
 * ```
 */
import { DataError, ConfigError } from '../core/errors';

/** Type of a column; see the file comment for its Arrow type on disk. */
export type ColumnType = 'string' | 'string?' | 'int' | 'float';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  doc: string;
}

export interface FrameSchema {
  name: FrameName;
  doc: string;
  columns: readonly ColumnSpec[];
}

export const FRAME_NAMES = ['metrics', 'routing', 'tokens', 'evals'] as const;
export type FrameName = (typeof FRAME_NAMES)[number];

const run: ColumnSpec = { name: 'run', type: 'string', doc: 'run name (one run folder)' };
const step: ColumnSpec = { name: 'step', type: 'int', doc: 'optimizer step (0-based) the row was measured at' };

/** The schemas, by table name. Column order here is the column order on disk. */
export const SCHEMAS: Readonly<Record<FrameName, FrameSchema>> = {
  metrics: {
    name: 'metrics',
    doc: 'Training scalars per step: one row per (step, task, modality, metric). The AGD task of a step is the task of its rows.',
    columns: [
      run,
      step,
      { name: 'task', type: 'string', doc: 'AGD task that ran at this step (e.g. "mnist-cls")' },
      { name: 'modality', type: 'string', doc: 'modality the metric is about ("image", "video", "audio", "text"), or "all"' },
      { name: 'metric', type: 'string', doc: 'metric name ("loss", "z_loss", "accuracy", "lr", "step_ms", ...)' },
      { name: 'value', type: 'float', doc: 'the value' },
    ],
  },
  routing: {
    name: 'routing',
    doc: 'Expert load per step: one row per (step, layer, expert, modality), summed over the batch of that step.',
    columns: [
      run,
      step,
      { name: 'layer', type: 'int', doc: 'encoder layer index (0-based) of the MoE layer' },
      { name: 'expert', type: 'int', doc: 'expert index (0-based)' },
      { name: 'modality', type: 'string', doc: 'modality of the encoder pass' },
      { name: 'tokens', type: 'float', doc: 'tokens the expert processed' },
      { name: 'weight', type: 'float', doc: 'sum of router probabilities the expert received (over all tokens of the pass)' },
      { name: 'dropped', type: 'float', doc: 'tokens that wanted this expert but were dropped by capacity (token choice; 0 for expert choice)' },
    ],
  },
  tokens: {
    name: 'tokens',
    doc: 'Sampled token-level routing for drill-downs: one row per (step, layer, example, token, chosen expert). A token taken by several experts has several rows; a token taken by none has one row with expert -1.',
    columns: [
      run,
      step,
      { name: 'layer', type: 'int', doc: 'encoder layer index' },
      { name: 'modality', type: 'string', doc: 'modality of the example' },
      { name: 'example', type: 'int', doc: 'index of the example in the sampled batch' },
      { name: 'token', type: 'int', doc: 'token index in the sequence' },
      { name: 't', type: 'int', doc: 'temporal patch index (video tubelet, audio time patch); -1 where n/a' },
      { name: 'h', type: 'int', doc: 'vertical patch index (audio: frequency patch); -1 where n/a' },
      { name: 'w', type: 'int', doc: 'horizontal patch index; -1 where n/a' },
      { name: 'expert', type: 'int', doc: 'expert that took the token; -1 when no expert did' },
      { name: 'weight', type: 'float', doc: 'router probability of that expert for the token' },
    ],
  },
  evals: {
    name: 'evals',
    doc: 'Evaluation results: one row per (step, eval, modality, metric, k). Confusion matrices use metric "count" with label/predicted set.',
    columns: [
      run,
      step,
      { name: 'eval', type: 'string', doc: 'evaluation name (e.g. "mnist-zeroshot", "openmoji-t2i")' },
      { name: 'modality', type: 'string', doc: 'query modality or direction (e.g. "image", "text->image")' },
      { name: 'metric', type: 'string', doc: '"accuracy", "recall", "count" (confusion cell), ...' },
      { name: 'k', type: 'int', doc: 'K of top-K / recall@K; -1 where n/a' },
      { name: 'value', type: 'float', doc: 'the value (fractions in [0, 1] for accuracy and recall)' },
      { name: 'label', type: 'string?', doc: 'true class of a confusion cell; null otherwise' },
      { name: 'predicted', type: 'string?', doc: 'predicted class of a confusion cell; null otherwise' },
    ],
  },
};

/** Row of the metrics table as the trainer hands it over (run is added by the recorder). */
export interface MetricRow {
  run?: string;
  step: number;
  task: string;
  modality: string;
  metric: string;
  value: number;
}

/** Row of the routing table. Numbers must already be on the host. */
export interface RoutingRow {
  run?: string;
  step: number;
  layer: number;
  expert: number;
  modality: string;
  tokens: number;
  weight: number;
  dropped: number;
}

/** Row of the token-routing sample table; t/h/w are -1 where n/a. */
export interface TokenRoutingRow {
  run?: string;
  step: number;
  layer: number;
  modality: string;
  example: number;
  token: number;
  t: number;
  h: number;
  w: number;
  expert: number;
  weight: number;
}

/** Row of the evaluation table. k is -1 where n/a; label/predicted only for confusion cells. */
export interface EvalRow {
  run?: string;
  step: number;
  eval: string;
  modality: string;
  metric: string;
  k: number;
  value: number;
  label?: string | null;
  predicted?: string | null;
}

/** Run metadata, stored as meta.json in the run folder. Extra fields are kept as given. */
export interface RunMeta {
  run?: string;
  /** The resolved experiment config (plain JSON). */
  config?: unknown;
  seed?: number;
  backend?: string;
  /** Package and tool versions, e.g. {"imp-lab": "0.1.0", node: "v20.20.2", tfjs: "4.22.0"}. */
  versions?: Record<string, string>;
  /** ISO 8601 start time. */
  startedAt?: string;
  [key: string]: unknown;
}

/** Minimal view of an arquero table that validation needs (keeps this file free of arquero). */
export interface ColumnarTable {
  columnNames(): string[];
  numRows(): number;
  get(name: string, row?: number): unknown;
}

/** Checks a table name; throws a ConfigError listing the allowed ones. */
export function schemaOf(name: string): FrameSchema {
  if (!(FRAME_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError('schemaName', name, FRAME_NAMES.map((n) => `"${n}"`).join(' | '));
  }
  return SCHEMAS[name as FrameName];
}

function typeOk(type: ColumnType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'string?':
      return v === null || v === undefined || typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
      return typeof v === 'number';
  }
}

/**
 * Checks that `table` has every column of schema `schemaName` (extra columns are allowed) and
 * that the first row's values have the schema's types. Throws a DataError naming the first
 * missing or mistyped column. Returns the table, so it can wrap an expression.
 *
 * @example
 * ```ts
 * frames.validate(frames.open('runs/a').metrics, 'metrics');
 * ```
 */
export function validate<T extends ColumnarTable>(table: T, schemaName: FrameName | string): T {
  const schema = schemaOf(schemaName);
  if (table === null || typeof table !== 'object' || typeof (table as ColumnarTable).columnNames !== 'function') {
    throw new DataError(`${schema.name} table: got ${table === null ? 'null' : typeof table}, expected an arquero table with columns ${schema.columns.map((c) => c.name).join(', ')}`);
  }
  const have = table.columnNames();
  for (const col of schema.columns) {
    if (!have.includes(col.name)) {
      throw new DataError(
        `${schema.name} table is missing column "${col.name}" (${col.doc}); it has columns [${have.join(', ')}]; required: [${schema.columns.map((c) => c.name).join(', ')}]`,
      );
    }
  }
  if (table.numRows() > 0) {
    for (const col of schema.columns) {
      const v = table.get(col.name, 0);
      if (!typeOk(col.type, v)) {
        throw new DataError(`${schema.name} table column "${col.name}" should hold ${col.type} values; row 0 has ${JSON.stringify(v)}`);
      }
    }
  }
  return table;
}

/**
 * Checks one row handed to the recorder and returns it with `run` filled in. The message names
 * the table, row index and field, so a trainer bug points at its source.
 */
export function checkRow(schema: FrameSchema, row: Record<string, unknown>, index: number, runName: string): Record<string, unknown> {
  if (row === null || typeof row !== 'object') {
    throw new ConfigError(`${schema.name}[${index}]`, row, `an object with fields ${schema.columns.map((c) => c.name).join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const col of schema.columns) {
    let v = row[col.name];
    if (col.name === 'run' && v === undefined) v = runName;
    if (col.type === 'string?' && v === undefined) v = null;
    if (!typeOk(col.type, v)) {
      const allowed = { string: 'a string', 'string?': 'a string or null', int: 'an integer', float: 'a number' }[col.type];
      throw new ConfigError(`${schema.name}[${index}].${col.name}`, v, allowed);
    }
    out[col.name] = v;
  }
  return out;
}
