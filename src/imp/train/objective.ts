/**
 * The loss of one task on one batch: encode each modality in its own pass, apply the task's
 * heads and loss, add the MoE auxiliary losses. Everything a notebook may want to inspect (loss
 * parts, routing records, token positions) is returned as data.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../core/tf';
import { ConfigError, DataError } from '../core/errors';
import { Rng } from '../core/rng';
import { HostBatch, Modality } from '../data/types';
import { classify, contrastiveHead, pairTemperature } from '../heads/heads';
import { softmaxCrossEntropy } from '../losses/cross_entropy';
import { milNceLoss } from '../losses/nce';
import { encode, Encoded, ImpModel } from '../model/model';
import { RoutingRecord } from '../moe/record';
import { TaskConfig } from './tasks';

/** One named scalar of a step (a loss term, an accuracy). */
export interface LossPart {
  modality: string;
  metric: string;
  value: tf.Scalar;
}

/** Per modality pass: its routing records and token positions. */
export interface PassInfo {
  modality: Modality;
  routing: RoutingRecord[];
  embedded: Encoded['embedded'];
  batch: number;
}

export interface TaskLoss {
  loss: tf.Scalar;
  parts: LossPart[];
  passes: PassInfo[];
}

/** Host batch -> tensors for the fields a task uses. Call inside a tidy. */
export function batchTensors(task: TaskConfig, b: HostBatch): Partial<Record<Modality | 'labels', tf.Tensor>> {
  const out: Partial<Record<Modality | 'labels', tf.Tensor>> = {};
  for (const m of task.modalities) {
    const a = b[m];
    if (!a) throw new DataError(`task "${task.name}": source "${task.dataset}" gave no "${m}" field (it gave: ${Object.keys(b).filter((k) => (b as Record<string, unknown>)[k]).join(', ')})`);
    out[m] = tf.tensor(a.data, a.shape, m === 'text' ? 'int32' : 'float32');
  }
  if (task.objective === 'classification') {
    if (!b.labels) throw new DataError(`task "${task.name}": source "${task.dataset}" gave no labels for classification`);
    out.labels = tf.tensor(b.labels.data, b.labels.shape, b.labels.data instanceof Int32Array ? 'int32' : 'float32');
  }
  return out;
}

/** Does the model have heads for the pair (either order)? */
function hasPair(model: ImpModel, a: Modality, b: Modality): boolean {
  return model.config.heads.pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

/**
 * Loss of `task` on one batch of tensors (see batchTensors). Run inside tf.variableGrads to train.
 *
 * @example
 * ```ts
 * const { loss, parts } = taskLoss(model, task, batchTensors(task, source.batch(req)), new Rng(0));
 * ```
 */
export function taskLoss(model: ImpModel, task: TaskConfig, inputs: Partial<Record<Modality | 'labels', tf.Tensor>>, rng: Rng): TaskLoss {
  const parts: LossPart[] = [];
  const passes: PassInfo[] = [];
  const moe = model.config.moe;
  const encoded = new Map<Modality, { out: Encoded; positives: number }>();
  for (const m of task.modalities) {
    let x = inputs[m] as tf.Tensor;
    let positives = 1;
    if (m === 'text' && x.rank === 3) {
      const [b, p, l] = x.shape as [number, number, number];
      positives = p;
      x = x.reshape([b * p, l]); // [B*P, L]: MIL-NCE positives
    }
    const drop = m === 'text' ? 0 : task.dropToken ?? 0;
    const out = encode(model, m, x, { dropToken: drop, rng });
    encoded.set(m, { out, positives });
    passes.push({ modality: m, routing: out.aux.routing, embedded: out.embedded, batch: x.shape[0] });
  }

  let main: tf.Scalar;
  if (task.objective === 'classification') {
    const m = task.modalities[0];
    const logits = classify(model.params.heads, task.classifier ?? task.dataset, (encoded.get(m) as { out: Encoded }).out.pooled);
    const labels = inputs.labels as tf.Tensor;
    main = softmaxCrossEntropy(logits, labels);
    parts.push({ modality: m, metric: 'ce', value: tf.keep(main) });
    if (labels.rank === 1) {
      const acc = tf.keep(logits.argMax(1).equal(labels.toInt()).toFloat().mean() as tf.Scalar);
      parts.push({ modality: m, metric: 'accuracy', value: acc });
    }
  } else {
    const terms: tf.Scalar[] = [];
    const mods = task.modalities;
    for (let i = 0; i < mods.length; i++) {
      for (let j = i + 1; j < mods.length; j++) {
        let [a, b] = [mods[i], mods[j]];
        if (!hasPair(model, a, b)) throw new ConfigError(`task "${task.name}".modalities`, mods, `pairs present in model.heads.pairs (${model.config.heads.pairs.map((p) => p.join('-')).join(', ')}); missing ${a}-${b}`);
        if (encoded.get(a)!.positives > 1) [a, b] = [b, a]; // the side with several positives goes second
        const ea = encoded.get(a)!;
        const eb = encoded.get(b)!;
        const za = contrastiveHead(model.params.heads, a, b, ea.out.pooled);
        const zb = contrastiveHead(model.params.heads, b, a, eb.out.pooled);
        const l = milNceLoss(za, zb, eb.positives, pairTemperature(model.params.heads, a, b));
        parts.push({ modality: `${a}-${b}`, metric: eb.positives > 1 ? 'mil_nce' : 'nce', value: tf.keep(l) });
        parts.push({ modality: `${a}-${b}`, metric: 'temperature', value: tf.keep(pairTemperature(model.params.heads, a, b)) });
        terms.push(l);
      }
    }
    main = tf.addN(terms) as tf.Scalar;
  }

  let loss = main;
  if (moe) {
    const z = tf.addN([...encoded.values()].map((e) => e.out.aux.zLoss)) as tf.Scalar;
    const bal = tf.addN([...encoded.values()].map((e) => e.out.aux.balanceLoss)) as tf.Scalar;
    parts.push({ modality: 'all', metric: 'z_loss', value: tf.keep(z) });
    parts.push({ modality: 'all', metric: 'balance_loss', value: tf.keep(bal) });
    loss = loss.add(z.mul(moe.zLossWeight)).add(bal.mul(moe.balanceLossWeight)) as tf.Scalar;
  }
  return { loss, parts, passes };
}
