/**
 * View 6: routing over training. Per layer: routing entropy (how evenly router weight spreads
 * over the experts; 1 = uniform), dropped tokens (token choice with capacity), and the router
 * z-loss from the metrics table.
 */
import { columns, distinct, meanByStep, noRows, type ViewTable } from './columns';
import { axis, baseLayout, round, sequentialColor, type CommonOptions, type Figure, type Trace } from './theme';

export interface RoutingDynamicsOptions extends CommonOptions {
  /** Metrics table of the same run, for the z-loss row (optional). */
  metrics?: ViewTable;
  /** Metric name of the router z-loss (default "z_loss"). */
  zLossMetric?: string;
  /** Only this modality's passes (default: all). */
  modality?: string;
}

/**
 * Entropy, dropped-token share and z-loss over steps.
 *
 * @example
 * ```ts
 * viz.routingDynamics(run.routing, { metrics: run.metrics });
 * ```
 */
export function routingDynamics(routing: ViewTable, opts: RoutingDynamicsOptions = {}): Figure {
  const c = columns(routing, 'routing', ['step', 'layer', 'expert', 'modality', 'tokens', 'weight', 'dropped']);
  type Acc = { w: Float64Array; tokens: number; dropped: number };
  let E = 0;
  for (let i = 0; i < c.n; i++) E = Math.max(E, (c.expert[i] as number) + 1);
  const acc = new Map<number, Map<number, Acc>>(); // layer -> step -> acc
  for (let i = 0; i < c.n; i++) {
    if (opts.modality !== undefined && c.modality[i] !== opts.modality) continue;
    const l = c.layer[i] as number;
    const s = c.step[i] as number;
    let byStep = acc.get(l);
    if (!byStep) acc.set(l, (byStep = new Map()));
    let a = byStep.get(s);
    if (!a) byStep.set(s, (a = { w: new Float64Array(E), tokens: 0, dropped: 0 }));
    a.w[c.expert[i] as number] += c.weight[i] as number;
    a.tokens += c.tokens[i] as number;
    a.dropped += c.dropped[i] as number;
  }
  if (acc.size === 0) noRows('routingDynamics', opts.modality ? `modality "${opts.modality}"` : 'any rows', `modalities [${distinct(Array.from(c.modality as ArrayLike<string>)).join(', ')}]`);
  const layers = distinct([...acc.keys()]);
  const data: Trace[] = [];
  layers.forEach((l, j) => {
    const byStep = acc.get(l)!;
    const steps = [...byStep.keys()].sort((a, b) => a - b);
    const color = sequentialColor(j, layers.length);
    const ent = steps.map((s) => {
      const ws = byStep.get(s)!.w;
      const t = ws.reduce((a, b) => a + b, 0);
      let h = 0;
      for (const w of ws) if (w > 0) h -= (w / t) * Math.log(w / t);
      return round(E > 1 ? h / Math.log(E) : 0);
    });
    const drop = steps.map((s) => {
      const a = byStep.get(s)!;
      return round(a.tokens + a.dropped > 0 ? (100 * a.dropped) / (a.tokens + a.dropped) : 0);
    });
    data.push({ type: 'scatter', mode: 'lines', name: `layer ${l}`, legendgroup: `L${l}`, x: steps, y: ent, line: { color }, yaxis: 'y', hovertemplate: `layer ${l}, step %{x}<br>entropy %{y:.3f}<extra></extra>` });
    data.push({ type: 'scatter', mode: 'lines', name: `layer ${l}`, legendgroup: `L${l}`, showlegend: false, x: steps, y: drop, line: { color, dash: 'dot' }, yaxis: 'y2', hovertemplate: `layer ${l}, step %{x}<br>dropped %{y:.2f}%<extra></extra>` });
  });
  let zRows = false;
  if (opts.metrics) {
    const zName = opts.zLossMetric ?? 'z_loss';
    const m = columns(opts.metrics, 'metrics', ['step', 'metric', 'value']);
    const steps: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < m.n; i++) if (m.metric[i] === zName) { steps.push(m.step[i] as number); values.push(m.value[i] as number); }
    if (steps.length) {
      zRows = true;
      const { x, y } = meanByStep(steps, values);
      data.push({ type: 'scatter', mode: 'lines', name: 'z-loss', x, y: y.map(round), yaxis: 'y3', line: { color: '#d62728' }, hovertemplate: 'step %{x}<br>z-loss %{y:.4g}<extra></extra>' });
    }
  }
  const layout = baseLayout(opts, `Routing dynamics${opts.modality ? ` (${opts.modality})` : ''}`, zRows ? 620 : 460);
  const doms: [number, number][] = zRows ? [[0.7, 1], [0.37, 0.63], [0, 0.3]] : [[0.55, 1], [0, 0.45]];
  layout.xaxis = axis(opts.theme, 'step (optimizer updates)', { anchor: zRows ? 'y3' : 'y2' });
  layout.yaxis = axis(opts.theme, 'routing entropy (H / log E)', { domain: doms[0], range: [0, 1.05] });
  layout.yaxis2 = axis(opts.theme, 'dropped tokens (%)', { domain: doms[1], rangemode: 'tozero' });
  if (zRows) layout.yaxis3 = axis(opts.theme, 'router z-loss', { domain: doms[2] });
  return { data, layout };
}
