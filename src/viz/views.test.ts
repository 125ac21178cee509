import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { DataError, RegistryError } from '../imp/core/errors';
import { createRecorder } from '../imp/frames';
import * as viz from './index';

const routingRow = (o: Record<string, unknown>) => ({ run: 'r', step: 0, layer: 0, expert: 0, modality: 'image', tokens: 0, weight: 0, dropped: 0, ...o });
const metricsRow = (o: Record<string, unknown>) => ({ run: 'r', step: 0, task: 't', modality: 'image', metric: 'loss', value: 0, ...o });

test('specializationScores: normalised per modality first, so sampling frequency does not matter', () => {
  // p(e|image) = [0.75, 0.25], p(e|audio) = [0.25, 0.75]; expert 0 shares [0.75, 0.25];
  // H = -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.562335; score = 1 - H / ln 2 = 0.188722.
  const a = viz.specializationScores([[3, 1], [1, 3]]);
  assert.deepEqual(a.share.map((r) => r.map((v) => +v.toFixed(4))), [[0.75, 0.25], [0.25, 0.75]]);
  assert.ok(Math.abs(a.score[0] - 0.188722) < 1e-6 && Math.abs(a.score[1] - 0.188722) < 1e-6, String(a.score));
  // Image ran 10x more often: same routing distributions, same answer.
  assert.deepEqual(viz.specializationScores([[30, 10], [1, 3]]).score.map((v) => +v.toFixed(6)), a.score.map((v) => +v.toFixed(6)));
  assert.deepEqual(viz.specializationScores([[1, 1], [1, 1]]).score, [0, 0]);
  assert.deepEqual(viz.specializationScores([[5, 0], [0, 5]]).score, [1, 1]);
});

test('expertLoad averages over the steps the modality ran, and normalises per layer', () => {
  const t = aq.from([
    routingRow({ step: 0, expert: 0, tokens: 10 }), routingRow({ step: 0, expert: 1, tokens: 20 }),
    routingRow({ step: 1, expert: 0, tokens: 30 }), routingRow({ step: 1, expert: 1, tokens: 20 }),
  ]);
  assert.deepEqual(viz.expertLoad(t).data[0].z, [[20, 20]]); // (10+30)/2, (20+20)/2
  assert.deepEqual(viz.expertLoad(t, { normalize: true }).data[0].z, [[50, 50]]);
  assert.deepEqual(viz.expertLoad(t, { step: 1 }).data[0].z, [[30, 20]]);
  assert.throws(() => viz.expertLoad(t, { step: 7 }), (e: Error) => e instanceof DataError && /expertLoad: no rows with step 7/.test(e.message));
});

test('lossCurves: debiased EMA smoothing and the AGD strip', () => {
  const t = aq.from([metricsRow({ step: 0, value: 1 }), metricsRow({ step: 1, value: 3 }), metricsRow({ step: 1, metric: 'lr', value: 9 })]);
  const fig = viz.lossCurves(t, { smoothing: 0.5 });
  // step 0: 0.5*1 / 0.5 = 1; step 1: (0.25 + 1.5) / 0.75 = 2.33333
  const smoothed = fig.data.find((d) => d.showlegend !== false && d.yaxis !== 'y2')!;
  assert.deepEqual(smoothed.y, [1, 2.33333]);
  const strip = fig.data.filter((d) => d.yaxis === 'y2');
  assert.deepEqual(strip.map((d) => [d.name, d.x]), [['task: t', [0, 1]]]);
  assert.throws(() => viz.lossCurves(t, { metric: 'acc' }), /no rows with metric "acc"; the table has metrics \[loss, lr\]/);
  assert.throws(() => viz.lossCurves(t.select(aq.not('task'))), (e: Error) => e instanceof DataError && /metrics table is missing column "task"/.test(e.message));
});

test('confusion: row-normalised percentages and accuracy in the title', () => {
  const row = (label: string, predicted: string, value: number) => ({ run: 'r', step: 3, eval: 'z', modality: 'image', metric: 'count', k: -1, value, label, predicted });
  const t = aq.from([row('a', 'a', 3), row('a', 'b', 1), row('b', 'b', 2)]);
  const fig = viz.confusion(t);
  assert.deepEqual(fig.data[0].z, [[75, 25], [0, 100]]);
  assert.match((fig.layout.title as { text: string }).text, /accuracy 83.3%/); // 5 of 6
  assert.deepEqual(viz.confusion(t, { normalize: 'none' }).data[0].z, [[3, 1], [0, 2]]);
});

test('compareRuns: groups seeds, final value mean and sample sd', () => {
  assert.equal(viz.defaultGroup('moe-e8-seed3'), 'moe-e8');
  assert.equal(viz.defaultGroup('dense_s2'), 'dense');
  assert.equal(viz.defaultGroup('moe8'), 'moe8');
  const t = aq.from([
    metricsRow({ run: 'g-seed1', step: 0, value: 5 }), metricsRow({ run: 'g-seed1', step: 1, value: 1 }),
    metricsRow({ run: 'g-seed2', step: 0, value: 5 }), metricsRow({ run: 'g-seed2', step: 1, value: 3 }),
  ]);
  const fig = viz.compareRuns(t);
  const bar = fig.data.find((d) => d.type === 'bar')!;
  assert.deepEqual(bar.x, ['g']);
  assert.deepEqual(bar.y, [2]); // (1 + 3) / 2
  assert.deepEqual((bar.error_y as { array: number[] }).array, [1.41421]); // sqrt(((1-2)^2 + (3-2)^2) / 1)
});

test('tokenRouting colours each patch by its top-weight expert', () => {
  const tok = (h: number, w: number, expert: number, weight: number) => ({ run: 'r', step: 0, layer: 0, modality: 'image', example: 0, token: h * 2 + w, t: -1, h, w, expert, weight });
  const t = aq.from([tok(0, 0, 1, 0.2), tok(0, 0, 2, 0.7), tok(0, 1, -1, 0), tok(1, 0, 1, 0.9), tok(1, 1, -1, 0), tok(1, 1, 2, 0.1)]);
  const fig = viz.tokenRouting(t, { pixels: { data: new Float32Array(16), shape: [4, 4] } });
  // categories: experts [-1, 1, 2] -> 0, 1, 2
  assert.deepEqual(fig.data[1].z, [[2, 0], [1, 2]]);
  assert.equal(fig.data[1].dx, 2); // 4 pixels / 2 patches
  assert.throws(() => viz.tokenRouting(t, { pixels: { data: new Float32Array(16), shape: [2, 2, 2, 2, 1] } }), /got shape \[2,2,2,2,1\]/);
});

test('figureBundle: plotly JSON, HTML that uses window.Plotly, text summary; script-safe', () => {
  const fig = { data: [{ type: 'bar', x: [1], y: [2], name: '</script><b>' }], layout: { title: { text: 'T' } } };
  const b = viz.figureBundle(fig, { id: 'p1' });
  assert.deepEqual(Object.keys(b).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
  assert.deepEqual(b['application/vnd.plotly.v1+json'].data, fig.data);
  assert.match(b['text/html'], /<div id="p1"/);
  assert.match(b['text/html'], /window\.Plotly\.react\(el/);
  assert.equal(b['text/html'].indexOf('</script><b>'), -1, 'a trace name cannot close the script element');
  assert.equal(b['text/plain'], '<Plotly figure: T; 1 trace: bar "</script><b>">');
});

test('live view: displays once, then updates the same display ids every N steps from the recorder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-live-'));
  const rec = createRecorder({ dir, run: 'r' });
  const calls: [string, string, string][] = [];
  const sink = {
    display: (b: viz.MimeBundle, id: string) => calls.push(['display', id, b['text/plain']]),
    update: (b: viz.MimeBundle, id: string) => calls.push(['update', id, b['text/plain']]),
  };
  const live = viz.createLiveView({ views: ['lossCurves', 'expertLoad'], every: 5, sink, source: rec, id: 'L' });
  for (let step = 0; step <= 12; step++) {
    rec.metric(step, 't', 'image', 'loss', 1 / (step + 1));
    if (step >= 3) rec.routing([{ step, layer: 0, expert: 0, modality: 'image', tokens: 4, weight: 1, dropped: 0 }]);
    live.tick(step);
  }
  assert.deepEqual(calls.map(([k, id]) => `${k} ${id}`), ['display L-0', 'display L-1', 'update L-0', 'update L-1', 'update L-0', 'update L-1']);
  assert.match(calls[1][2], /expertLoad: waiting for data/, 'a view without rows yet waits instead of failing');
  assert.match(calls[5][2], /Expert load/);
  assert.equal(live.stats().updates, 3);
  assert.throws(() => viz.createLiveView({ views: ['nope' as viz.ViewName], sink, source: rec }), (e: Error) => e instanceof RegistryError && /unknown view "nope"/.test(e.message));
  await rec.close();
});
