/**
 * AGD task samplers (STYLE.md point 3): pure functions `next(state, rng) -> {task, state}`.
 * - `weighted`: each step draws a task at random with probability proportional to its weight
 *   (the paper).
 * - `interval`: deterministic cycles in which task i runs `interval_i` times (the release cycles
 *   its loaders by integer intervals), interleaved by smooth weighted round-robin so no task waits
 *   a whole cycle.
 * - `round-robin`: tasks in turn.
 */
import { ConfigError } from '../core/errors';
import { Registry } from '../core/registry';
import { Rng } from '../core/rng';
import { TaskConfig } from './tasks';

export interface SamplerState {
  kind: string;
  step: number;
  /** Smooth round-robin credits (interval / round-robin). */
  credits: number[];
}

export interface Sampler {
  readonly kind: string;
  /** Configured share of steps per task (sums to 1). */
  readonly shares: number[];
  init(): SamplerState;
  next(state: SamplerState, rng: Rng): { task: number; state: SamplerState };
}

function normalise(field: string, values: number[]): number[] {
  values.forEach((v, i) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new ConfigError(`${field}[${i}]`, v, 'a finite number >= 0');
  });
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ConfigError(field, values, 'numbers >= 0 that are not all zero');
  return values.map((v) => v / total);
}

function weighted(tasks: TaskConfig[]): Sampler {
  const shares = normalise('sampler.weights', tasks.map((t) => t.weight ?? 1));
  const cdf: number[] = [];
  shares.reduce((acc, s, i) => ((cdf[i] = acc + s), acc + s), 0);
  return {
    kind: 'weighted',
    shares,
    init: () => ({ kind: 'weighted', step: 0, credits: [] }),
    next(state, rng) {
      const u = rng.next();
      let task = cdf.findIndex((c) => u < c);
      if (task < 0) task = shares.length - 1 - [...shares].reverse().findIndex((s) => s > 0);
      return { task, state: { ...state, step: state.step + 1 } };
    },
  };
}

/** Smooth weighted round-robin over integer counts: exact counts per cycle, well interleaved. */
function smooth(kind: string, counts: number[]): Sampler {
  const shares = normalise(kind === 'interval' ? 'sampler.intervals' : 'sampler', counts);
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    kind,
    shares,
    init: () => ({ kind, step: 0, credits: counts.map(() => 0) }),
    next(state) {
      const credits = state.credits.map((c, i) => c + counts[i]);
      let task = 0;
      for (let i = 1; i < credits.length; i++) if (credits[i] > credits[task]) task = i;
      credits[task] -= total;
      return { task, state: { kind, step: state.step + 1, credits } };
    },
  };
}

/** Sampler factories by name. */
export const samplers = new Registry<(tasks: TaskConfig[]) => Sampler>('sampler');
samplers.register('weighted', weighted);
samplers.register('interval', (tasks) => {
  tasks.forEach((t, i) => {
    if (t.interval !== undefined && !(Number.isInteger(t.interval) && t.interval >= 0)) throw new ConfigError(`tasks[${i}].interval`, t.interval, 'an integer >= 0');
  });
  return smooth('interval', tasks.map((t) => t.interval ?? 1));
});
samplers.register('round-robin', (tasks) => smooth('round-robin', tasks.map(() => 1)));

/**
 * Builds a sampler by name.
 *
 * @example
 * ```ts
 * const s = createSampler('interval', [{ ...a, interval: 2 }, { ...b, interval: 1 }]);
 * let st = s.init(); const order = [];
 * for (let i = 0; i < 3; i++) { const r = s.next(st, rng); order.push(r.task); st = r.state; } // [0, 1, 0]
 * ```
 */
export function createSampler(name: string, tasks: TaskConfig[]): Sampler {
  if (!samplers.has(name)) throw new ConfigError('sampler', name, samplers.names().map((n) => `"${n}"`).join(' | '));
  return samplers.get(name)(tasks);
}
