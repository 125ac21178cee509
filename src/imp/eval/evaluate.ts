/**
 * Model evaluations on a data source: zero-shot classification from text prompts (any modality
 * vs text), retrieval R@1/5/10 in both directions, and a linear probe on frozen features.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../core/tf';
import { ConfigError } from '../core/errors';
import { DataSource, Modality, Split } from '../data/types';
import { contrastiveHead } from '../heads/heads';
import { encode, ImpModel } from '../model/model';
import { softmaxCrossEntropy } from '../losses/cross_entropy';
import { Matrix, retrievalRecall, zeroShot } from './metrics';

export interface EvalOptions {
  split?: Split;
  /** Samples evaluated (default 256). */
  samples?: number;
  batchSize?: number;
  seed?: number;
  resolution?: [number, number];
  frames?: number;
  audioFrames?: number;
  textLength?: number;
}

/** Pooled or projected features of `samples` examples, with labels and (optionally) caption features. */
function collect(model: ImpModel, src: DataSource, modality: Modality, o: EvalOptions, project?: Modality): { x: Matrix; text?: Matrix; labels: Int32Array } {
  const n = o.samples ?? 256;
  const bs = o.batchSize ?? 64;
  const xs: Float32Array[] = [];
  const ts: Float32Array[] = [];
  const labels: number[] = [];
  let dim = 0;
  let tdim = 0;
  for (let start = 0, i = 0; start < n; start += bs, i++) {
    const b = src.batch({ split: o.split ?? 'test', batchSize: Math.min(bs, n - start), seed: (o.seed ?? 0) * 100003 + i, resolution: o.resolution, frames: o.frames, audioFrames: o.audioFrames, textLength: o.textLength });
    const arr = b[modality];
    if (!arr) throw new ConfigError('modality', modality, `a modality of source "${src.name}" (${src.modalities.join(', ')})`);
    tf.tidy(() => {
      const input = tf.tensor(arr.data, arr.shape, modality === 'text' ? 'int32' : 'float32');
      let f = encode(model, modality, input).pooled;
      if (project) f = contrastiveHead(model.params.heads, modality, project, f);
      dim = f.shape[1];
      xs.push(f.dataSync() as Float32Array);
      if (project === 'text' && b.text) {
        const L = b.text.shape[b.text.shape.length - 1];
        const ids = tf.tensor(b.text.data, b.text.shape, 'int32').reshape([-1, L]).slice([0, 0], [b.text.shape[0], L]); // first caption per sample
        const tf_ = contrastiveHead(model.params.heads, 'text', modality, encode(model, 'text', ids).pooled);
        tdim = tf_.shape[1];
        ts.push(tf_.dataSync() as Float32Array);
      }
    });
    if (b.labels) labels.push(...Array.from(b.labels.data as Int32Array));
  }
  const cat = (parts: Float32Array[]) => { const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0)); let o2 = 0; for (const p of parts) { out.set(p, o2); o2 += p.length; } return out; };
  return { x: { data: cat(xs), rows: n, cols: dim }, text: ts.length ? { data: cat(ts), rows: n, cols: tdim } : undefined, labels: Int32Array.from(labels) };
}

/**
 * Zero-shot classification of `modality` samples against text prompts of every class (prompt
 * embeddings averaged over templates).
 *
 * @example
 * ```ts
 * const r = zeroShotEval(model, openDataSource('mnist'), 'image', { samples: 200 });
 * r.accuracy; r.confusion; // [true][predicted] counts
 * ```
 */
export function zeroShotEval(model: ImpModel, src: DataSource, modality: Modality, o: EvalOptions = {}): { accuracy: number; confusion: number[][]; classNames: string[] } {
  if (!src.prompts || !src.classNames || !src.tokenizer) throw new ConfigError('source', src.name, 'a source with classNames, prompts and a tokenizer');
  const L = o.textLength ?? 16;
  const k = src.classNames.length;
  const classEmb = tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (let c = 0; c < k; c++) {
      const ps = src.prompts!(c);
      const ids = new Int32Array(ps.length * L);
      ps.forEach((p, i) => ids.set(src.tokenizer!.encode(p, L), i * L));
      const z = contrastiveHead(model.params.heads, 'text', modality, encode(model, 'text', tf.tensor2d(ids, [ps.length, L], 'int32')).pooled);
      rows.push(z.div(z.norm('euclidean', 1, true)).mean(0));
    }
    return tf.stack(rows) as tf.Tensor2D;
  });
  const classes: Matrix = { data: classEmb.dataSync() as Float32Array, rows: k, cols: classEmb.shape[1] };
  classEmb.dispose();
  const { x, labels } = collect(model, src, modality, o, 'text');
  const z = zeroShot(x, classes, labels);
  return { accuracy: z.accuracy, confusion: z.confusion, classNames: [...src.classNames] };
}

/** Retrieval between `modality` samples and their captions, R@K both directions. */
export function retrievalEval(model: ImpModel, src: DataSource, modality: Modality, o: EvalOptions & { ks?: number[] } = {}): ReturnType<typeof retrievalRecall> {
  const { x, text } = collect(model, src, modality, o, 'text');
  if (!text) throw new ConfigError('source', src.name, 'a source whose batches carry text captions');
  return retrievalRecall(x, text, o.ks ?? [1, 5, 10]);
}

/**
 * Linear probe: a softmax classifier trained on frozen pooled features of the train split
 * (Adam, full batch), evaluated on the test split.
 */
export function linearProbe(model: ImpModel, src: DataSource, modality: Modality, o: EvalOptions & { trainSamples?: number; steps?: number; lr?: number } = {}): { accuracy: number; trainAccuracy: number } {
  const k = src.classNames?.length;
  if (!k) throw new ConfigError('source', src.name, 'a labelled source');
  const tr = collect(model, src, modality, { ...o, split: 'train', samples: o.trainSamples ?? 512 });
  const te = collect(model, src, modality, { ...o, split: o.split ?? 'test' });
  const w = tf.variable(tf.zeros([tr.x.cols, k]));
  const b = tf.variable(tf.zeros([k]));
  const opt = tf.train.adam(o.lr ?? 0.01);
  const xtr = tf.tensor2d(tr.x.data, [tr.x.rows, tr.x.cols]);
  const ytr = tf.tensor1d(tr.labels, 'int32');
  for (let i = 0; i < (o.steps ?? 200); i++) {
    opt.minimize(() => softmaxCrossEntropy(xtr.matMul(w).add(b) as tf.Tensor2D, ytr), false, [w, b])?.dispose();
  }
  const acc = (x: Matrix, y: Int32Array) => tf.tidy(() => tf.tensor2d(x.data, [x.rows, x.cols]).matMul(w).add(b).argMax(1).equal(tf.tensor1d(y, 'int32')).toFloat().mean().dataSync()[0]);
  const result = { accuracy: acc(te.x, te.labels), trainAccuracy: acc(tr.x, tr.labels) };
  tf.dispose([w, b, xtr, ytr]);
  opt.dispose();
  return result;
}
