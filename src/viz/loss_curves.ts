/**
 * View 1: loss (or any metric) over steps, one curve per task or per modality, with the AGD
 * schedule (which task ran at each step) as a strip under the curves.
 */
import { ConfigError } from '../imp/core/errors';
import { columns, meanByStep, noRows, scheduleOf, smooth, type ViewTable } from './columns';
import { axis, baseLayout, categoryColors, modalityColor, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface LossCurvesOptions extends CommonOptions {
  /** Metric to plot (default "loss"). */
  metric?: string;
  /** One curve per "task" (default) or per "modality". */
  by?: 'task' | 'modality';
  /** EMA weight in [0, 1) (0 = raw, default). When > 0 the raw curve stays visible, faint. */
  smoothing?: number;
  /** Logarithmic y axis (default false). */
  logY?: boolean;
  /** Show the AGD task strip (default true). */
  schedule?: boolean;
  /** y-axis title (default: the metric with its unit). */
  yTitle?: string;
}

const UNITS: Record<string, string> = {
  loss: 'loss (nats / example)',
  z_loss: 'router z-loss',
  accuracy: 'accuracy (fraction)',
  lr: 'learning rate',
  step_ms: 'step time (ms)',
};

/**
 * Per-task or per-modality curves of one metric over steps.
 *
 * @example
 * ```ts
 * const fig = viz.lossCurves(imp.frames.open('runs/a').metrics, { by: 'modality', smoothing: 0.6 });
 * ```
 */
export function lossCurves(metrics: ViewTable, opts: LossCurvesOptions = {}): Figure {
  const metric = opts.metric ?? 'loss';
  const by = opts.by ?? 'task';
  const w = opts.smoothing ?? 0;
  if (by !== 'task' && by !== 'modality') throw new ConfigError('by', by, '"task" | "modality"');
  if (typeof w !== 'number' || !(w >= 0 && w < 1)) throw new ConfigError('smoothing', w, 'a number in [0, 1)');
  const c = columns(metrics, 'metrics', ['run', 'step', 'task', 'modality', 'metric', 'value']);
  const groups = new Map<string, { steps: number[]; values: number[]; key: string }>();
  const runs = new Set<string>();
  for (let i = 0; i < c.n; i++) if (c.metric[i] === metric) runs.add(c.run[i] as string);
  const multiRun = runs.size > 1;
  for (let i = 0; i < c.n; i++) {
    if (c.metric[i] !== metric) continue;
    const key = c[by][i] as string;
    const name = multiRun ? `${c.run[i]} · ${key}` : key;
    const g = groups.get(name) ?? { steps: [], values: [], key };
    g.steps.push(c.step[i] as number);
    g.values.push(c.value[i] as number);
    groups.set(name, g);
  }
  if (groups.size === 0) noRows('lossCurves', `metric "${metric}"`, `metrics [${[...new Set(Array.from(c.metric as ArrayLike<string>))].join(', ')}]`);
  const schedule = scheduleOf(c.step, c.task);
  const taskColors = categoryColors(schedule.task);
  const colorOf = (key: string) => (by === 'task' ? taskColors.get(key) ?? '#888' : modalityColor(key));

  const data: Trace[] = [];
  for (const name of [...groups.keys()].sort()) {
    const g = groups.get(name)!;
    const { x, y } = meanByStep(g.steps, g.values);
    const color = colorOf(g.key);
    if (w > 0) {
      data.push({ type: 'scatter', mode: 'lines', name, legendgroup: name, showlegend: false, hoverinfo: 'skip', x, y: y.map(round), line: { color, width: 1 }, opacity: 0.25 });
    }
    data.push({
      type: 'scatter', mode: x.length === 1 ? 'markers' : 'lines', name, legendgroup: name, x, y: smooth(y, w).map(round),
      line: { color, width: 2 }, marker: { color },
      hovertemplate: `${name}<br>step %{x}<br>${metric} %{y:.4g}<extra></extra>`,
    });
  }
  const showSchedule = opts.schedule ?? true;
  const layout = baseLayout(opts, `${metric} per ${by}${w > 0 ? ` (EMA ${w})` : ''}`, showSchedule ? 460 : 380);
  layout.xaxis = axis(opts.theme, 'step (optimizer updates)', { anchor: showSchedule ? 'y2' : 'y' });
  layout.yaxis = axis(opts.theme, opts.yTitle ?? UNITS[metric] ?? metric, { type: opts.logY ? 'log' : 'linear', domain: showSchedule ? [0.26, 1] : [0, 1] });
  if (showSchedule) {
    // One marker per step on a task axis: which task AGD drew, aligned with the curves above.
    for (const task of [...taskColors.keys()]) {
      const xs = schedule.step.filter((_, i) => schedule.task[i] === task);
      data.push({
        type: 'scatter', mode: 'markers', name: `task: ${task}`, legendgroup: 'schedule', xaxis: 'x', yaxis: 'y2',
        x: xs, y: xs.map(() => task), marker: { color: taskColors.get(task), symbol: 'line-ns-open', size: 9, line: { width: 2, color: taskColors.get(task) } },
        hovertemplate: `step %{x}: ${task}<extra></extra>`,
      });
    }
    layout.yaxis2 = axis(opts.theme, 'AGD task', { domain: [0, 0.18], type: 'category', showgrid: false, title: { text: 'task', standoff: 4 } });
  }
  return { data, layout };
}
