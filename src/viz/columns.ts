/**
 * Reading frames into plain column arrays. Builders loop over arrays instead of arquero
 * expressions: arquero expressions cannot close over options (see DESIGN.md), and a plain loop
 * over 50k routing rows costs a few milliseconds.
 */
import { DataError } from '../imp/core/errors';
import { validate, type FrameName, type ColumnarTable } from '../imp/frames/schemas';

/** The arquero table methods the views use. */
export interface ViewTable extends ColumnarTable {
  array(name: string): ArrayLike<unknown>;
}

/** Validates `table` against schema `name` and returns the requested columns as arrays. */
export function columns<K extends string>(table: ViewTable, name: FrameName, cols: readonly K[]): Record<K, ArrayLike<unknown>> & { n: number } {
  validate(table, name);
  const out = { n: table.numRows() } as Record<K, ArrayLike<unknown>> & { n: number };
  for (const c of cols) (out as Record<string, ArrayLike<unknown>>)[c] = table.array(c);
  return out;
}

/** Sorted distinct values. Numbers sort numerically, strings by code point. */
export function distinct<T extends string | number>(values: Iterable<T>): T[] {
  const s = [...new Set(values)];
  return s.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

/** Throws a DataError that says which rows a view needed and what the table holds. */
export function noRows(view: string, wanted: string, have: string): never {
  throw new DataError(`${view}: no rows with ${wanted}; the table has ${have}`);
}

/**
 * Exponential moving average with TensorBoard's debiasing: weight w in [0, 1); 0 = raw.
 * The first points are not pulled towards 0.
 */
export function smooth(values: number[], w: number): number[] {
  if (w <= 0) return values.slice();
  let last = 0;
  let norm = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    norm = norm * w + (1 - w);
    return last / norm;
  });
}

/** Mean of y per distinct x (x ascending). */
export function meanByStep(steps: number[], values: number[]): { x: number[]; y: number[] } {
  const acc = new Map<number, [number, number]>();
  steps.forEach((s, i) => {
    const a = acc.get(s) ?? [0, 0];
    a[0] += values[i];
    a[1] += 1;
    acc.set(s, a);
  });
  const x = [...acc.keys()].sort((a, b) => a - b);
  return { x, y: x.map((s) => acc.get(s)![0] / acc.get(s)![1]) };
}

/** The task that ran at each step (the task of the step's first metrics row), step ascending. */
export function scheduleOf(steps: ArrayLike<unknown>, tasks: ArrayLike<unknown>): { step: number[]; task: string[] } {
  const m = new Map<number, string>();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as number;
    if (!m.has(s)) m.set(s, tasks[i] as string);
  }
  const step = [...m.keys()].sort((a, b) => a - b);
  return { step, task: step.map((s) => m.get(s)!) };
}

/** Which steps a routing view covers: one `step`, an inclusive `steps` window, or all. */
export interface StepWindow {
  /** One step (rows at exactly this step). */
  step?: number;
  /** Inclusive window [first, last]. */
  steps?: [number, number];
}

/** A predicate for the window, and its description for titles. */
export function stepWindow(opts: StepWindow): { keep: (s: number) => boolean; label: string } {
  if (opts.step !== undefined) {
    const s = opts.step;
    if (typeof s !== 'number' || !Number.isInteger(s)) throw new DataError(`step: got ${JSON.stringify(s)}; allowed: an integer step`);
    return { keep: (x) => x === s, label: `step ${s}` };
  }
  if (opts.steps !== undefined) {
    const [a, b] = opts.steps;
    if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b)) throw new DataError(`steps: got ${JSON.stringify(opts.steps)}; allowed: [first, last] with first <= last`);
    return { keep: (x) => x >= a && x <= b, label: `steps ${a}–${b}` };
  }
  return { keep: () => true, label: 'all steps' };
}
