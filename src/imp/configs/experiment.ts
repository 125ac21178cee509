/**
 * Experiments are named, typed configs, one file each (STYLE.md point 4); notebooks and the CLI
 * override fields (`withOverrides`), never copy a config.
 */
import { ConfigError } from '../core/errors';
import { Registry } from '../core/registry';
import { ModelConfigInput } from '../model/config';
import { AdamWConfig, checkAdamW, DEFAULT_ADAMW } from '../train/optimizer';
import { samplers } from '../train/samplers';
import { ScheduleConfig } from '../train/schedule';
import { checkTasks, TaskConfig } from '../train/tasks';

export const MODES = ['agd', 'mixing'] as const;
export type TrainMode = (typeof MODES)[number];

export interface RecordConfig {
  /** Scalars are read back every this many steps. */
  readEvery: number;
  /** Routing rows (per layer x expert) every this many steps. */
  routingEvery: number;
  /** Token-level routing samples (one example per modality pass) every this many steps; 0 = never. */
  tokensEvery: number;
}

export interface ExperimentConfig {
  name: string;
  /** One line for `imp-lab train --list`. */
  description: string;
  /** The paper claim it tests, the expected direction, and its runtime on the reference machine. */
  claim?: string;
  expected?: string;
  runtime?: string;
  model: ModelConfigInput;
  tasks: TaskConfig[];
  sampler: string;
  mode: TrainMode;
  steps: number;
  optimizer: AdamWConfig & { schedule: Omit<ScheduleConfig, 'totalSteps'> };
  record: RecordConfig;
}

export const DEFAULT_RECORD: RecordConfig = { readEvery: 10, routingEvery: 1, tokensEvery: 50 };

export type ExperimentOverrides = Partial<Omit<ExperimentConfig, 'optimizer' | 'record'>> & {
  optimizer?: Partial<ExperimentConfig['optimizer']>;
  record?: Partial<RecordConfig>;
};

/** Validates an experiment; throws ConfigError naming the first bad field. */
export function checkExperiment(e: ExperimentConfig): ExperimentConfig {
  if (!e || typeof e !== 'object') throw new ConfigError('experiment', e, 'an experiment object');
  if (typeof e.name !== 'string' || !e.name) throw new ConfigError('experiment.name', e.name, 'a non-empty string');
  checkTasks(e.tasks);
  if (!samplers.has(e.sampler)) throw new ConfigError('sampler', e.sampler, samplers.names().map((n) => `"${n}"`).join(' | '));
  if (!(MODES as readonly string[]).includes(e.mode)) throw new ConfigError('mode', e.mode, MODES.map((m) => `"${m}"`).join(' | '));
  if (!Number.isInteger(e.steps) || e.steps < 1) throw new ConfigError('steps', e.steps, 'an integer >= 1');
  checkAdamW(e.optimizer);
  for (const k of ['readEvery', 'routingEvery'] as const) if (!Number.isInteger(e.record[k]) || e.record[k] < 1) throw new ConfigError(`record.${k}`, e.record[k], 'an integer >= 1');
  if (!Number.isInteger(e.record.tokensEvery) || e.record.tokensEvery < 0) throw new ConfigError('record.tokensEvery', e.record.tokensEvery, 'an integer >= 0');
  return e;
}

/**
 * A copy of `base` with fields replaced (model, optimizer and record merged one level deep).
 *
 * @example
 * ```ts
 * const e = withOverrides(getExperiment('tiny-moe'), { steps: 50, model: { moe: { numExperts: 8 } } });
 * ```
 */
export function withOverrides(base: ExperimentConfig, o: ExperimentOverrides = {}): ExperimentConfig {
  const model = o.model ? { ...base.model, ...o.model, ...(o.model.moe !== undefined ? { moe: o.model.moe === null ? null : { ...(base.model.moe ?? {}), ...o.model.moe } } : {}) } : base.model;
  return checkExperiment({
    ...base,
    ...o,
    model,
    optimizer: { ...base.optimizer, ...(o.optimizer ?? {}), schedule: { ...base.optimizer.schedule, ...(o.optimizer?.schedule ?? {}) } },
    record: { ...base.record, ...(o.record ?? {}) },
  } as ExperimentConfig);
}

/** The registered experiments by name. */
export const experiments = new Registry<ExperimentConfig>('experiment');

export function registerExperiment(e: ExperimentConfig): void {
  experiments.register(e.name, checkExperiment(e));
}

/** A registered experiment (a deep copy, so callers may change it freely). */
export function getExperiment(name: string): ExperimentConfig {
  return JSON.parse(JSON.stringify(experiments.get(name))) as ExperimentConfig;
}

export { DEFAULT_ADAMW };
