/**
 * View 7b: retrieval recall@K curves, one per evaluation and direction.
 */
import { columns, distinct, noRows, type ViewTable } from './columns';
import { axis, baseLayout, categoryColors, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface RetrievalOptions extends CommonOptions {
  /** Metric name of the recall rows (default "recall"). */
  metric?: string;
  /** Evaluations to show (default all with recall rows). */
  evals?: string[];
  /** Step (default: each evaluation's last step). */
  step?: number;
}

/**
 * Recall@K (in %) against K on a log axis.
 *
 * @example
 * ```ts
 * viz.retrieval(run.evals, { evals: ['openmoji-t2i', 'openmoji-i2t'] });
 * ```
 */
export function retrieval(evals: ViewTable, opts: RetrievalOptions = {}): Figure {
  const metric = opts.metric ?? 'recall';
  const c = columns(evals, 'evals', ['run', 'step', 'eval', 'modality', 'metric', 'k', 'value']);
  const keep = (i: number) => c.metric[i] === metric && (c.k[i] as number) > 0 && (!opts.evals || opts.evals.includes(c.eval[i] as string));
  const multiRun = new Set(Array.from(c.run as ArrayLike<string>)).size > 1;
  const keyOf = (i: number) => `${multiRun ? `${c.run[i]} · ` : ''}${c.eval[i]} (${c.modality[i]})`;
  const last = new Map<string, number>();
  for (let i = 0; i < c.n; i++) if (keep(i)) last.set(keyOf(i), Math.max(last.get(keyOf(i)) ?? -Infinity, c.step[i] as number));
  const curves = new Map<string, Map<number, number>>();
  for (let i = 0; i < c.n; i++) {
    if (!keep(i)) continue;
    const key = keyOf(i);
    if (c.step[i] !== (opts.step ?? last.get(key))) continue;
    (curves.get(key) ?? curves.set(key, new Map()).get(key)!).set(c.k[i] as number, c.value[i] as number);
  }
  if (curves.size === 0) noRows('retrieval', `metric "${metric}" and k > 0${opts.step !== undefined ? ` at step ${opts.step}` : ''}`, `metrics [${distinct(Array.from(c.metric as ArrayLike<string>)).join(', ')}]`);
  const colors = categoryColors(curves.keys());
  const ks = new Set<number>();
  const data: Trace[] = [...curves.keys()].sort().map((key) => {
    const m = curves.get(key)!;
    const x = [...m.keys()].sort((a, b) => a - b);
    x.forEach((k) => ks.add(k));
    return {
      type: 'scatter', mode: 'lines+markers', name: key, x, y: x.map((k) => round(100 * m.get(k)!)),
      line: { color: colors.get(key) }, marker: { color: colors.get(key) },
      hovertemplate: `${key}<br>R@%{x}: %{y:.1f}%<extra></extra>`,
    };
  });
  const tick = distinct([...ks]);
  const layout = baseLayout(opts, `Retrieval ${metric}@K${opts.step !== undefined ? ` (step ${opts.step})` : ' (last step of each)'}`, 400);
  layout.xaxis = axis(opts.theme, 'K (top-K retrieved)', { type: 'log', tickvals: tick, ticktext: tick.map(String) });
  layout.yaxis = axis(opts.theme, `${metric}@K (%)`, { range: [0, 101] });
  return { data, layout };
}
