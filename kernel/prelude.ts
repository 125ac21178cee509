/**
 * What every notebook cell sees without imports besides `imp`, `viz` and `aq`: `display(...)`
 * and `progress(...)`. Cells load this compiled module (dist/kernel/prelude.js) from the same
 * path as the kernel does, so both share the one `channel` the kernel binds at start-up.
 * Its declarations must compile under tslab's TypeScript 5.0: keep the types plain.
 *
 * @example
 * ```ts
 * // in a notebook cell
 * display.markdown('**hello**');
 * const h = display('step 0');          // returns a handle that updates in place
 * h.update('step 1');
 * const bar = progress({ total: 100, label: 'train' });
 * for (let s = 1; s <= 100; s++) { bar.update(s, `loss ${(1 / s).toFixed(3)}`); await new Promise((r) => setImmediate(r)); }
 * bar.done();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { DisplayState, MimeBundle, toBundle, figureBundle, tableBundle, keepLoader, Figure, TableLike } from './display';
import { interruptRequested } from '../src/imp/core/interrupt';
import { InterruptError } from '../src/imp/core/errors';

/** What the kernel provides to the display helpers. */
export interface DisplayChannel {
  /** Publishes display_data / update_display_data / clear_output for the given (or current) cell. */
  publish(msgType: 'display_data' | 'update_display_data' | 'clear_output', content: Record<string, unknown>, parent?: unknown): void;
  /** An opaque token for the cell that runs now; display handles keep it so later updates land there. */
  currentParent(): unknown;
  readonly state: DisplayState;
}

let channel: DisplayChannel | null = null;

/**
 * Marks values a cell should not echo as its result (display handles, progress bars): a cell
 * ending in `display(x)` shows x once, not x and then the handle.
 */
export const QUIET = Symbol.for('imp-lab.quiet');

function quiet<T extends object>(o: T): T {
  Object.defineProperty(o, QUIET, { value: true, enumerable: false });
  return o;
}

/** Called by the kernel at start-up. Outside a kernel, displays fall back to printing text. */
export function bindDisplayChannel(c: DisplayChannel | null): void {
  channel = c;
}

/** A live output area: `update` replaces what `display` showed, in place. */
export interface DisplayHandle {
  readonly displayId: string;
  update(value: unknown): void;
}

/** The sink that `viz.createLiveView({ sink })` writes to. */
export interface LiveSink {
  /** `bundle` is any MIME bundle object (viz's `MimeBundle` has no index signature). */
  display(bundle: object, displayId: string): void;
  update(bundle: object, displayId: string): void;
}

function publishBundle(bundle: MimeBundle, displayId: string | undefined, update: boolean, parent?: unknown): void {
  if (!channel) {
    process.stdout.write(`${String(bundle['text/plain'] ?? '')}\n`);
    return;
  }
  const data = keepLoader(bundle, displayId, update, channel.state);
  const content = { data, metadata: {}, transient: displayId ? { display_id: displayId } : {} };
  channel.publish(update ? 'update_display_data' : 'display_data', content, parent);
}

function state(): DisplayState {
  return channel ? channel.state : fallbackState;
}
const fallbackState = new DisplayState();

function makeHandle(displayId: string, parent: unknown): DisplayHandle {
  return quiet({ displayId, update: (v: unknown) => publishBundle(toBundle(v, state()), displayId, true, parent) });
}

function show(bundle: MimeBundle, opts?: { id?: string }): DisplayHandle {
  const id = opts?.id ?? randomUUID();
  const parent = channel?.currentParent();
  publishBundle(bundle, id, false, parent);
  return makeHandle(id, parent);
}

function fromBase64OrBytes(b: Uint8Array | string): string {
  return typeof b === 'string' ? b : Buffer.from(b).toString('base64');
}

/** The `display` function with its helpers. */
export interface Display {
  /** Shows any value richly (figures, tables, tensors, `Symbol.for("jupyter.mimebundle")`). */
  (value: unknown, opts?: { id?: string }): DisplayHandle;
  html(html: string): DisplayHandle;
  markdown(md: string): DisplayHandle;
  text(text: string): DisplayHandle;
  /** A PNG from bytes or base64. */
  png(png: Uint8Array | string): DisplayHandle;
  /** A Plotly figure `{data, layout}`. */
  plotly(fig: Figure): DisplayHandle;
  /** An arquero table; shows the first `limit` rows (default 20) and the row count. */
  table(table: TableLike, opts?: { limit?: number }): DisplayHandle;
  /** A raw MIME bundle. */
  bundle(bundle: MimeBundle): DisplayHandle;
  /** Clears the cell's output (`wait`: when the next output arrives). */
  clear(wait?: boolean): void;
  /** A sink for `viz.createLiveView`, bound to the cell that calls this. */
  sink(): LiveSink;
}

function displayFn(value: unknown, opts?: { id?: string }): DisplayHandle {
  return show(toBundle(value, state()), opts);
}

/**
 * `display(value)` shows a value in the cell's output; the helpers show one kind of content.
 *
 * @example
 * ```ts
 * display.table(aq.table({ step: [1, 2], loss: [0.9, 0.7] }));
 * display.plotly({ data: [{ type: 'scatter', y: [3, 1, 2] }], layout: { title: 'loss' } });
 * display.clear();
 * ```
 */
export const display: Display = Object.assign(displayFn, {
  html: (html: string) => show({ 'text/html': html, 'text/plain': html.replace(/<[^>]*>/g, '') }),
  markdown: (md: string) => show({ 'text/markdown': md, 'text/plain': md }),
  text: (text: string) => show({ 'text/plain': text }),
  png: (png: Uint8Array | string) => show({ 'image/png': fromBase64OrBytes(png), 'text/plain': '<PNG image>' }),
  plotly: (fig: Figure) => show(figureBundle(fig, state())),
  table: (table: TableLike, opts?: { limit?: number }) => show(tableBundle(table, opts?.limit ?? 20)),
  bundle: (bundle: MimeBundle) => show(toBundle({ [Symbol.for('jupyter.mimebundle')]: bundle }, state())),
  clear: (wait = false) => {
    if (channel) channel.publish('clear_output', { wait }, channel.currentParent());
  },
  sink: (): LiveSink => {
    const parent = channel?.currentParent();
    return quiet({
      display: (bundle: object, id: string) => publishBundle(toBundle({ [Symbol.for('jupyter.mimebundle')]: bundle }, state()), id, false, parent),
      update: (bundle: object, id: string) => publishBundle(toBundle({ [Symbol.for('jupyter.mimebundle')]: bundle }, state()), id, true, parent),
    });
  },
});

export interface ProgressOptions {
  total: number;
  label?: string;
  /** Minimum milliseconds between two redraws (default 100); the last step always redraws. */
  every?: number;
}

/** An in-place progress bar. */
export interface Progress {
  /**
   * Moves the bar to `step` with an optional status text. Throws `InterruptError` when the user
   * interrupted the kernel, so a loop that reports progress also stops on interrupt.
   */
  update(step: number, text?: string): void;
  /** Draws the final state. */
  done(text?: string): void;
}

function progressBundle(label: string, step: number, total: number, text: string, elapsedMs: number): MimeBundle {
  const frac = total > 0 ? Math.min(1, Math.max(0, step / total)) : 0;
  const width = 30;
  const filled = Math.round(frac * width);
  const secs = (elapsedMs / 1000).toFixed(1);
  const plain = `${label ? `${label} ` : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total} ${secs}s${text ? ` ${text}` : ''}`;
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
  const html =
    `<div class="imp-lab-progress" style="font-family:monospace">${label ? `${esc(label)} ` : ''}` +
    `<progress value="${step}" max="${total}" style="width:40%;vertical-align:middle"></progress> ` +
    `${step}/${total} ${secs}s${text ? ` ${esc(text)}` : ''}</div>`;
  return { 'text/html': html, 'text/plain': plain };
}

/**
 * An in-place progress bar (one output that `update_display_data` redraws). Training loops take
 * it as their progress callback.
 *
 * @example
 * ```ts
 * const bar = progress({ total: 3, label: 'epochs' });
 * for (let s = 1; s <= 3; s++) bar.update(s, `loss ${1 / s}`);
 * bar.done('finished');
 * ```
 */
export function progress(opts: ProgressOptions): Progress {
  const total = opts.total;
  const label = opts.label ?? '';
  const every = opts.every ?? 100;
  const start = Date.now();
  let last = 0;
  let step = 0;
  let text = '';
  const handle = show(progressBundle(label, 0, total, '', 0));
  const draw = () => handle.update({ [Symbol.for('jupyter.mimebundle')]: progressBundle(label, step, total, text, Date.now() - start) });
  return quiet({
    update(s: number, t?: string) {
      if (interruptRequested()) throw new InterruptError();
      step = s;
      text = t ?? text;
      const now = Date.now();
      if (now - last >= every || s >= total) {
        last = now;
        draw();
      }
    },
    done(t?: string) {
      text = t ?? text;
      draw();
    },
  });
}
