/**
 * Turns notebook values into Jupyter MIME bundles: Plotly figures, arquero tables, tensors,
 * anything with a `Symbol.for("jupyter.mimebundle")` method, and plain values as text.
 * Pure except for one piece of session state: whether plotly.js was already sent, because the
 * first Plotly output of a notebook session carries the library inline (no CDN here).
 *
 * @example
 * ```ts
 * import { DisplayState, toBundle } from './display';
 * const state = new DisplayState();
 * toBundle({ data: [{ type: 'scatter', x: [1, 2], y: [3, 4] }], layout: {} }, state);
 * // { 'application/vnd.plotly.v1+json': {...}, 'text/html': '<div ...', 'text/plain': 'Plotly figure: 1 trace (scatter)' }
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';

export type MimeBundle = Record<string, unknown>;
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
export const MIMEBUNDLE = Symbol.for('jupyter.mimebundle');

/** A Plotly figure as the viz builders return it. */
export interface Figure {
  data: object[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: object[];
}

/** Per-notebook-session display state (one per kernel process). */
export class DisplayState {
  plotlySent = false;
  /**
   * The display id whose output carries plotly.js. When that output is replaced by
   * update_display_data, the update must carry the library again, or a saved notebook loses it.
   */
  loaderOwner: string | null = null;
  /** Where plotly.min.js is read from; overridable for tests. */
  plotlyPath: string = defaultPlotlyPath();
}

function defaultPlotlyPath(): string {
  try {
    return require.resolve('plotly.js-dist-min/plotly.min.js');
  } catch {
    return path.join(__dirname, '..', '..', 'node_modules', 'plotly.js-dist-min', 'plotly.min.js');
  }
}

export function isFigure(v: unknown): v is Figure {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  if (!Array.isArray(f.data) || !f.data.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t))) return false;
  if (f.layout !== undefined && (typeof f.layout !== 'object' || f.layout === null || Array.isArray(f.layout))) return false;
  // A bare `{data: [...]}` object is too common to claim; a figure names its traces' type or has a layout.
  return f.layout !== undefined || (f.data.length > 0 && f.data.every((t) => typeof (t as { type?: unknown }).type === 'string'));
}

/** Duck type of an arquero ColumnTable. */
export interface TableLike {
  numRows(): number;
  numCols(): number;
  columnNames(): string[];
  objects(opts?: { limit?: number }): object[];
  toHTML(opts?: { limit?: number }): string;
}

export function isTable(v: unknown): v is TableLike {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return ['numRows', 'numCols', 'columnNames', 'objects', 'toHTML'].every((k) => typeof t[k] === 'function');
}

/** Duck type of a tfjs Tensor. */
interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed: boolean;
  dataSync(): ArrayLike<number> | string[];
  toString(verbose?: boolean): string;
}

export function isTensor(v: unknown): v is TensorLike {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return Array.isArray(t.shape) && typeof t.dtype === 'string' && typeof t.dataSync === 'function' && typeof t.rankType === 'string';
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Plain text of any value, as Node's REPL shows it. */
export function plainText(v: unknown): string {
  return typeof v === 'string' ? inspect(v) : inspect(v, { depth: 4, maxArrayLength: 50, breakLength: 100, colors: false });
}

/** Bundle of a Plotly figure; the first one of a session also defines `window.Plotly`. */
export function figureBundle(fig: Figure, state: DisplayState, withLoader = false): MimeBundle {
  const id = `imp-plotly-${randomUUID()}`;
  const spec = { data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...(fig.config ?? {}) } };
  // JSON inside <script>: "</" must not end the script element early.
  const json = JSON.stringify(spec).replace(/<\//g, '<\\/');
  let loader = '';
  if (!state.plotlySent || withLoader) {
    loader = plotlyLoader(state);
    state.plotlySent = true;
  }
  const height = typeof spec.layout.height === 'number' ? spec.layout.height : 420;
  const html =
    `${loader}<div id="${id}" class="imp-lab-plotly" style="width:100%;height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function(){var spec=${json};var tries=0;` +
    `function draw(){if(window.Plotly){window.Plotly.newPlot("${id}",spec.data,spec.layout,spec.config);}` +
    `else if(tries++<200){setTimeout(draw,50);}}draw();})();</script>`;
  const traces = fig.data.map((t) => String((t as { type?: unknown }).type ?? 'scatter'));
  const title = (fig.layout as { title?: unknown } | undefined)?.title;
  const titleText = typeof title === 'string' ? title : typeof (title as { text?: unknown })?.text === 'string' ? (title as { text: string }).text : '';
  return {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout ?? {}, ...(fig.config ? { config: fig.config } : {}) },
    'text/html': html,
    'text/plain': `Plotly figure${titleText ? ` "${titleText}"` : ''}: ${traces.length} trace${traces.length === 1 ? '' : 's'} (${[...new Set(traces)].join(', ')})`,
  };
}

/** Marks the script element that defines window.Plotly. */
export const LOADER_TAG = '<script type="text/javascript" data-imp-lab="plotly.js">';

/** The inline plotly.js script (read once, ~4.8 MB). */
function plotlyLoader(state: DisplayState): string {
  const lib = fs.readFileSync(state.plotlyPath, 'utf8').replace(/<\/script/gi, '<\\/script');
  // Shadow `module` so the bundle's UMD wrapper sets window.Plotly instead of module.exports.
  return `${LOADER_TAG}(function(module){\n${lib}\n})(undefined);</script>\n`;
}

/** True when a bundle's HTML carries plotly.js. */
export function carriesLoader(bundle: MimeBundle): boolean {
  return typeof bundle['text/html'] === 'string' && bundle['text/html'].startsWith(LOADER_TAG);
}

/**
 * Keeps plotly.js in the output that owns it: records the owner on display, and puts the
 * library back into an update of that output.
 */
export function keepLoader(bundle: MimeBundle, displayId: string | undefined, update: boolean, state: DisplayState): MimeBundle {
  if (!displayId) return bundle;
  if (!update) {
    if (carriesLoader(bundle)) state.loaderOwner = displayId;
    return bundle;
  }
  if (displayId === state.loaderOwner && !carriesLoader(bundle)) {
    const fig = bundle[PLOTLY_MIME];
    if (isFigure(fig)) return { ...bundle, 'text/html': figureBundle(fig, state, true)['text/html'] };
    // The owner now shows something else: the library must travel with the next figure.
    state.loaderOwner = null;
    state.plotlySent = false;
  }
  return bundle;
}

/** Bundle of an arquero table: the first `limit` rows as HTML and text, plus the row count. */
export function tableBundle(t: TableLike, limit = 20): MimeBundle {
  const rows = t.numRows();
  const cols = t.columnNames();
  const shown = Math.min(rows, limit);
  const caption = `${rows} row${rows === 1 ? '' : 's'} × ${cols.length} column${cols.length === 1 ? '' : 's'}${shown < rows ? ` (first ${shown} shown)` : ''}`;
  const html = `<div class="imp-lab-table">${t.toHTML({ limit })}<p style="font-size:smaller">${escapeHtml(caption)}</p></div>`;
  const objs = t.objects({ limit }) as Record<string, unknown>[];
  const cell = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '')) : v instanceof Date ? v.toISOString() : String(v));
  const grid = [cols, ...objs.map((o) => cols.map((c) => cell(o[c])))];
  const widths = cols.map((_, j) => Math.max(...grid.map((r) => r[j].length)));
  const lines = grid.map((r) => r.map((s, j) => s.padEnd(widths[j])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return { 'text/html': html, 'text/plain': `${lines.join('\n')}\n${caption}` };
}

/** Bundle of a tensor: shape, dtype and statistics, then (a summary of) the values. */
export function tensorBundle(t: TensorLike): MimeBundle {
  if (t.isDisposed) return { 'text/plain': `Tensor ${t.dtype} [${t.shape.join(', ')}] (disposed)` };
  const head = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  let stats = '';
  if (t.dtype !== 'string' && t.size > 0) {
    const v = t.dataSync() as ArrayLike<number>;
    let min = Infinity, max = -Infinity, sum = 0, nan = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) { nan++; continue; }
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    const n = v.length - nan;
    const mean = n > 0 ? sum / n : NaN;
    let sq = 0;
    for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) sq += (v[i] - mean) ** 2;
    const f = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));
    stats = `  min ${f(min)}  max ${f(max)}  mean ${f(mean)}  std ${f(n > 0 ? Math.sqrt(sq / n) : NaN)}${nan ? `  NaN ${nan}` : ''}`;
  }
  // tfjs prints at most a few values per axis for large tensors, so this stays short.
  const values = t.toString().replace(/^Tensor\s*\n?/, '');
  return { 'text/plain': `${head}${stats}\n${values}` };
}

/** Reads a value's own MIME bundle (`[Symbol.for("jupyter.mimebundle")]`), if it has one. */
function ownBundle(v: unknown): MimeBundle | null {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return null;
  const b = (v as Record<symbol, unknown>)[MIMEBUNDLE];
  const bundle = typeof b === 'function' ? (b as () => unknown).call(v) : b;
  return typeof bundle === 'object' && bundle !== null ? (bundle as MimeBundle) : null;
}

/**
 * The MIME bundle for a value. A bundle that already holds Plotly JSON gets this session's
 * HTML (so plotly.js is loaded once), and every bundle gets a `text/plain` fallback.
 */
export function toBundle(v: unknown, state: DisplayState): MimeBundle {
  let bundle: MimeBundle;
  const own = ownBundle(v);
  if (own) bundle = { ...own };
  else if (isFigure(v)) return figureBundle(v, state);
  else if (isTable(v)) return tableBundle(v);
  else if (isTensor(v)) return tensorBundle(v);
  else return { 'text/plain': plainText(v) };
  const plotly = bundle[PLOTLY_MIME];
  if (isFigure(plotly)) return { ...bundle, ...figureBundle(plotly, state) };
  if (!('text/plain' in bundle)) bundle['text/plain'] = plainText(v);
  return bundle;
}
