/**
 * smoke — pipeline smoke test on SYNTHETIC data (`synthetic-smoke`: generated squares, bands and
 * captions). Tests that AGD over image, video, audio and text tasks with an expert-choice MoE
 * runs, learns and records; it reproduces no paper number. Runtime: a few seconds per 50 steps
 * on the 2-core reference machine (`imp-lab train smoke --steps 50`).
 */
import { DEFAULT_ADAMW, DEFAULT_RECORD, ExperimentConfig } from './experiment';

export const smoke: ExperimentConfig = {
  name: 'smoke',
  description: 'SYNTHETIC smoke test: micro MoE, AGD over 5 generated image/video/audio/text tasks',
  claim: 'none (pipeline check)',
  expected: 'losses fall within ~100 steps',
  runtime: '~5 s / 50 steps on 2 cores',
  model: { size: 'micro', vision: { tubelet: [2, 4, 4], posBuckets: [4, 8, 8] }, audio: { patch: [4, 4], posBuckets: [8, 8] }, text: { posBuckets: 8 }, moe: { numExperts: 4, placement: { last: 1 }, router: 'expert-choice' } },
  tasks: [
    { name: 'image-cls', dataset: 'synthetic-smoke', objective: 'classification', modalities: ['image'], batchSize: 16, weight: 0.3, interval: 3 },
    { name: 'image-text', dataset: 'synthetic-smoke', objective: 'contrastive', modalities: ['image', 'text'], batchSize: 16, weight: 0.2, interval: 2 },
    { name: 'video-cls', dataset: 'synthetic-smoke', objective: 'classification', modalities: ['video'], batchSize: 8, frames: 4, dropToken: 0.5, weight: 0.2, interval: 2 },
    { name: 'audio-cls', dataset: 'synthetic-smoke', objective: 'classification', modalities: ['audio'], batchSize: 16, weight: 0.2, interval: 2 },
    { name: 'video-audio-text', dataset: 'synthetic-smoke', objective: 'contrastive', modalities: ['video', 'audio', 'text'], batchSize: 8, frames: 4, weight: 0.1, interval: 1 },
  ],
  sampler: 'weighted',
  mode: 'agd',
  steps: 100,
  optimizer: { ...DEFAULT_ADAMW, schedule: { peak: 3e-3, warmupSteps: 10, end: 1e-5 } },
  record: { ...DEFAULT_RECORD, tokensEvery: 25 },
};
