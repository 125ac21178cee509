/**
 * Small, seeded results tables for the view tests (goldens and browser rendering). They imitate
 * a short IMP run: three AGD tasks, two MoE layers of four experts, three modalities.
 */
import * as aq from 'arquero';
import { Rng } from '../../src/imp/core/rng';
import type { Frame, RunTables } from '../../src/imp/frames';
import type { Pixels } from '../../src/viz';

const TASKS = [
  { task: 'mnist-cls', modality: 'image', weight: 0.5 },
  { task: 'openmoji-nce', modality: 'text', weight: 0.3 },
  { task: 'speech-cls', modality: 'audio', weight: 0.2 },
];

function pick(rng: Rng): (typeof TASKS)[number] {
  const u = rng.next();
  let acc = 0;
  for (const t of TASKS) if ((acc += t.weight) > u) return t;
  return TASKS[TASKS.length - 1];
}

/** Metrics of one run: loss per step for the drawn task, z-loss and lr. */
export function fixtureMetrics(run = 'moe-seed1', seed = 1, steps = 40, offset = 0): Frame {
  const rng = new Rng(seed);
  const rows: Record<string, unknown>[] = [];
  for (let s = 0; s < steps; s++) {
    const t = pick(rng);
    const base = t.modality === 'image' ? 2.3 : t.modality === 'text' ? 4.1 : 2.8;
    rows.push({ run, step: s, task: t.task, modality: t.modality, metric: 'loss', value: base * Math.exp(-s / 25) + offset + 0.1 * rng.next() });
    rows.push({ run, step: s, task: t.task, modality: t.modality, metric: 'z_loss', value: 0.5 * Math.exp(-s / 10) + 0.01 * rng.next() });
    rows.push({ run, step: s, task: t.task, modality: 'all', metric: 'lr', value: 1e-3 * Math.min(1, (s + 1) / 10) });
  }
  return aq.from(rows) as Frame;
}

/** Routing of one run: image favours experts 0-1, audio 2, text 3 in the last layer. */
export function fixtureRouting(run = 'moe-seed1', seed = 2, steps = 40): Frame {
  const rng = new Rng(seed);
  const rows: Record<string, unknown>[] = [];
  const prefer: Record<string, number[]> = { image: [3, 3, 1, 1], audio: [1, 1, 4, 1], text: [1, 1, 1, 4] };
  const sched = new Rng(1);
  for (let s = 0; s < steps; s++) {
    const { modality } = pick(sched);
    for (const layer of [4, 5]) {
      const p = prefer[modality].map((v) => (layer === 5 ? v : 1) + rng.next());
      const tot = p.reduce((a, b) => a + b, 0);
      p.forEach((v, expert) => {
        rows.push({ run, step: s, layer, expert, modality, tokens: 16, weight: (64 * v) / tot, dropped: layer === 4 ? Math.floor(4 * rng.next() * Math.exp(-s / 15)) : 0 });
      });
    }
  }
  return aq.from(rows) as Frame;
}

/** Token rows for one image example (4x4 patches), one video example (2 tubelets of 2x2) and one audio example (4 time x 2 freq). */
export function fixtureTokens(run = 'moe-seed1', seed = 3): Frame {
  const rng = new Rng(seed);
  const rows: Record<string, unknown>[] = [];
  let token = 0;
  for (let h = 0; h < 4; h++) for (let w = 0; w < 4; w++) {
    const expert = (h < 2 ? 0 : 1) + (w >= 2 && h >= 2 ? 2 : 0);
    rows.push({ run, step: 39, layer: 5, modality: 'image', example: 0, token: token++, t: -1, h, w, expert, weight: 0.5 + 0.5 * rng.next() });
    // A second, weaker expert for some tokens: the view must show the top-weight one.
    if ((h + w) % 3 === 0) rows.push({ run, step: 39, layer: 5, modality: 'image', example: 0, token: token - 1, t: -1, h, w, expert: 3, weight: 0.1 });
  }
  token = 0;
  for (let t = 0; t < 2; t++) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) {
    rows.push({ run, step: 39, layer: 5, modality: 'video', example: 0, token: token++, t, h, w, expert: t === 0 ? w : -1 + 3 * h, weight: rng.next() });
  }
  token = 0;
  for (let t = 0; t < 4; t++) for (let h = 0; h < 2; h++) {
    rows.push({ run, step: 39, layer: 5, modality: 'audio', example: 0, token: token++, t, h, w: -1, expert: h === 0 ? 2 : t % 4, weight: rng.next() });
  }
  return aq.from(rows) as Frame;
}

/** Evals: a 4-class zero-shot confusion matrix and recall@K for two retrieval directions. */
export function fixtureEvals(run = 'moe-seed1', seed = 4): Frame {
  const rng = new Rng(seed);
  const rows: Record<string, unknown>[] = [];
  const classes = ['zero', 'one', 'two', 'three'];
  for (const label of classes) for (const predicted of classes) {
    const value = label === predicted ? 20 + rng.int(10) : rng.int(5);
    rows.push({ run, step: 40, eval: 'mnist-zeroshot', modality: 'image', metric: 'count', k: -1, value, label, predicted });
  }
  rows.push({ run, step: 40, eval: 'mnist-zeroshot', modality: 'image', metric: 'accuracy', k: 1, value: 0.8, label: null, predicted: null });
  for (const dir of ['text->image', 'image->text']) {
    let r = 0.1 + 0.1 * rng.next();
    for (const k of [1, 5, 10, 50]) {
      r = Math.min(1, r + 0.15 * rng.next() + 0.05 * Math.log(k + 1));
      rows.push({ run, step: 40, eval: 'openmoji', modality: dir, metric: 'recall', k, value: r, label: null, predicted: null });
    }
  }
  return aq.from(rows) as Frame;
}

export function fixtureRun(): RunTables {
  return { metrics: fixtureMetrics(), routing: fixtureRouting(), tokens: fixtureTokens(), evals: fixtureEvals() };
}

/** Four runs, two conditions x two seeds, for compareRuns. */
export function fixtureAblation(): Frame {
  const runs = [
    fixtureMetrics('dense-seed1', 11, 30, 0.3),
    fixtureMetrics('dense-seed2', 12, 30, 0.35),
    fixtureMetrics('moe-seed1', 13, 30, 0),
    fixtureMetrics('moe-seed2', 14, 30, 0.05),
  ];
  return runs[0].concat(...runs.slice(1)) as Frame;
}

/** A 16x16 grey image (a ring), a 4-frame 8x8 RGB video and an 8x4 spectrogram, seeded. */
export function fixturePixels(seed = 5): { image: Pixels; video: Pixels; audio: Pixels } {
  const rng = new Rng(seed);
  const image = new Float32Array(16 * 16);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
    const r = Math.hypot(x - 7.5, y - 7.5);
    image[y * 16 + x] = Math.abs(r - 5) < 1.5 ? 1 : 0.1 * rng.next();
  }
  const video = new Float32Array(4 * 8 * 8 * 3);
  for (let t = 0; t < 4; t++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const on = Math.abs(x - (1 + t)) < 1.5 && Math.abs(y - 4) < 1.5 ? 1 : 0;
    const o = ((t * 8 + y) * 8 + x) * 3;
    video[o] = on;
    video[o + 1] = on * 0.5;
    video[o + 2] = 0.2 * rng.next();
  }
  const audio = new Float32Array(8 * 4);
  for (let t = 0; t < 8; t++) for (let f = 0; f < 4; f++) audio[t * 4 + f] = Math.sin(t / 2 + f) * 0.5 + 0.5 * rng.next();
  return { image: { data: image, shape: [16, 16] }, video: { data: video, shape: [4, 8, 8, 3] }, audio: { data: audio, shape: [8, 4] } };
}
