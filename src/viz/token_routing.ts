/**
 * View 5: token routing drill-down. The input (an image, a video as a strip of frames, or a
 * spectrogram) with each patch tinted by the expert that took it with the highest router weight,
 * for one example at one layer and step.
 */
import { ConfigError, ShapeError } from '../imp/core/errors';
import { columns, distinct, noRows, type ViewTable } from './columns';
import { axis, baseLayout, expertColor, palette, round, type CommonOptions, type Figure } from './theme';

/** Host pixels, as in HostBatch: image [H, W] | [H, W, C] | [1, H, W, C]; video [T, H, W, C]; audio [T, F]. Values in [0, 1] for vision. */
export interface Pixels {
  data: ArrayLike<number>;
  shape: number[];
}

export interface TokenRoutingOptions extends CommonOptions {
  /** The example's input (required). */
  pixels: Pixels;
  /** Modality of the example (default: the only/first modality in the table). */
  modality?: string;
  /** Layer (default: the last layer in the table). */
  layer?: number;
  /** Step (default: the last step with rows for this layer and modality). */
  step?: number;
  /** Example index in the sampled batch (default 0). */
  example?: number;
  /** Patch size: vision [pt, ph, pw] or [ph, pw]; audio [time, freq]. Default: input size / token grid. */
  patch?: number[];
  /** Opacity of the expert tint (default 0.5). */
  alpha?: number;
}

interface Tok {
  t: number;
  h: number;
  w: number;
  expert: number;
  weight: number;
}

/**
 * Patches of one example coloured by their top expert.
 *
 * @example
 * ```ts
 * const batch = source.batch({ split: 'test', batchSize: 1, seed: 0 });
 * viz.tokenRouting(run.tokens, { pixels: batch.image!, layer: 5, example: 0 });
 * ```
 */
export function tokenRouting(tokens: ViewTable, opts: TokenRoutingOptions): Figure {
  if (!opts || !opts.pixels || !opts.pixels.data || !Array.isArray(opts.pixels.shape)) throw new ConfigError('pixels', opts?.pixels, '{data, shape} of the example (image [H,W(,C)], video [T,H,W,C] or spectrogram [T,F])');
  const c = columns(tokens, 'tokens', ['step', 'layer', 'modality', 'example', 't', 'h', 'w', 'expert', 'weight']);
  const mods = distinct(Array.from(c.modality as ArrayLike<string>));
  const modality = opts.modality ?? mods[0];
  const example = opts.example ?? 0;
  let layer = opts.layer;
  if (layer === undefined) for (let i = 0; i < c.n; i++) if (c.modality[i] === modality) layer = Math.max(layer ?? -Infinity, c.layer[i] as number);
  let step = opts.step;
  if (step === undefined) for (let i = 0; i < c.n; i++) if (c.modality[i] === modality && c.layer[i] === layer && c.example[i] === example) step = Math.max(step ?? -Infinity, c.step[i] as number);
  // Top-weight expert per patch position.
  const top = new Map<string, Tok>();
  for (let i = 0; i < c.n; i++) {
    if (c.modality[i] !== modality || c.layer[i] !== layer || c.step[i] !== step || c.example[i] !== example) continue;
    const tok: Tok = { t: Math.max(0, c.t[i] as number), h: Math.max(0, c.h[i] as number), w: Math.max(0, c.w[i] as number), expert: c.expert[i] as number, weight: c.weight[i] as number };
    const k = `${tok.t},${tok.h},${tok.w}`;
    const prev = top.get(k);
    if (!prev || (prev.expert < 0 && tok.expert >= 0) || (tok.expert >= 0 && tok.weight > prev.weight)) top.set(k, tok);
  }
  if (top.size === 0) noRows('tokenRouting', `modality "${modality}", layer ${layer}, step ${step}, example ${example}`, `modalities [${mods.join(', ')}]`);
  const toks = [...top.values()];
  const nT = Math.max(...toks.map((t) => t.t)) + 1;
  const nH = Math.max(...toks.map((t) => t.h)) + 1;
  const nW = Math.max(...toks.map((t) => t.w)) + 1;
  const experts = distinct(toks.map((t) => t.expert));
  const cat = new Map(experts.map((e, i) => [e, i]));
  const K = experts.length;
  // Discrete colour scale: category i covers [i/K, (i+1)/K].
  const colorscale: [number, string][] = [];
  experts.forEach((e, i) => {
    colorscale.push([round(i / K), expertColor(e)], [round((i + 1) / K), expertColor(e)]);
  });
  const overlay = (z: (number | null)[][], text: (string | null)[][], x0: number, dx: number, y0: number, dy: number) => ({
    type: 'heatmap', name: 'expert', z, text, x0, dx, y0, dy, zmin: -0.5, zmax: K - 0.5, colorscale, opacity: opts.alpha ?? 0.5,
    hoverongaps: false, hovertemplate: '%{text}<extra></extra>', xgap: 0, ygap: 0,
    colorbar: { title: { text: 'top expert' }, tickvals: experts.map((_, i) => i), ticktext: experts.map((e) => (e < 0 ? 'none' : `expert ${e}`)) },
  });
  const label = (t: Tok) => `patch t${t.t} h${t.h} w${t.w}<br>${t.expert < 0 ? 'no expert' : `expert ${t.expert}`} (weight ${t.weight.toFixed(3)})`;
  const shape = opts.pixels.shape;
  const px = opts.pixels.data;
  const title = `Token routing: ${modality} example ${example}, layer ${layer}, step ${step}`;
  const layout = baseLayout(opts, title, 420);

  if (modality === 'audio') {
    if (shape.length !== 2) throw new ShapeError('tokenRouting pixels (audio)', shape, '[T frames, F mel bins]');
    const [T, F] = shape;
    const [pt, pf] = opts.patch ?? [T / nT, F / nH];
    const base = Array.from({ length: F }, (_, f) => Array.from({ length: T }, (_, t) => round(px[t * F + f])));
    const z = Array.from({ length: nH }, () => new Array<number | null>(nT).fill(null));
    const text = Array.from({ length: nH }, () => new Array<string | null>(nT).fill(null));
    for (const t of toks) { z[t.h][t.t] = cat.get(t.expert)!; text[t.h][t.t] = label(t); }
    layout.xaxis = axis(opts.theme, 'time (spectrogram frames)', { showgrid: false });
    layout.yaxis = axis(opts.theme, 'frequency (mel bin)', { showgrid: false });
    return {
      data: [
        { type: 'heatmap', name: 'spectrogram', z: base, colorscale: 'Greys', reversescale: true, showscale: false, hoverinfo: 'skip' },
        overlay(z, text, (pt - 1) / 2, pt, (pf - 1) / 2, pf),
      ],
      layout,
    };
  }

  // Vision: normalise the shape to [T, H, W, C].
  let T: number, H: number, W: number, C: number;
  if (shape.length === 2) [T, H, W, C] = [1, shape[0], shape[1], 1];
  else if (shape.length === 3) [T, H, W, C] = [1, shape[0], shape[1], shape[2]];
  else if (shape.length === 4) [T, H, W, C] = shape as [number, number, number, number];
  else throw new ShapeError('tokenRouting pixels (vision)', shape, '[H, W], [H, W, C] or [T, H, W, C]');
  if (C !== 1 && C !== 3) throw new ShapeError('tokenRouting pixels channels', shape, 'C = 1 or 3');
  const patch = opts.patch ?? [T / nT, H / nH, W / nW];
  const [pt, ph, pw] = patch.length === 2 ? [T / nT, patch[0], patch[1]] : patch;
  // A strip: the first frame of each tubelet, side by side, one patch width apart.
  const frames = Array.from({ length: nT }, (_, i) => Math.min(T - 1, Math.round(i * pt)));
  const bg = palette(opts.theme).paper;
  const bgRgb = [1, 3, 5].map((o) => parseInt(bg.slice(o, o + 2), 16));
  const stripW = nT * W + (nT - 1) * pw;
  const img: number[][][] = Array.from({ length: H }, () => Array.from({ length: stripW }, () => bgRgb.slice()));
  frames.forEach((f, i) => {
    const x0 = i * (W + pw);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const o = ((f * H + y) * W + x) * C;
      img[y][x0 + x] = C === 1 ? [0, 0, 0].map(() => Math.round(255 * clamp(px[o]))) : [0, 1, 2].map((k) => Math.round(255 * clamp(px[o + k])));
    }
  });
  const gw = nT * nW + (nT - 1); // one empty patch column between frames
  const z = Array.from({ length: nH }, () => new Array<number | null>(gw).fill(null));
  const text = Array.from({ length: nH }, () => new Array<string | null>(gw).fill(null));
  for (const t of toks) { const col = t.t * (nW + 1) + t.w; z[t.h][col] = cat.get(t.expert)!; text[t.h][col] = label(t); }
  layout.xaxis = axis(opts.theme, nT > 1 ? `tubelets (first frame of each, ${pt} frames per tubelet), pixels` : 'x (pixels)', { showgrid: false, zeroline: false, constrain: 'domain' });
  layout.yaxis = axis(opts.theme, 'y (pixels)', { showgrid: false, zeroline: false, scaleanchor: 'x', autorange: 'reversed', constrain: 'domain' });
  return {
    data: [
      { type: 'image', name: modality, z: img, hoverinfo: 'skip' },
      overlay(z, text, (pw - 1) / 2, pw, (ph - 1) / 2, ph),
    ],
    layout,
  };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
