/**
 * The AGD trainer (IMP.md "Alternating Gradient Descent"): each step draws ONE task from a pure
 * sampler, computes only that task's loss and applies ONE AdamW update to all parameters. The
 * `mixing` mode is the baseline AGD is compared with: every step sums the losses of all tasks.
 * Every step's task, losses, learning rate, gradient norm and routing go to the recorder's
 * long-form tables; checkpoints hold model + optimizer + sampler + RNG state, so a resumed run
 * reproduces an uninterrupted one exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../core/tf';
import { createHash } from 'node:crypto';
import { CheckpointError, ConfigError } from '../core/errors';
import { interruptRequested, throwIfInterrupted } from '../core/interrupt';
import { flattenParams, ParamTree } from '../core/params';
import { Rng } from '../core/rng';
import { dataSources } from '../data/index';
import { DataSource, Modality } from '../data/types';
import { unravel } from '../embed/embedded';
import { ExperimentConfig, ExperimentOverrides, getExperiment, withOverrides } from '../configs/index';
import type { Recorder } from '../frames/recorder';
import type { EvalRow } from '../frames/schemas';
import { confusionRows, recallRows } from '../frames/eval_rows';
import { retrievalEval, zeroShotEval } from '../eval/evaluate';
import { createModel, disposeModel, ImpModel } from '../model/model';
import { ModelConfigInput } from '../model/config';
import { loadCheckpoint, saveCheckpoint, SaveOptions, StoredArray } from './checkpoint';
import { batchTensors, PassInfo, taskLoss } from './objective';
import { AdamWState, applyAdamW, createAdamW, disposeAdamW, globalNorm } from './optimizer';
import { createSampler, Sampler, SamplerState } from './samplers';
import { learningRate } from './schedule';
import { smokeSource } from './smoke_source';

export interface TrainerOptions {
  /** A registered experiment name or a full config. */
  experiment: string | ExperimentConfig;
  overrides?: ExperimentOverrides;
  seed?: number;
  /** Records metrics/routing here (see frames.createRecorder); omit to record nothing. */
  recorder?: Recorder;
  /** Data sources by name (default: the registry; `synthetic-smoke` is always available). */
  sources?: Record<string, DataSource>;
  /** Data directory for registered sources. */
  dataDir?: string;
  /** Measure each step's peak tensor memory with tf.profile (slower; for the AGD vs mixing ablation). */
  profileMemory?: boolean;
}

export interface StepReport {
  step: number;
  /** Task names trained this step (one for AGD, all for mixing). */
  tasks: string[];
  loss: number;
  gradNorm: number;
  lr: number;
  skipped: boolean;
  ms: number;
  peakBytes?: number;
  passes: PassInfo[];
}

export interface RunOptions {
  steps: number;
  /** Called after every step (progress bars, live charts). */
  onStep?: (r: StepReport, t: Trainer) => void | Promise<void>;
  /** Yield to the event loop every this many steps so a notebook interrupt can arrive (default 1). */
  yieldEvery?: number;
}

/** What a checkpoint stores beside the arrays. */
interface TrainerState {
  experiment: ExperimentConfig;
  configHash: string;
  seed: number;
  step: number;
  sampler: SamplerState;
  samplerRng: number[];
  optimizerCount: number;
  skippedSteps: number;
}

/** Stable hash of the parts of an experiment that must match for a resume. */
export function experimentHash(e: ExperimentConfig): string {
  const { steps: _s, record: _r, ...rest } = e;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

/** Mixes integers into a 31-bit seed (FNV-1a over their decimal strings); the batch seed of task i at step s is mix(seed, s, i). */
export function mix(...xs: number[]): number {
  let h = 2166136261;
  for (const ch of xs.join(':')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h >>> 1;
}

export class Trainer {
  readonly experiment: ExperimentConfig;
  readonly model: ImpModel;
  readonly seed: number;
  readonly sources: Record<string, DataSource>;
  readonly sampler: Sampler;
  readonly vars: Record<string, tf.Variable>;
  optimizer: AdamWState;
  recorder?: Recorder;
  /** Steps completed (the next step's index). */
  step = 0;
  skippedSteps = 0;
  samplerState: SamplerState;
  samplerRng: Rng;
  private readonly profileMemory: boolean;
  private readonly varPaths: Map<string, string>;

  constructor(opts: TrainerOptions) {
    const base = typeof opts.experiment === 'string' ? getExperiment(opts.experiment) : opts.experiment;
    this.experiment = withOverrides(base, opts.overrides);
    this.seed = opts.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw new ConfigError('seed', this.seed, 'an integer');
    this.sources = { ...openSources(this.experiment, opts) };
    this.sampler = createSampler(this.experiment.sampler, this.experiment.tasks);
    this.model = createModel(completeModelConfig(this.experiment, this.sources), { seed: this.seed });
    this.vars = flattenParams(this.model.params as unknown as ParamTree);
    this.varPaths = new Map(Object.entries(this.vars).map(([p, v]) => [v.name, p]));
    this.optimizer = createAdamW(this.vars);
    this.samplerState = this.sampler.init();
    this.samplerRng = new Rng(mix(this.seed, 1));
    this.recorder = opts.recorder;
    this.profileMemory = opts.profileMemory ?? false;
  }

  /** Runs one training step (AGD: one task; mixing: all tasks summed) and records it. */
  trainStep(): StepReport {
    const e = this.experiment;
    const step = this.step;
    const drawn = this.sampler.next(this.samplerState, this.samplerRng);
    const taskIdx = e.mode === 'agd' ? [drawn.task] : e.tasks.map((_, i) => i);
    const lr = learningRate({ ...e.optimizer.schedule, totalSteps: e.steps }, step);
    const t0 = performance.now();
    let passes: PassInfo[] = [];
    const parts: { task: string; modality: string; metric: string; value: tf.Scalar }[] = [];
    let lossVal = NaN;
    let normVal = NaN;
    const run = () => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        let total: tf.Scalar | null = null;
        passes = [];
        for (const i of taskIdx) {
          const task = e.tasks[i];
          const src = this.sources[task.dataset];
          const hb = src.batch({
            split: 'train', batchSize: task.batchSize, seed: mix(this.seed, step, i),
            resolution: task.resolution, frames: task.frames, audioFrames: task.audioFrames, textLength: task.textLength,
          });
          const out = taskLoss(this.model, task, batchTensors(task, hb), new Rng(mix(this.seed, step, i, 2)));
          for (const p of out.parts) parts.push({ task: task.name, ...p });
          passes.push(...out.passes);
          total = total ? total.add(out.loss) as tf.Scalar : out.loss;
        }
        return total as tf.Scalar;
      }, Object.values(this.vars));
      const byPath: Record<string, tf.Tensor> = {};
      for (const [name, g] of Object.entries(grads)) byPath[this.varPaths.get(name) as string] = g;
      const norm = globalNorm(byPath);
      lossVal = value.dataSync()[0];
      normVal = norm.dataSync()[0];
      // A NaN/Inf loss or gradient is never applied: the step is skipped and counted.
      if (Number.isFinite(lossVal) && Number.isFinite(normVal)) applyAdamW(this.optimizer, this.vars, byPath, lr, e.optimizer, normVal);
    });
    const peakBytes = this.profileMemory ? peakBytesOf(run) : (run(), undefined);
    const skipped = !(Number.isFinite(lossVal) && Number.isFinite(normVal));
    if (skipped) this.skippedSteps++;
    const ms = performance.now() - t0;
    this.samplerState = drawn.state;
    this.step = step + 1;
    const taskNames = taskIdx.map((i) => e.tasks[i].name);
    const report: StepReport = { step, tasks: taskNames, loss: lossVal, gradNorm: normVal, lr, skipped, ms, peakBytes, passes };
    this.record(report, parts);
    return report;
  }

  private record(r: StepReport, parts: { task: string; modality: string; metric: string; value: tf.Scalar }[]): void {
    const rec = this.recorder;
    if (!rec) {
      tf.dispose(parts.map((p) => p.value));
      return;
    }
    const task = r.tasks.length === 1 ? r.tasks[0] : 'mixing';
    rec.metric(r.step, task, 'all', 'loss', r.loss);
    rec.metric(r.step, task, 'all', 'lr', r.lr);
    rec.metric(r.step, task, 'all', 'grad_norm', r.gradNorm);
    rec.metric(r.step, task, 'all', 'step_ms', r.ms);
    rec.metric(r.step, task, 'all', 'skipped', r.skipped ? 1 : 0);
    if (r.peakBytes !== undefined) rec.metric(r.step, task, 'all', 'peak_bytes', r.peakBytes);
    for (const p of parts) rec.metric(r.step, p.task, p.modality, p.metric, p.value);
    const rc = this.experiment.record;
    if (r.step % rc.routingEvery === 0) {
      rec.routing(r.passes.flatMap((pass) => pass.routing.flatMap((rr) => Array.from({ length: rr.numExperts }, (_, ex) => ({
        step: r.step, layer: rr.layer, expert: ex, modality: pass.modality,
        tokens: rr.expertTokens[ex], weight: rr.expertWeight[ex], dropped: rr.droppedTokens,
      })))));
    }
    if (rc.tokensEvery > 0 && r.step % rc.tokensEvery === 0) {
      const rows = [];
      for (const pass of r.passes) {
        const k = pass.embedded.index.length / pass.batch; // tokens per example
        const pos = unravel(pass.embedded.index.subarray(0, k), pass.embedded.grid); // example 0
        for (const rr of pass.routing) {
          for (let j = 0; j < k; j++) {
            const ex = rr.tokenTopExpert[j];
            const g = pass.embedded.grid.length;
            rows.push({
              step: r.step, layer: rr.layer, modality: pass.modality, example: 0, token: j,
              t: g >= 2 ? pos[0][j] : -1, h: g === 3 ? pos[1][j] : g === 2 ? pos[1][j] : g === 1 ? pos[0][j] : -1, w: g === 3 ? pos[2][j] : -1,
              expert: ex, weight: ex >= 0 ? rr.tokenWeights[j * rr.numExperts + ex] : 0,
            });
          }
        }
      }
      rec.tokens(rows);
    }
  }

  /**
   * Trains `steps` more steps, yielding to the event loop between steps so a notebook interrupt
   * can stop it; an interrupt ends the run with an InterruptError after a complete step, leaving
   * model, optimizer and records consistent.
   *
   * @example
   * ```ts
   * const t = createTrainer({ experiment: 'smoke', seed: 0 });
   * await t.run({ steps: 20, onStep: (r) => console.log(r.step, r.tasks[0], r.loss.toFixed(3)) });
   * ```
   */
  async run(opts: RunOptions): Promise<StepReport[]> {
    if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new ConfigError('steps', opts.steps, 'an integer >= 0');
    const every = opts.yieldEvery ?? 1;
    const reports: StepReport[] = [];
    for (let i = 0; i < opts.steps; i++) {
      throwIfInterrupted();
      const r = this.trainStep();
      reports.push({ ...r, passes: [] });
      if (opts.onStep) await opts.onStep(r, this);
      if ((i + 1) % every === 0 || interruptRequested()) await new Promise((res) => setImmediate(res));
    }
    return reports;
  }

  /**
   * Evaluates the model where the experiment's contrastive tasks allow it: for every (dataset,
   * modality) trained against text, zero-shot classification from the source's class prompts
   * (accuracy + confusion) and retrieval R@1/5/10 in both directions. Rows go to the recorder's
   * evals table and are returned.
   *
   * @example
   * ```ts
   * const rows = trainer.evaluate({ samples: 256 });
   * rows.filter((r) => r.metric === 'accuracy');
   * ```
   */
  evaluate(opts: { samples?: number; split?: 'validation' | 'test' } = {}): EvalRow[] {
    const rows: EvalRow[] = [];
    const seen = new Set<string>();
    for (const task of this.experiment.tasks) {
      if (task.objective !== 'contrastive' || !task.modalities.includes('text')) continue;
      const src = this.sources[task.dataset];
      for (const m of task.modalities) {
        if (m === 'text' || seen.has(`${task.dataset}/${m}`)) continue;
        seen.add(`${task.dataset}/${m}`);
        const o = { samples: opts.samples ?? 256, split: opts.split ?? 'test', resolution: task.resolution, frames: task.frames, audioFrames: task.audioFrames, textLength: task.textLength, seed: this.seed };
        const name = `${task.dataset}`;
        if (src.prompts && src.classNames && src.tokenizer) {
          const z = zeroShotEval(this.model, src, m, o);
          rows.push({ step: this.step, eval: `${name}-zeroshot`, modality: m, metric: 'accuracy', k: -1, value: z.accuracy });
          rows.push(...confusionRows({ step: this.step, eval: `${name}-zeroshot`, modality: m, classNames: z.classNames, confusion: z.confusion }));
        }
        const r = retrievalEval(this.model, src, m, { ...o, ks: [1, 5, 10] });
        rows.push(...recallRows({ step: this.step, eval: `${name}-retrieval`, modality: `${m}->text`, recall: r.aToB }));
        rows.push(...recallRows({ step: this.step, eval: `${name}-retrieval`, modality: `text->${m}`, recall: r.bToA }));
      }
    }
    this.recorder?.evals(rows);
    return rows;
  }

  /** Saves model, optimizer, sampler and RNG state into `dir` atomically (see checkpoint.ts). */
  save(dir: string, opts?: SaveOptions): void {
    const arrays: Record<string, StoredArray> = {};
    const put = (key: string, v: tf.Tensor) => { arrays[key] = { data: v.dataSync() as Float32Array, shape: v.shape }; };
    for (const [p, v] of Object.entries(this.vars)) {
      put(`param/${p}`, v);
      put(`adam_m/${p}`, this.optimizer.m[p]);
      put(`adam_v/${p}`, this.optimizer.v[p]);
    }
    const state: TrainerState = {
      experiment: this.experiment, configHash: experimentHash(this.experiment), seed: this.seed, step: this.step,
      sampler: this.samplerState, samplerRng: this.samplerRng.state(), optimizerCount: this.optimizer.count, skippedSteps: this.skippedSteps,
    };
    saveCheckpoint(dir, arrays, state, opts);
  }

  /** Restores a checkpoint saved by `save`; the experiment must match (steps and record settings may differ). */
  load(dir: string): void {
    const { arrays, state } = loadCheckpoint(dir);
    const s = state as TrainerState;
    const mine = experimentHash(this.experiment);
    if (!s || s.configHash !== mine) {
      throw new CheckpointError(`checkpoint is from another config (experiment "${s?.experiment?.name}", hash ${s?.configHash}); this run is "${this.experiment.name}", hash ${mine}`, dir);
    }
    for (const [p, v] of Object.entries(this.vars)) {
      for (const [prefix, target] of [['param', v], ['adam_m', this.optimizer.m[p]], ['adam_v', this.optimizer.v[p]]] as const) {
        const a = arrays[`${prefix}/${p}`];
        if (!a || a.shape.join() !== v.shape.join()) throw new CheckpointError(`entry ${prefix}/${p} is missing or has shape ${a?.shape}; expected ${v.shape}`, dir);
        target.assign(tf.tensor(a.data, a.shape));
      }
    }
    this.step = s.step;
    this.samplerState = s.sampler;
    this.samplerRng = Rng.fromState(s.samplerRng);
    this.optimizer.count = s.optimizerCount;
    this.skippedSteps = s.skippedSteps;
  }

  dispose(): void {
    disposeAdamW(this.optimizer);
    disposeModel(this.model);
  }
}

/**
 * Runs `fn` and returns the largest number of bytes held by tensors at any kernel boundary
 * while it ran. Synchronous twin of tf.profile (which only reports after an await), reading the
 * same engine counters.
 */
export function peakBytesOf(fn: () => void): number {
  const state = (tf.engine() as unknown as { state: { profiling: boolean; activeProfile: { kernels: { totalBytesSnapshot: number }[] }; numBytes: number } }).state;
  const saved = [state.profiling, state.activeProfile] as const;
  state.profiling = true;
  state.activeProfile = { ...state.activeProfile, kernels: [] };
  const start = state.numBytes;
  try {
    fn();
    return Math.max(start, ...state.activeProfile.kernels.map((k) => k.totalBytesSnapshot));
  } finally {
    [state.profiling, state.activeProfile] = saved;
  }
}

/** Opens every data source the tasks name (given ones first, then the registry). */
function openSources(e: ExperimentConfig, opts: TrainerOptions): Record<string, DataSource> {
  const out: Record<string, DataSource> = {};
  e.tasks.forEach((t, i) => {
    if (out[t.dataset]) return;
    const given = opts.sources?.[t.dataset];
    if (given) out[t.dataset] = given;
    else if (t.dataset === 'synthetic-smoke') out[t.dataset] = smokeSource();
    else {
      if (!dataSources.has(t.dataset)) throw new ConfigError(`tasks[${i}].dataset`, t.dataset, ['synthetic-smoke', ...dataSources.names()].map((n) => `"${n}"`).join(' | '));
      out[t.dataset] = dataSources.get(t.dataset)({ ...(opts.dataDir ? { dir: opts.dataDir } : {}), ...(t.sourceOptions ?? {}) });
    }
    for (const m of t.modalities) {
      if (!out[t.dataset].modalities.includes(m)) throw new ConfigError(`tasks[${i}].modalities`, t.modalities, `modalities of source "${t.dataset}" (${out[t.dataset].modalities.join(', ')})`);
    }
  });
  return out;
}

/** Fills what the data decides: vocabulary size, classifier heads and contrastive pairs. */
function completeModelConfig(e: ExperimentConfig, sources: Record<string, DataSource>): ModelConfigInput {
  const m = e.model;
  const mods = new Set<Modality>(m.modalities ?? e.tasks.flatMap((t) => t.modalities));
  const classifiers: Record<string, number> = { ...(m.heads?.classifiers ?? {}) };
  const pairs: [Modality, Modality][] = [...(m.heads?.pairs ?? [])];
  const has = (a: Modality, b: Modality) => pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  let vocab = m.text?.vocabSize;
  for (const t of e.tasks) {
    const src = sources[t.dataset];
    if (t.objective === 'classification') {
      const head = t.classifier ?? t.dataset;
      const k = src.classNames?.length;
      if (!k) throw new ConfigError(`task "${t.name}".dataset`, t.dataset, 'a source with classNames for classification');
      if (classifiers[head] === undefined) classifiers[head] = k;
    } else {
      for (let i = 0; i < t.modalities.length; i++) for (let j = i + 1; j < t.modalities.length; j++) if (!has(t.modalities[i], t.modalities[j])) pairs.push([t.modalities[i], t.modalities[j]]);
    }
    if (t.modalities.includes('text') && src.tokenizer) vocab = Math.max(vocab ?? 0, src.tokenizer.vocabSize);
  }
  return { ...m, modalities: [...mods], text: { ...(m.text ?? {}), ...(vocab ? { vocabSize: vocab } : {}) }, heads: { ...(m.heads ?? {}), classifiers, pairs } };
}

/**
 * Builds a trainer for an experiment.
 *
 * @example
 * ```ts
 * const t = createTrainer({ experiment: 'smoke', seed: 1, overrides: { steps: 40 } });
 * await t.run({ steps: 40 });
 * t.save('runs/smoke');
 * ```
 */
export function createTrainer(opts: TrainerOptions): Trainer {
  return new Trainer(opts);
}
