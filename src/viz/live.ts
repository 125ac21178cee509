/**
 * Live views: a set of figures that update in place during training. The caller (the trainer
 * loop, or a notebook callback) calls `tick(step)` after each step; every `every` steps the
 * views are rebuilt from the current tables and sent to the sink's `update`. The sink is the
 * kernel's display channel (`display_data` / `update_display_data`); tests pass a recorder.
 */
import { ConfigError } from '../imp/core/errors';
import type { RunTables } from '../imp/frames/recorder';
import { figureBundle, type MimeBundle } from './bundle';
import type { Figure } from './theme';
import { views, type ViewName } from './views';

/** Where bundles go. The kernel engineer provides it. */
export interface DisplaySink {
  display(bundle: MimeBundle, displayId: string): void;
  update(bundle: MimeBundle, displayId: string): void;
}

/** A view: a registered name (built from its default table) or a function of the run tables. */
export type LiveViewSpec = ViewName | ((tables: RunTables) => Figure);

export interface LiveViewOptions {
  views: LiveViewSpec[];
  /** Rebuild every this many steps (default 25). */
  every?: number;
  sink: DisplaySink;
  /** Current tables: a recorder (its `tables()`) or a function. */
  source: { tables(): RunTables } | (() => RunTables);
  /** Prefix of display ids (default "imp-live-<n>"). */
  id?: string;
}

export interface LiveView {
  /** Displays the views now (called by the first tick when not called before). */
  show(): void;
  /** Call after each step; rebuilds and updates every `every` steps. Returns true when it updated. */
  tick(step: number): boolean;
  /** Final update (e.g. after training ends). */
  refresh(): void;
  /** Rebuilds so far and the milliseconds they took (builders + bundles + reading tables), for overhead measurement. */
  stats(): { updates: number; ms: number };
}

let liveCounter = 0;

function buildAll(specs: LiveViewSpec[], tables: RunTables): Figure[] {
  return specs.map((s) => {
    if (typeof s === 'function') return s(tables);
    const v = views.get(s);
    return v.build(tables);
  });
}

/** A figure for tables that do not have the rows a view needs yet (early in training). */
function waiting(name: string, err: Error): Figure {
  return { data: [], layout: { title: { text: `${name}: waiting for data` }, annotations: [{ text: err.message.slice(0, 200), showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5 }], height: 200 } };
}

/**
 * Creates a set of live views.
 *
 * @example
 * ```ts
 * const live = viz.createLiveView({ views: ['lossCurves', 'expertLoad'], every: 20, sink: display, source: recorder });
 * for (let step = 0; step < 1000; step++) { trainStep(step); live.tick(step); }
 * live.refresh();
 * ```
 */
export function createLiveView(opts: LiveViewOptions): LiveView {
  if (!opts || !Array.isArray(opts.views) || opts.views.length === 0) throw new ConfigError('views', opts?.views, 'a non-empty array of view names or functions');
  for (const s of opts.views) if (typeof s !== 'function') views.get(s as string); // unknown names throw now, not mid-training
  const every = opts.every ?? 25;
  if (!Number.isInteger(every) || every < 1) throw new ConfigError('every', every, 'an integer >= 1');
  if (!opts.sink || typeof opts.sink.display !== 'function' || typeof opts.sink.update !== 'function') throw new ConfigError('sink', opts.sink, '{display(bundle, id), update(bundle, id)}');
  const src = opts.source;
  const read = typeof src === 'function' ? src : () => src.tables();
  const prefix = opts.id ?? `imp-live-${++liveCounter}`;
  const ids = opts.views.map((_, i) => `${prefix}-${i}`);
  let shown = false;
  let lastStep = -Infinity;
  let updates = 0;
  let ms = 0;
  const render = (send: 'display' | 'update') => {
    const t0 = performance.now();
    const tables = read();
    opts.views.forEach((s, i) => {
      let fig: Figure;
      try {
        fig = buildAll([s], tables)[0];
      } catch (e) {
        fig = waiting(typeof s === 'string' ? s : 'view', e as Error);
      }
      opts.sink[send](figureBundle(fig, { id: `${ids[i]}-plot` }), ids[i]);
    });
    ms += performance.now() - t0;
    updates++;
  };
  return {
    show() {
      render('display');
      shown = true;
    },
    tick(step: number) {
      if (!shown) {
        this.show();
        lastStep = step;
        return true;
      }
      if (step - lastStep < every) return false;
      lastStep = step;
      render('update');
      return true;
    },
    refresh() {
      render(shown ? 'update' : 'display');
      shown = true;
    },
    stats: () => ({ updates, ms }),
  };
}
