/**
 * AGD tasks (IMP.md "Alternating Gradient Descent"): a task is a dataset + objective +
 * modalities + input shape (resolution, frames, batch size) + DropToken rate. Each AGD step
 * draws one task and computes only its loss.
 */
import { ConfigError } from '../core/errors';
import { Registry } from '../core/registry';
import { Modality } from '../data/types';
import { checkModality } from '../model/config';

export const OBJECTIVES = ['classification', 'contrastive'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface TaskConfig {
  /** Unique within an experiment, e.g. "mnist-cls". */
  name: string;
  /** A registered data source, e.g. "mnist". */
  dataset: string;
  objective: Objective;
  /** classification: the one input modality; contrastive: 2+ modalities, every pair is a loss term. */
  modalities: Modality[];
  batchSize: number;
  /** Vision [H, W] (resampled by the source). */
  resolution?: [number, number];
  frames?: number;
  audioFrames?: number;
  textLength?: number;
  /** Fraction of vision/audio tokens dropped before the encoder (IMP: 0.75 for contrastive video). */
  dropToken?: number;
  /** Share of steps for the weighted sampler (normalised over tasks). */
  weight?: number;
  /** Steps per cycle for the interval sampler (integer >= 1). */
  interval?: number;
  /** Classification head name (default: the dataset name). */
  classifier?: string;
  /** Options passed to the data source when it is opened (e.g. captionsPerSample). */
  sourceOptions?: Record<string, unknown>;
}

/** Validates one task; `field` is its path in the experiment, e.g. "tasks[2]". */
export function checkTask(t: TaskConfig, field: string): TaskConfig {
  if (!t || typeof t !== 'object') throw new ConfigError(field, t, 'a task object');
  if (typeof t.name !== 'string' || !t.name) throw new ConfigError(`${field}.name`, t.name, 'a non-empty string');
  if (typeof t.dataset !== 'string' || !t.dataset) throw new ConfigError(`${field}.dataset`, t.dataset, 'a registered data source name');
  if (!(OBJECTIVES as readonly string[]).includes(t.objective)) throw new ConfigError(`${field}.objective`, t.objective, OBJECTIVES.map((o) => `"${o}"`).join(' | '));
  if (!Array.isArray(t.modalities) || t.modalities.length === 0) throw new ConfigError(`${field}.modalities`, t.modalities, 'a non-empty array of modalities');
  t.modalities.forEach((m, i) => checkModality(`${field}.modalities[${i}]`, m));
  if (t.objective === 'classification' && t.modalities.length !== 1) throw new ConfigError(`${field}.modalities`, t.modalities, 'exactly one input modality for classification');
  if (t.objective === 'contrastive' && new Set(t.modalities).size < 2) throw new ConfigError(`${field}.modalities`, t.modalities, 'two or more different modalities for contrastive');
  if (!Number.isInteger(t.batchSize) || t.batchSize < 1) throw new ConfigError(`${field}.batchSize`, t.batchSize, 'an integer >= 1');
  if (t.objective === 'contrastive' && t.batchSize < 2) throw new ConfigError(`${field}.batchSize`, t.batchSize, 'an integer >= 2 for contrastive (negatives come from the batch)');
  if (t.dropToken !== undefined && !(typeof t.dropToken === 'number' && t.dropToken >= 0 && t.dropToken < 1)) throw new ConfigError(`${field}.dropToken`, t.dropToken, 'a number in [0, 1)');
  if (t.weight !== undefined && !(typeof t.weight === 'number' && Number.isFinite(t.weight) && t.weight >= 0)) throw new ConfigError(`${field}.weight`, t.weight, 'a finite number >= 0');
  if (t.interval !== undefined && !(Number.isInteger(t.interval) && t.interval >= 0)) throw new ConfigError(`${field}.interval`, t.interval, 'an integer >= 0');
  if (t.resolution !== undefined && !(Array.isArray(t.resolution) && t.resolution.length === 2 && t.resolution.every((v) => Number.isInteger(v) && v >= 1))) {
    throw new ConfigError(`${field}.resolution`, t.resolution, '[H, W] integers >= 1');
  }
  for (const k of ['frames', 'audioFrames', 'textLength'] as const) {
    if (t[k] !== undefined && !(Number.isInteger(t[k]) && (t[k] as number) >= 1)) throw new ConfigError(`${field}.${k}`, t[k], 'an integer >= 1');
  }
  return t;
}

/** Checks a task list: each task valid, names unique. */
export function checkTasks(tasks: TaskConfig[], field = 'tasks'): TaskConfig[] {
  if (!Array.isArray(tasks) || tasks.length === 0) throw new ConfigError(field, tasks, 'a non-empty array of tasks');
  const seen = new Set<string>();
  tasks.forEach((t, i) => {
    checkTask(t, `${field}[${i}]`);
    if (seen.has(t.name)) throw new ConfigError(`${field}[${i}].name`, t.name, 'a name not used by another task');
    seen.add(t.name);
  });
  return tasks;
}

/** Named task presets that experiments and notebooks can refer to. */
export const taskPresets = new Registry<TaskConfig>('task');
