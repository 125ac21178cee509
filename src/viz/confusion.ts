/**
 * View 7a: zero-shot (or any) confusion matrix from evals rows with metric "count" and
 * label/predicted set.
 */
import { ConfigError } from '../imp/core/errors';
import { columns, distinct, noRows, type ViewTable } from './columns';
import { axis, baseLayout, round, type CommonOptions, type Figure } from './theme';

export interface ConfusionOptions extends CommonOptions {
  /** Evaluation name (default: the first with confusion cells). */
  eval?: string;
  /** Step (default: the last step of that evaluation). */
  step?: number;
  /** "row" (default): each true class sums to 100 %; "none": raw counts. */
  normalize?: 'row' | 'none';
  /** Class order (default: sorted names). */
  classes?: string[];
}

/**
 * Confusion matrix, true class down, predicted class across.
 *
 * @example
 * ```ts
 * viz.confusion(run.evals, { eval: 'moving-mnist-zeroshot' });
 * ```
 */
export function confusion(evals: ViewTable, opts: ConfusionOptions = {}): Figure {
  const norm = opts.normalize ?? 'row';
  if (norm !== 'row' && norm !== 'none') throw new ConfigError('normalize', norm, '"row" | "none"');
  const c = columns(evals, 'evals', ['step', 'eval', 'metric', 'value', 'label', 'predicted']);
  const isCell = (i: number) => c.metric[i] === 'count' && c.label[i] != null && c.predicted[i] != null;
  let name = opts.eval;
  if (name === undefined) for (let i = 0; i < c.n && name === undefined; i++) if (isCell(i)) name = c.eval[i] as string;
  let step = opts.step;
  if (step === undefined) for (let i = 0; i < c.n; i++) if (isCell(i) && c.eval[i] === name) step = Math.max(step ?? -Infinity, c.step[i] as number);
  const cells = new Map<string, number>();
  const seen: string[] = [];
  for (let i = 0; i < c.n; i++) {
    if (!isCell(i) || c.eval[i] !== name || c.step[i] !== step) continue;
    const k = `${c.label[i]}\u0000${c.predicted[i]}`;
    cells.set(k, (cells.get(k) ?? 0) + (c.value[i] as number));
    seen.push(c.label[i] as string, c.predicted[i] as string);
  }
  if (cells.size === 0) noRows('confusion', `metric "count" with label/predicted for eval ${JSON.stringify(name)} at step ${step}`, `evals [${distinct(Array.from(c.eval as ArrayLike<string>)).join(', ')}]`);
  const classes = opts.classes ?? distinct(seen);
  const z = classes.map((l) => {
    const row = classes.map((p) => cells.get(`${l}\u0000${p}`) ?? 0);
    const t = row.reduce((a, b) => a + b, 0);
    return row.map((v) => round(norm === 'row' ? (t > 0 ? (100 * v) / t : 0) : v));
  });
  const unit = norm === 'row' ? '% of true class' : 'examples';
  const diag = classes.reduce((a, l) => a + (cells.get(`${l}\u0000${l}`) ?? 0), 0);
  const total = [...cells.values()].reduce((a, b) => a + b, 0);
  const layout = baseLayout(opts, `Confusion: ${name}, step ${step} (accuracy ${((100 * diag) / total).toFixed(1)}%)`, 200 + 28 * classes.length);
  layout.xaxis = axis(opts.theme, 'predicted class', { type: 'category', showgrid: false, tickangle: -45 });
  layout.yaxis = axis(opts.theme, 'true class', { type: 'category', showgrid: false, autorange: 'reversed', scaleanchor: 'x' });
  return {
    data: [{
      type: 'heatmap', name, x: classes, y: classes, z, colorscale: 'Viridis', zmin: 0, xgap: 1, ygap: 1,
      texttemplate: classes.length <= 20 ? (norm === 'row' ? '%{z:.0f}' : '%{z}') : undefined,
      colorbar: { title: { text: unit } },
      hovertemplate: `true %{y}<br>predicted %{x}<br>%{z:.3g} ${unit}<extra></extra>`,
    }],
    layout,
  };
}
