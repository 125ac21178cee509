/**
 * One named figure per chart type (and a dark-theme variant), built from the seeded fixtures.
 * Shared by the golden test and the browser rendering test, with the trace count each must have.
 */
import * as viz from '../../src/viz';
import { fixtureAblation, fixturePixels, fixtureRun } from './fixtures';

export interface Case {
  name: string;
  build: () => viz.Figure;
  traces: number;
}

export function cases(): Case[] {
  const run = fixtureRun();
  const px = fixturePixels();
  return [
    // 3 task curves + 3 schedule strips
    { name: 'lossCurves', build: () => viz.lossCurves(run.metrics), traces: 6 },
    // 3 modality curves, each raw + smoothed, + 3 schedule strips
    { name: 'lossCurves-modality-smoothed-dark', build: () => viz.lossCurves(run.metrics, { by: 'modality', smoothing: 0.6, theme: 'dark' }), traces: 9 },
    // 3 task markers + realised + configured bars
    { name: 'taskTimeline', build: () => viz.taskTimeline(run.metrics, { configured: { 'mnist-cls': 5, 'openmoji-nce': 3, 'speech-cls': 2 } }), traces: 5 },
    // one heatmap per modality
    { name: 'expertLoad', build: () => viz.expertLoad(run.routing, { value: 'weight', steps: [10, 39] }), traces: 3 },
    // heatmap + score bars per layer
    { name: 'specialization', build: () => viz.specialization(run.routing), traces: 4 },
    // image + expert overlay
    { name: 'tokenRouting-image', build: () => viz.tokenRouting(run.tokens, { pixels: px.image, modality: 'image' }), traces: 2 },
    { name: 'tokenRouting-video-dark', build: () => viz.tokenRouting(run.tokens, { pixels: px.video, modality: 'video', theme: 'dark' }), traces: 2 },
    { name: 'tokenRouting-audio', build: () => viz.tokenRouting(run.tokens, { pixels: px.audio, modality: 'audio' }), traces: 2 },
    // entropy + dropped per layer (2 layers) + z-loss
    { name: 'routingDynamics', build: () => viz.routingDynamics(run.routing, { metrics: run.metrics }), traces: 5 },
    { name: 'confusion', build: () => viz.confusion(run.evals), traces: 1 },
    { name: 'retrieval', build: () => viz.retrieval(run.evals), traces: 2 },
    // per group: band + mean; one bar trace
    { name: 'compareRuns', build: () => viz.compareRuns(fixtureAblation(), { smoothing: 0.5, finalSteps: 5 }), traces: 5 },
  ];
}
