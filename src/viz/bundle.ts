/**
 * A figure as a Jupyter MIME bundle. Nothing here knows about Jupyter messages: the kernel
 * sends the bundle in `display_data` / `update_display_data`.
 *
 * The `text/html` part expects plotly.js to be loaded in the page already as `window.Plotly`
 * (the kernel loads it once per notebook from the local plotly.js-dist-min file; there is no
 * network). If it is missing, the output says so instead of failing silently. JupyterLab uses
 * the `application/vnd.plotly.v1+json` part with its own renderer; `text/plain` is for consoles.
 */
import type { Figure } from './theme';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

export interface MimeBundle {
  [PLOTLY_MIME]: { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> };
  'text/html': string;
  'text/plain': string;
}

export interface BundleOptions {
  /** Element id of the plot div (default: a counter and a hash of the figure, stable for a given figure and call order). */
  id?: string;
}

let counter = 0;

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Makes JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function titleOf(fig: Figure): string {
  const t = fig.layout.title as { text?: string } | string | undefined;
  return typeof t === 'string' ? t : t?.text ?? 'figure';
}

/**
 * Turns a figure into a MIME bundle with plotly JSON, HTML (needs window.Plotly) and a text summary.
 *
 * @example
 * ```ts
 * const bundle = viz.figureBundle(viz.lossCurves(run.metrics));
 * // kernel: display(bundle) -> display_data { data: bundle }
 * ```
 */
export function figureBundle(fig: Figure, opts: BundleOptions = {}): MimeBundle {
  const json = scriptJson({ data: fig.data, layout: fig.layout });
  const id = opts.id ?? `imp-plot-${++counter}-${fnv(json)}`;
  const config = { responsive: true, displaylogo: false };
  const html =
    `<div id="${id}" class="imp-plot" style="width:100%;min-height:${Number(fig.layout.height) || 400}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  if (!el) return;\n` +
    `  if (!window.Plotly) { el.textContent = 'plotly.js is not loaded in this page (IMP Lab loads it once per notebook; re-run the first cell).'; return; }\n` +
    `  var fig = ${json};\n` +
    `  window.Plotly.react(el, fig.data, fig.layout, ${JSON.stringify(config)});\n` +
    `})();</script>`;
  const traces = fig.data.map((t) => `${t.type ?? 'scatter'}${t.name !== undefined ? ` "${t.name}"` : ''}`);
  return {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout, config },
    'text/html': html,
    'text/plain': `<Plotly figure: ${titleOf(fig).replace(/<[^>]+>/g, '')}; ${fig.data.length} trace${fig.data.length === 1 ? '' : 's'}: ${traces.slice(0, 8).join(', ')}${traces.length > 8 ? ', ...' : ''}>`,
  };
}
