/**
 * View 3: expert load heatmap, layer x expert, one facet per modality, for one step or a window.
 */
import { ConfigError } from '../imp/core/errors';
import { columns, distinct, noRows, stepWindow, type StepWindow, type ViewTable } from './columns';
import { axis, axisId, axisKey, baseLayout, domains, facetTitle, modalityColor, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface ExpertLoadOptions extends CommonOptions, StepWindow {
  /** "tokens" (default): tokens per step; "weight": router probability mass per step. */
  value?: 'tokens' | 'weight';
  /** Modalities to show, one facet each (default: all in the table). */
  modalities?: string[];
  /** Show each layer's share of its total in % instead of the mean per step (default false). */
  normalize?: boolean;
}

/**
 * Expert load per layer and expert, averaged over the steps of the window in which the modality ran.
 *
 * @example
 * ```ts
 * viz.expertLoad(run.routing, { value: 'weight', steps: [900, 1000] });
 * ```
 */
export function expertLoad(routing: ViewTable, opts: ExpertLoadOptions = {}): Figure {
  const value = opts.value ?? 'tokens';
  if (value !== 'tokens' && value !== 'weight') throw new ConfigError('value', value, '"tokens" | "weight"');
  const c = columns(routing, 'routing', ['step', 'layer', 'expert', 'modality', value]);
  const win = stepWindow(opts);
  const all = distinct(Array.from(c.modality as ArrayLike<string>));
  const mods = opts.modalities ?? all;
  // Dense accumulators indexed [layer slot * E + expert] per modality: a plain loop over typed
  // arrays keeps a 70k-row table at a few ms.
  const layerSet = new Set<number>();
  let experts = 0;
  for (let i = 0; i < c.n; i++) {
    layerSet.add(c.layer[i] as number);
    experts = Math.max(experts, (c.expert[i] as number) + 1);
  }
  const allLayers = distinct([...layerSet]);
  const slot = new Map(allLayers.map((l, j) => [l, j]));
  const sums = new Map<string, Float64Array>();
  const stepsOf = new Map<string, Set<number>>();
  const layers = new Set<number>();
  for (let i = 0; i < c.n; i++) {
    const s = c.step[i] as number;
    const m = c.modality[i] as string;
    if (!win.keep(s) || !mods.includes(m)) continue;
    const l = c.layer[i] as number;
    layers.add(l);
    let acc = sums.get(m);
    if (!acc) sums.set(m, (acc = new Float64Array(allLayers.length * experts)));
    acc[slot.get(l)! * experts + (c.expert[i] as number)] += c[value][i] as number;
    (stepsOf.get(m) ?? stepsOf.set(m, new Set()).get(m)!).add(s);
  }
  if (sums.size === 0) noRows('expertLoad', `${win.label} and modalities [${mods.join(', ')}]`, `modalities [${all.join(', ')}] at steps ${c.n ? `${Math.min(...(c.step as number[]))}–${Math.max(...(c.step as number[]))}` : '(none)'}`);
  const ls = distinct([...layers]);
  const facets = mods.filter((m) => sums.has(m));
  const doms = domains(facets.length, 0.05);
  const unit = opts.normalize ? '% of the layer' : value === 'tokens' ? 'tokens / step' : 'router weight / step';
  const data: Trace[] = [];
  const layout = baseLayout(opts, `Expert load (${value}, ${win.label})`, 140 + 42 * ls.length);
  const annotations: Record<string, unknown>[] = [];
  facets.forEach((m, f) => {
    const nSteps = stepsOf.get(m)!.size;
    const z = ls.map((l) => {
      const row = Array.from({ length: experts }, (_, e) => sums.get(m)![slot.get(l)! * experts + e] / nSteps);
      const tot = row.reduce((a, b) => a + b, 0) || 1;
      return row.map((v) => round(opts.normalize ? (100 * v) / tot : v));
    });
    const xa = axisId('x', f);
    const ya = axisId('y', f);
    data.push({
      type: 'heatmap', name: m, x: Array.from({ length: experts }, (_, e) => e), y: ls.map((l) => `L${l}`), z,
      xaxis: xa, yaxis: ya, coloraxis: 'coloraxis', xgap: 1, ygap: 1,
      hovertemplate: `${m}<br>layer %{y}, expert %{x}<br>%{z:.3g} ${unit}<extra></extra>`,
    });
    layout[axisKey('x', f)] = axis(opts.theme, 'expert', { domain: doms[f], anchor: ya, dtick: 1, showgrid: false });
    layout[axisKey('y', f)] = axis(opts.theme, f === 0 ? 'MoE layer' : '', { anchor: xa, type: 'category', showgrid: false, showticklabels: f === 0, matches: f === 0 ? undefined : 'y' });
    annotations.push(facetTitle(`${m} (${nSteps} step${nSteps === 1 ? '' : 's'})`, xa, ya, modalityColor(m)));
  });
  layout.annotations = annotations;
  layout.coloraxis = { colorscale: 'Viridis', cmin: 0, colorbar: { title: { text: unit, side: 'right' } } };
  return { data, layout };
}
