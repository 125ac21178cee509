/**
 * The registry of named views: each name maps to its builder and the run table it reads by
 * default, so live views and configs can refer to charts by name.
 */
import { Registry } from '../imp/core/registry';
import type { RunTables } from '../imp/frames/recorder';
import { compareRuns } from './compare_runs';
import { confusion } from './confusion';
import { expertLoad } from './expert_load';
import { lossCurves } from './loss_curves';
import { retrieval } from './retrieval';
import { routingDynamics } from './routing_dynamics';
import { specialization } from './specialization';
import type { Figure } from './theme';
import { taskTimeline } from './task_timeline';

export type ViewName = 'lossCurves' | 'taskTimeline' | 'expertLoad' | 'specialization' | 'routingDynamics' | 'confusion' | 'retrieval' | 'compareRuns';

export interface ViewEntry {
  /** Builds the view with default options from a run's tables. */
  build(tables: RunTables): Figure;
}

export const views = new Registry<ViewEntry>('view');
views.register('lossCurves', { build: (t) => lossCurves(t.metrics) });
views.register('taskTimeline', { build: (t) => taskTimeline(t.metrics) });
views.register('expertLoad', { build: (t) => expertLoad(t.routing) });
views.register('specialization', { build: (t) => specialization(t.routing) });
views.register('routingDynamics', { build: (t) => routingDynamics(t.routing, { metrics: t.metrics }) });
views.register('confusion', { build: (t) => confusion(t.evals) });
views.register('retrieval', { build: (t) => retrieval(t.evals) });
views.register('compareRuns', { build: (t) => compareRuns(t.metrics) });
// tokenRouting needs the example's pixels, so it has no default build: use a function view.
