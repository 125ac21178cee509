/**
 * Plotly figure builders over the frames of `src/imp/frames`. Each view is a pure function
 * `(table, options) -> {data, layout}`; `figureBundle` turns a figure into a MIME bundle and
 * `createLiveView` updates a set of views in place during training. Nothing here knows about
 * Jupyter.
 *
 * @example
 * ```ts
 * import { frames } from 'imp-lab';
 * import * as viz from 'imp-lab/dist/src/viz';
 * const run = frames.open('runs/moe-s8');
 * const fig = viz.expertLoad(run.routing, { value: 'weight', theme: 'dark' });
 * display(viz.figureBundle(fig));
 * ```
 */
export { lossCurves, type LossCurvesOptions } from './loss_curves';
export { taskTimeline, type TaskTimelineOptions } from './task_timeline';
export { expertLoad, type ExpertLoadOptions } from './expert_load';
export { specialization, specializationScores, type SpecializationOptions } from './specialization';
export { tokenRouting, type TokenRoutingOptions, type Pixels } from './token_routing';
export { routingDynamics, type RoutingDynamicsOptions } from './routing_dynamics';
export { confusion, type ConfusionOptions } from './confusion';
export { retrieval, type RetrievalOptions } from './retrieval';
export { compareRuns, defaultGroup, type CompareRunsOptions } from './compare_runs';
export { figureBundle, PLOTLY_MIME, type MimeBundle, type BundleOptions } from './bundle';
export { createLiveView, type LiveView, type LiveViewOptions, type LiveViewSpec, type DisplaySink } from './live';
export { views, type ViewName, type ViewEntry } from './views';
export {
  MODALITY_COLORS, EXPERT_PALETTE, CATEGORY_PALETTE, modalityColor, expertColor, categoryColors, sequentialColor,
  type Figure, type Trace, type Layout, type ThemeName, type CommonOptions,
} from './theme';
export type { StepWindow } from './columns';
