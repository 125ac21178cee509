import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisplayState, PLOTLY_MIME, carriesLoader, isFigure, keepLoader, plainText, toBundle } from './display';

const fig = { data: [{ type: 'bar', y: [1, 2] }], layout: { title: 'x' } };

test('a figure gets Plotly JSON, HTML and text; plotly.js only in the first one', () => {
  const state = new DisplayState();
  const a = toBundle(fig, state);
  const b = toBundle(fig, state);
  assert.deepEqual(Object.keys(a).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort());
  assert.equal(a['text/plain'], 'Plotly figure "x": 1 trace (bar)');
  assert.ok(carriesLoader(a));
  assert.ok(!carriesLoader(b));
});

test('an update of the output that owns plotly.js carries it again', () => {
  const state = new DisplayState();
  const first = keepLoader(toBundle(fig, state), 'd1', false, state);
  assert.equal(state.loaderOwner, 'd1');
  const upd = keepLoader(toBundle(fig, state), 'd1', true, state);
  assert.ok(carriesLoader(first) && carriesLoader(upd));
  const other = keepLoader(toBundle(fig, state), 'd2', true, state);
  assert.ok(!carriesLoader(other));
});

test('figure detection does not claim ordinary objects', () => {
  assert.ok(isFigure(fig));
  assert.ok(!isFigure({ data: [1, 2] }));
  assert.ok(!isFigure({ data: [{ x: 1 }] }));
  assert.ok(!isFigure({ data: [{ type: 'bar' }], layout: [] }));
});

test('own MIME bundles win; text/plain is added when missing', () => {
  const v = { [Symbol.for('jupyter.mimebundle')]: () => ({ 'text/markdown': '*m*' }) };
  const b = toBundle(v, new DisplayState());
  assert.equal(b['text/markdown'], '*m*');
  assert.equal(typeof b['text/plain'], 'string');
  assert.equal(plainText('s'), "'s'");
  assert.equal(toBundle(42, new DisplayState())['text/plain'], '42');
});
