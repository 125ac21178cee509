/**
 * Learning-rate schedule of the release (IMP.md "Training recipe"): linear warmup from 0 to the
 * peak, then cosine decay to `end` at `totalSteps`.
 */
import { ConfigError } from '../core/errors';

export interface ScheduleConfig {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  end: number;
}

export function checkSchedule(s: ScheduleConfig): ScheduleConfig {
  if (!(s.peak > 0 && Number.isFinite(s.peak))) throw new ConfigError('optimizer.schedule.peak', s.peak, 'a finite number > 0');
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0)) throw new ConfigError('optimizer.schedule.warmupSteps', s.warmupSteps, 'an integer >= 0');
  if (!(Number.isInteger(s.totalSteps) && s.totalSteps >= 1)) throw new ConfigError('optimizer.schedule.totalSteps', s.totalSteps, 'an integer >= 1');
  if (!(s.end >= 0 && s.end <= s.peak)) throw new ConfigError('optimizer.schedule.end', s.end, `a number in [0, peak=${s.peak}]`);
  return s;
}

/**
 * Learning rate at a (0-based) step.
 *
 * @example
 * ```ts
 * const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, end: 0 };
 * learningRate(s, 4);   // 5e-4 (step 4 is the 5th of 10 warmup steps)
 * learningRate(s, 60);  // 5e-4 (half-way through the cosine)
 * ```
 */
export function learningRate(s: ScheduleConfig, step: number): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const p = Math.min(1, (step - s.warmupSteps) / span);
  return s.end + 0.5 * (s.peak - s.end) * (1 + Math.cos(Math.PI * p));
}
