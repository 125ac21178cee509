/**
 * Colours, themes and small helpers shared by every chart, so a modality, an expert, a task or
 * a layer has the same colour in every view of a run, in light and dark notebooks alike.
 *
 * @example
 * ```ts
 * import { viz } from 'imp-lab';
 * viz.modalityColor('audio'); // '#009E73'
 * viz.expertColor(3);         // '#d62728'
 * ```
 */
import { ConfigError } from '../imp/core/errors';

/** A Plotly trace (plain JSON). */
export type Trace = Record<string, unknown>;
/** A Plotly layout (plain JSON). */
export type Layout = Record<string, unknown>;
/** What every builder returns: pass it to `Plotly.newPlot(div, fig.data, fig.layout)` or `figureBundle`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

export type ThemeName = 'light' | 'dark';

/** Options every builder accepts. */
export interface CommonOptions {
  /** 'light' (default) or 'dark' (matches a dark JupyterLab theme). */
  theme?: ThemeName;
  /** Replaces the default title. */
  title?: string;
  /** Figure height in px (default depends on the view). */
  height?: number;
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const MODALITY_COLORS: Readonly<Record<string, string>> = {
  image: '#0072B2',
  video: '#E69F00',
  audio: '#009E73',
  text: '#CC79A7',
  all: '#7f7f7f',
};

/** Twenty expert colours (tab10, then its light variants); expert e gets entry e mod 20. */
export const EXPERT_PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

/** Colours for tasks, runs and groups (Dark2 + Set1), assigned in sorted-name order. */
export const CATEGORY_PALETTE: readonly string[] = [
  '#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#377eb8', '#e41a1c', '#984ea3',
];

/** Colour of a modality; an unknown name gets a stable colour from its hash. */
export function modalityColor(modality: string): string {
  return MODALITY_COLORS[modality] ?? CATEGORY_PALETTE[hash(modality) % CATEGORY_PALETTE.length];
}

/** Colour of expert `e`; -1 (no expert took the token) is grey. */
export function expertColor(e: number): string {
  return e < 0 ? '#555555' : EXPERT_PALETTE[e % EXPERT_PALETTE.length];
}

/**
 * Colours for a set of names (tasks, runs, groups), by their sorted order: the same set of
 * names gets the same colours in every view.
 */
export function categoryColors(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort();
  return new Map(sorted.map((n, i) => [n, CATEGORY_PALETTE[i % CATEGORY_PALETTE.length]]));
}

/** Viridis samples for ordered things (layers): layer i of n. */
export function sequentialColor(i: number, n: number): string {
  const stops = ['#440154', '#3b528b', '#21918c', '#5ec962', '#b5de2b', '#fde725'];
  if (n <= 1) return stops[2];
  const x = (i / (n - 1)) * (stops.length - 1);
  return stops[Math.min(stops.length - 1, Math.round(x))];
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface Palette {
  paper: string;
  plot: string;
  font: string;
  grid: string;
  line: string;
}

const THEMES: Record<ThemeName, Palette> = {
  light: { paper: '#ffffff', plot: '#ffffff', font: '#222222', grid: '#e6e6e6', line: '#9a9a9a' },
  dark: { paper: '#16191d', plot: '#16191d', font: '#e4e4e4', grid: '#33383f', line: '#6b7280' },
};

export function palette(theme: ThemeName = 'light'): Palette {
  if (theme !== 'light' && theme !== 'dark') throw new ConfigError('theme', theme, '"light" | "dark"');
  return THEMES[theme];
}

/** An axis with the theme's grid and a title (always with units where there are units). */
export function axis(theme: ThemeName | undefined, title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const p = palette(theme);
  return {
    title: { text: title },
    gridcolor: p.grid,
    linecolor: p.line,
    zerolinecolor: p.grid,
    automargin: true,
    ...extra,
  };
}

/** The layout every view starts from. */
export function baseLayout(opts: CommonOptions, title: string, height: number): Layout {
  const p = palette(opts.theme);
  return {
    title: { text: opts.title ?? title, x: 0.02, xanchor: 'left' },
    height: opts.height ?? height,
    paper_bgcolor: p.paper,
    plot_bgcolor: p.plot,
    font: { color: p.font, family: 'Helvetica, Arial, sans-serif', size: 12 },
    margin: { l: 60, r: 30, t: 60, b: 50 },
    legend: { bgcolor: 'rgba(0,0,0,0)' },
    hovermode: 'closest',
  };
}

/** Annotation used as a facet title. */
export function facetTitle(text: string, xref: string, yref: string, color?: string): Record<string, unknown> {
  return {
    text: `<b>${text}</b>`,
    xref: `${xref} domain`,
    yref: `${yref} domain`,
    x: 0.5,
    y: 1.02,
    xanchor: 'center',
    yanchor: 'bottom',
    showarrow: false,
    font: color ? { color } : {},
  };
}

/** Splits [0, 1] into n domains with a gap between them. */
export function domains(n: number, gap = 0.06): [number, number][] {
  const w = (1 - gap * (n - 1)) / n;
  return Array.from({ length: n }, (_, i) => [round(i * (w + gap)), round(i * (w + gap) + w)] as [number, number]);
}

/** Rounds to 6 significant digits: figures stay small and goldens stable. */
export function round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(6));
}

/** Axis id for facet i: x, x2, x3... (and the layout key xaxis, xaxis2...). */
export function axisId(letter: 'x' | 'y', i: number): string {
  return i === 0 ? letter : `${letter}${i + 1}`;
}
export function axisKey(letter: 'x' | 'y', i: number): string {
  return i === 0 ? `${letter}axis` : `${letter}axis${i + 1}`;
}
