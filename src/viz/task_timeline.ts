/**
 * View 2: the AGD schedule. Left: which task ran at each step. Right: realised share of steps
 * per task next to the configured share (sampling weights normalised to 1).
 */
import { ConfigError } from '../imp/core/errors';
import { columns, noRows, scheduleOf, type ViewTable } from './columns';
import { axis, baseLayout, categoryColors, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface TaskTimelineOptions extends CommonOptions {
  /** Configured task weights (any positive scale; normalised), e.g. {"mnist-cls": 4, "openmoji-nce": 4, "speech-cls": 1}. */
  configured?: Record<string, number>;
}

/**
 * Task per step, and realised vs configured task frequencies.
 *
 * @example
 * ```ts
 * viz.taskTimeline(run.metrics, { configured: { 'mnist-cls': 0.5, 'openmoji-nce': 0.5 } });
 * ```
 */
export function taskTimeline(metrics: ViewTable, opts: TaskTimelineOptions = {}): Figure {
  const c = columns(metrics, 'metrics', ['step', 'task']);
  const s = scheduleOf(c.step, c.task);
  if (s.step.length === 0) noRows('taskTimeline', 'any step', '0 rows');
  const conf = opts.configured;
  if (conf !== undefined) {
    for (const [k, v] of Object.entries(conf)) if (typeof v !== 'number' || !(v >= 0)) throw new ConfigError(`configured.${k}`, v, 'a weight >= 0');
  }
  const tasks = [...new Set([...s.task, ...Object.keys(conf ?? {})])].sort();
  const colors = categoryColors(tasks);
  const data: Trace[] = [];
  for (const task of tasks) {
    const xs = s.step.filter((_, i) => s.task[i] === task);
    data.push({
      type: 'scatter', mode: 'markers', name: task, legendgroup: task, x: xs, y: xs.map(() => task),
      marker: { color: colors.get(task), symbol: 'line-ns-open', size: 14, line: { width: 2, color: colors.get(task) } },
      hovertemplate: `step %{x}: ${task}<extra></extra>`,
    });
  }
  const n = s.step.length;
  const realised = tasks.map((t) => round((100 * s.task.filter((x) => x === t).length) / n));
  data.push({
    type: 'bar', name: 'realised', xaxis: 'x2', yaxis: 'y2', x: tasks, y: realised, marker: { color: tasks.map((t) => colors.get(t)) },
    hovertemplate: '%{x}: %{y:.1f}% of steps (realised)<extra></extra>', showlegend: false,
  });
  if (conf) {
    const total = Object.values(conf).reduce((a, b) => a + b, 0) || 1;
    data.push({
      type: 'bar', name: 'configured', xaxis: 'x2', yaxis: 'y2', x: tasks, y: tasks.map((t) => round((100 * (conf[t] ?? 0)) / total)),
      marker: { color: 'rgba(0,0,0,0)', line: { color: tasks.map((t) => colors.get(t)), width: 2 } },
      hovertemplate: '%{x}: %{y:.1f}% configured<extra></extra>', showlegend: false,
    });
  }
  const layout = baseLayout(opts, `AGD schedule: task per step (${n} steps)${conf ? ', realised (filled) vs configured (outline)' : ''}`, 380);
  layout.xaxis = axis(opts.theme, 'step (optimizer updates)', { domain: [0, 0.64] });
  layout.yaxis = axis(opts.theme, 'task', { type: 'category', categoryorder: 'array', categoryarray: tasks });
  layout.xaxis2 = axis(opts.theme, 'task', { domain: [0.74, 1], anchor: 'y2', type: 'category' });
  layout.yaxis2 = axis(opts.theme, 'share of steps (%)', { anchor: 'x2', rangemode: 'tozero' });
  layout.barmode = 'group';
  layout.showlegend = false;
  return { data, layout };
}
