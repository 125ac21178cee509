/**
 * Evaluation metrics on host embeddings: retrieval recall@K in both directions and zero-shot
 * classification against class embeddings. Pure functions of arrays, so they are tested on
 * hand-made embeddings.
 */
import { ShapeError } from '../core/errors';

/** Row-major [n, d] matrix. */
export interface Matrix { data: Float32Array; rows: number; cols: number }

export function matrix(data: Float32Array | number[][], rows?: number, cols?: number): Matrix {
  if (Array.isArray(data)) return { data: Float32Array.from(data.flat()), rows: data.length, cols: data[0]?.length ?? 0 };
  return { data, rows: rows as number, cols: cols as number };
}

function normalizeRows(m: Matrix): Float32Array {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] ** 2;
    const inv = 1 / Math.sqrt(s + 1e-12);
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[i * m.cols + j] * inv;
  }
  return out;
}

/** Cosine similarities [a.rows, b.rows]. */
export function cosine(a: Matrix, b: Matrix): Float32Array {
  if (a.cols !== b.cols) throw new ShapeError('cosine inputs', [[a.rows, a.cols], [b.rows, b.cols]], 'matrices with the same number of columns');
  const an = normalizeRows(a);
  const bn = normalizeRows(b);
  const s = new Float32Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < b.rows; j++) {
    let d = 0;
    for (let k = 0; k < a.cols; k++) d += an[i * a.cols + k] * bn[j * a.cols + k];
    s[i * b.rows + j] = d;
  }
  return s;
}

/** Rank (0 = best) of column `target` in row `i` of a [rows, cols] score matrix; ties count against. */
function rankOf(s: Float32Array, cols: number, i: number, target: number): number {
  const v = s[i * cols + target];
  let r = 0;
  for (let j = 0; j < cols; j++) if (j !== target && s[i * cols + j] >= v) r++;
  return r;
}

/**
 * Retrieval recall@K for paired rows (a_i matches b_i), both directions.
 *
 * @example
 * ```ts
 * const r = retrievalRecall(matrix([[1, 0], [0, 1]]), matrix([[1, 0.1], [0.2, 1]]), [1]);
 * r.aToB[1]; // 1
 * ```
 */
export function retrievalRecall(a: Matrix, b: Matrix, ks: number[] = [1, 5, 10]): { aToB: Record<number, number>; bToA: Record<number, number> } {
  if (a.rows !== b.rows) throw new ShapeError('retrieval inputs', [a.rows, b.rows], 'the same number of paired rows');
  const s = cosine(a, b); // [n, n]
  const n = a.rows;
  const t = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = s[i * n + j];
  const aToB: Record<number, number> = {};
  const bToA: Record<number, number> = {};
  const ra = Array.from({ length: n }, (_, i) => rankOf(s, n, i, i));
  const rb = Array.from({ length: n }, (_, i) => rankOf(t, n, i, i));
  for (const k of ks) {
    aToB[k] = ra.filter((r) => r < k).length / n;
    bToA[k] = rb.filter((r) => r < k).length / n;
  }
  return { aToB, bToA };
}

/**
 * Zero-shot classification: each sample takes the class whose embedding is most similar.
 * Returns accuracy, predictions and the confusion counts [true, predicted].
 *
 * @example
 * ```ts
 * zeroShot(matrix([[1, 0], [0, 1], [1, 0.1]]), matrix([[1, 0], [0, 1]]), [0, 1, 1]).accuracy; // 2/3
 * ```
 */
export function zeroShot(samples: Matrix, classes: Matrix, labels: ArrayLike<number>): { accuracy: number; predictions: Int32Array; confusion: number[][] } {
  if (labels.length !== samples.rows) throw new ShapeError('zero-shot labels', [labels.length], `${samples.rows} labels`);
  const s = cosine(samples, classes);
  const k = classes.rows;
  const predictions = new Int32Array(samples.rows);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < samples.rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (s[i * k + c] > s[i * k + best]) best = c;
    predictions[i] = best;
    confusion[labels[i]][best]++;
    if (best === labels[i]) correct++;
  }
  return { accuracy: correct / Math.max(1, samples.rows), predictions, confusion };
}
