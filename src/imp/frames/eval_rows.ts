/**
 * Turning evaluation results into evals rows, so the evaluator's outputs land in the table the
 * confusion and retrieval views read.
 */
import { ShapeError } from '../core/errors';
import type { EvalRow } from './schemas';

/**
 * Confusion counts `[true][predicted]` as evals rows (metric "count", label/predicted = class names).
 *
 * @example
 * ```ts
 * const r = evaluateZeroShot(model, source, 'image');
 * recorder.evals(frames.confusionRows({ step, eval: 'mnist-zeroshot', modality: 'image', classNames: source.classNames!, confusion: r.confusion }));
 * ```
 */
export function confusionRows(o: { step: number; eval: string; modality: string; classNames: readonly string[]; confusion: number[][] }): EvalRow[] {
  const n = o.classNames.length;
  if (o.confusion.length !== n || o.confusion.some((r) => r.length !== n)) {
    throw new ShapeError('confusion', [o.confusion.length, o.confusion[0]?.length ?? 0], `[${n}, ${n}] (one row and column per class name)`);
  }
  const rows: EvalRow[] = [];
  o.confusion.forEach((row, i) => row.forEach((value, j) => {
    if (value !== 0) rows.push({ step: o.step, eval: o.eval, modality: o.modality, metric: 'count', k: -1, value, label: o.classNames[i], predicted: o.classNames[j] });
  }));
  return rows;
}

/**
 * Recall@K values as evals rows (metric "recall", value a fraction).
 *
 * @example
 * ```ts
 * recorder.evals(frames.recallRows({ step, eval: 'openmoji', modality: 'text->image', recall: { 1: 0.12, 5: 0.35, 10: 0.5 } }));
 * ```
 */
export function recallRows(o: { step: number; eval: string; modality: string; recall: Record<number, number> }): EvalRow[] {
  return Object.entries(o.recall).map(([k, value]) => ({ step: o.step, eval: o.eval, modality: o.modality, metric: 'recall', k: Number(k), value }));
}
