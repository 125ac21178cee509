import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConverter } from 'tslab/dist/converter';
import { expandShorthand } from './shorthand';

test('expandShorthand: object literals, defaults in assignment patterns, nested; binding patterns untouched', () => {
  assert.equal(expandShorthand('const o = { a, b: 2, c };'), 'const o = { a: a, b: 2, c: c };');
  assert.equal(expandShorthand('({ a = 1 } = obj);'), '({ a: a = 1 } = obj);');
  assert.equal(expandShorthand('f({ x: { y } })'), 'f({ x: { y: y } })');
  assert.equal(expandShorthand('const { a } = obj;'), 'const { a } = obj;');
  assert.equal(expandShorthand('const s = "{ a }";'), 'const s = "{ a }";');
});

test('with the expansion, tslab rewrites a shorthand reference to an earlier cell', () => {
  const c = createConverter({ isJS: false, isBrowser: false });
  try {
    const first = c.convert('', 'const a = 1;');
    const raw = c.convert(first.declOutput ?? '', 'const o = { a };');
    assert.match(raw.output ?? '', /const o = \{ a \};/, 'the converter alone leaves the dangling name');
    const fixed = c.convert(first.declOutput ?? '', expandShorthand('const o = { a };'));
    assert.match(fixed.output ?? '', /const o = \{ a: exports\.a \};/);
  } finally {
    c.close();
  }
});
