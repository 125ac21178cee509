/**
 * View 4: expert specialisation. For each MoE layer, the share of each expert's router weight
 * that comes from each modality, and a specialisation score per expert.
 *
 * Modalities run at different frequencies under AGD, so raw weight sums would favour the most
 * sampled modality. Each modality's weights are first normalised to its routing distribution
 * p(e | m) = W(m, e) / sum_e W(m, e); an expert's modality shares are then
 * s(m | e) = p(e | m) / sum_m p(e | m), and its score is 1 - H(s(. | e)) / log M
 * (0 = used equally by all M modalities, 1 = used by one modality only). With expert choice
 * every expert fills its capacity, so token counts cannot show this; router weight can.
 */
import { columns, distinct, noRows, stepWindow, type StepWindow, type ViewTable } from './columns';
import { axis, axisId, axisKey, baseLayout, expertColor, facetTitle, round, type CommonOptions, type Figure, type Trace } from './theme';

export interface SpecializationOptions extends CommonOptions, StepWindow {
  /** Layers to show (default: every layer in the table). */
  layers?: number[];
}

/** Shares s(m | e) and scores for one layer; exported for tests and notebooks. */
export function specializationScores(weight: number[][]): { share: number[][]; score: number[] } {
  // weight: [M modalities][E experts]
  const M = weight.length;
  const E = M ? weight[0].length : 0;
  const p = weight.map((row) => {
    const t = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (t > 0 ? v / t : 0));
  });
  const share = Array.from({ length: M }, () => new Array<number>(E).fill(0));
  const score = new Array<number>(E).fill(0);
  for (let e = 0; e < E; e++) {
    const col = p.map((r) => r[e]);
    const t = col.reduce((a, b) => a + b, 0);
    let h = 0;
    col.forEach((v, m) => {
      const s = t > 0 ? v / t : 0;
      share[m][e] = s;
      if (s > 0) h -= s * Math.log(s);
    });
    score[e] = M > 1 && t > 0 ? 1 - h / Math.log(M) : 0;
  }
  return { share, score };
}

/**
 * Modality x expert share of router weight, one row of panels per layer.
 *
 * @example
 * ```ts
 * viz.specialization(run.routing, { layers: [4, 5], steps: [500, 1000] });
 * ```
 */
export function specialization(routing: ViewTable, opts: SpecializationOptions = {}): Figure {
  const c = columns(routing, 'routing', ['step', 'layer', 'expert', 'modality', 'weight']);
  const win = stepWindow(opts);
  const mods = distinct(Array.from(c.modality as ArrayLike<string>));
  const allLayers = distinct(Array.from(c.layer as ArrayLike<number>));
  const layers = opts.layers ?? allLayers;
  const acc = new Map<number, number[][]>();
  let E = 0;
  for (let i = 0; i < c.n; i++) E = Math.max(E, (c.expert[i] as number) + 1);
  for (let i = 0; i < c.n; i++) {
    const l = c.layer[i] as number;
    if (!win.keep(c.step[i] as number) || !layers.includes(l)) continue;
    const w = acc.get(l) ?? acc.set(l, mods.map(() => new Array<number>(E).fill(0))).get(l)!;
    w[mods.indexOf(c.modality[i] as string)][c.expert[i] as number] += c.weight[i] as number;
  }
  const shown = layers.filter((l) => acc.has(l));
  if (shown.length === 0) noRows('specialization', `${win.label} and layers [${layers.join(', ')}]`, `layers [${allLayers.join(', ')}]`);
  const data: Trace[] = [];
  const rowPx = 230;
  const layout = baseLayout(opts, `Expert specialisation by modality (${win.label})`, 110 + rowPx * shown.length);
  const annotations: Record<string, unknown>[] = [];
  // Leave room between rows for the next row's panel titles (in px, converted to the domain).
  const gap = shown.length > 1 ? 70 / (rowPx * shown.length) : 0;
  const h = (1 - gap * (shown.length - 1)) / shown.length;
  const experts = Array.from({ length: E }, (_, e) => e);
  shown.forEach((l, r) => {
    const { share, score } = specializationScores(acc.get(l)!);
    const last = r === shown.length - 1;
    // Top row = first layer: y domains run from the top.
    const y1 = 1 - r * (h + gap);
    const dom: [number, number] = [round(y1 - h), round(y1)];
    const ih = 2 * r;
    const ib = 2 * r + 1;
    data.push({
      type: 'heatmap', name: `layer ${l}`, x: experts, y: mods, z: share.map((row) => row.map((v) => round(100 * v))),
      xaxis: axisId('x', ih), yaxis: axisId('y', ih), coloraxis: 'coloraxis', xgap: 1, ygap: 1,
      hovertemplate: `layer ${l}, expert %{x}<br>%{y}: %{z:.1f}% of its (normalised) weight<extra></extra>`,
    });
    data.push({
      type: 'bar', name: `score L${l}`, x: experts, y: score.map(round), xaxis: axisId('x', ib), yaxis: axisId('y', ib),
      marker: { color: experts.map(expertColor) }, showlegend: false,
      hovertemplate: `layer ${l}, expert %{x}<br>specialisation %{y:.2f}<extra></extra>`,
    });
    layout[axisKey('x', ih)] = axis(opts.theme, last ? 'expert' : '', { domain: [0, 0.5], anchor: axisId('y', ih), dtick: 1, showgrid: false });
    layout[axisKey('y', ih)] = axis(opts.theme, 'modality', { domain: dom, anchor: axisId('x', ih), type: 'category', showgrid: false });
    layout[axisKey('x', ib)] = axis(opts.theme, last ? 'expert' : '', { domain: [0.72, 1], anchor: axisId('y', ib), dtick: 1 });
    layout[axisKey('y', ib)] = axis(opts.theme, 'score (0–1)', { domain: dom, anchor: axisId('x', ib), range: [0, 1] });
    annotations.push(facetTitle(`layer ${l}: share of each expert's weight by modality`, axisId('x', ih), axisId('y', ih)));
    annotations.push(facetTitle(`layer ${l}: specialisation score`, axisId('x', ib), axisId('y', ib)));
  });
  layout.annotations = annotations;
  layout.coloraxis = { colorscale: 'Viridis', cmin: 0, cmax: 100, colorbar: { title: { text: 'share (%)', side: 'right' }, x: 0.52, xanchor: 'left', thickness: 14, len: 0.9 } };
  layout.showlegend = false;
  return { data, layout };
}
