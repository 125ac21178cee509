/**
 * View 8: ablation comparison. Runs are grouped into conditions (seeds of one config form a
 * group); left: mean curve per group with a +-1 standard deviation band; right: final value per
 * group with error bars over seeds.
 */
import { ConfigError } from '../imp/core/errors';
import { columns, distinct, noRows, smooth, type ViewTable } from './columns';
import { axis, baseLayout, categoryColors, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface CompareRunsOptions extends CommonOptions {
  /** Metric (default "loss"). */
  metric?: string;
  /** Only rows of this task / modality (default: all, averaged per step). */
  task?: string;
  modality?: string;
  /** Run -> condition. Default: the run name without a trailing seed suffix ("-seed<N>", "_s<N>", "-<N>", "seed<N>"). */
  groups?: Record<string, string> | ((run: string) => string);
  /** EMA weight in [0, 1) applied to each run before averaging (default 0). */
  smoothing?: number;
  /** Final value = mean of each run's last N logged steps (default 1). */
  finalSteps?: number;
}

/** The default grouping: strips a seed suffix. */
export function defaultGroup(run: string): string {
  return run.replace(/(?:[-_/.](?:seed|s)?|seed)\d+$/i, '') || run;
}

function meanStd(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return [m, 0];
  const s2 = v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1);
  return [m, Math.sqrt(s2)];
}

/**
 * Curves and final values of several runs, grouped, with error bars over seeds (sample std).
 *
 * @example
 * ```ts
 * const all = imp.frames.concatRuns(['runs/dense-seed1', 'runs/dense-seed2', 'runs/moe-seed1', 'runs/moe-seed2']);
 * viz.compareRuns(all.metrics, { metric: 'loss', smoothing: 0.8, finalSteps: 20 });
 * ```
 */
export function compareRuns(metrics: ViewTable, opts: CompareRunsOptions = {}): Figure {
  const metric = opts.metric ?? 'loss';
  const w = opts.smoothing ?? 0;
  const finalSteps = opts.finalSteps ?? 1;
  if (!(typeof w === 'number' && w >= 0 && w < 1)) throw new ConfigError('smoothing', w, 'a number in [0, 1)');
  if (!Number.isInteger(finalSteps) || finalSteps < 1) throw new ConfigError('finalSteps', finalSteps, 'an integer >= 1');
  const g = opts.groups;
  const groupOf = typeof g === 'function' ? g : g ? (r: string) => g[r] ?? r : defaultGroup;
  const c = columns(metrics, 'metrics', ['run', 'step', 'task', 'modality', 'metric', 'value']);
  const perRun = new Map<string, Map<number, [number, number]>>();
  for (let i = 0; i < c.n; i++) {
    if (c.metric[i] !== metric || (opts.task !== undefined && c.task[i] !== opts.task) || (opts.modality !== undefined && c.modality[i] !== opts.modality)) continue;
    const r = c.run[i] as string;
    const m = perRun.get(r) ?? perRun.set(r, new Map()).get(r)!;
    const a = m.get(c.step[i] as number) ?? [0, 0];
    a[0] += c.value[i] as number;
    a[1] += 1;
    m.set(c.step[i] as number, a);
  }
  if (perRun.size === 0) noRows('compareRuns', `metric "${metric}"${opts.task ? `, task "${opts.task}"` : ''}${opts.modality ? `, modality "${opts.modality}"` : ''}`, `runs [${distinct(Array.from(c.run as ArrayLike<string>)).join(', ')}]`);
  const series = new Map<string, { x: number[]; y: number[] }>();
  for (const [r, m] of perRun) {
    const x = [...m.keys()].sort((a, b) => a - b);
    series.set(r, { x, y: smooth(x.map((s) => m.get(s)![0] / m.get(s)![1]), w) });
  }
  const groups = new Map<string, string[]>();
  for (const r of distinct([...series.keys()])) {
    const k = groupOf(r);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  const names = distinct([...groups.keys()]);
  const colors = categoryColors(names);
  const data: Trace[] = [];
  const finals: [number, number, number][] = [];
  for (const name of names) {
    const runs = groups.get(name)!;
    const byStep = new Map<number, number[]>();
    for (const r of runs) series.get(r)!.x.forEach((s, i) => (byStep.get(s) ?? byStep.set(s, []).get(s)!).push(series.get(r)!.y[i]));
    const x = [...byStep.keys()].sort((a, b) => a - b);
    const ms = x.map((s) => meanStd(byStep.get(s)!));
    const color = colors.get(name)!;
    if (runs.length > 1) {
      data.push({
        type: 'scatter', mode: 'lines', name: `${name} ±1 sd`, legendgroup: name, showlegend: false, hoverinfo: 'skip',
        x: [...x, ...x.slice().reverse()], y: [...ms.map(([m, s]) => round(m + s)), ...ms.map(([m, s]) => round(m - s)).reverse()],
        fill: 'toself', fillcolor: color, opacity: 0.2, line: { width: 0, color },
      });
    }
    data.push({
      type: 'scatter', mode: 'lines', name: `${name} (n=${runs.length})`, legendgroup: name, x, y: ms.map(([m]) => round(m)), line: { color, width: 2 },
      hovertemplate: `${name}<br>step %{x}<br>mean ${metric} %{y:.4g}<extra></extra>`,
    });
    finals.push([...meanStd(runs.map((r) => { const y = series.get(r)!.y; const tail = y.slice(-finalSteps); return tail.reduce((a, b) => a + b, 0) / tail.length; })), runs.length]);
  }
  data.push({
    type: 'bar', name: `final ${metric}`, x: names, y: finals.map(([m]) => round(m)), xaxis: 'x2', yaxis: 'y2', showlegend: false,
    error_y: { type: 'data', array: finals.map(([, s]) => round(s)), visible: true },
    marker: { color: names.map((n) => colors.get(n)) }, text: finals.map(([, , n]) => `n=${n}`), textposition: 'inside',
    hovertemplate: `%{x}<br>final ${metric} %{y:.4g} ± %{error_y.array:.2g} (sd over seeds)<extra></extra>`,
  });
  const layout = baseLayout(opts, `Runs compared: ${metric}${w > 0 ? ` (EMA ${w})` : ''}, mean ± sd over seeds`, 420);
  layout.xaxis = axis(opts.theme, 'step (optimizer updates)', { domain: [0, 0.6] });
  layout.yaxis = axis(opts.theme, metric === 'loss' ? 'loss (nats / example)' : metric);
  layout.xaxis2 = axis(opts.theme, 'condition', { domain: [0.72, 1], anchor: 'y2', type: 'category' });
  layout.yaxis2 = axis(opts.theme, `final ${metric} (mean of last ${finalSteps} step${finalSteps > 1 ? 's' : ''})`, { anchor: 'x2' });
  return { data, layout };
}
