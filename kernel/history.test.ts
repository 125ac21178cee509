import { test } from 'node:test';
import assert from 'node:assert/strict';
import { History, globToRegExp } from './history';

test('glob patterns match whole inputs: * any run, ? one char, [..] a class', () => {
  assert.ok(globToRegExp('6*7').test('6*7'));
  assert.ok(globToRegExp('6*7').test('6 + 1 + 7'));
  assert.ok(!globToRegExp('6*7').test('x6*7'));
  assert.ok(globToRegExp('a?c').test('abc'));
  assert.ok(!globToRegExp('a?c').test('ac'));
  assert.ok(globToRegExp('[ab]x').test('bx'));
  assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
});

test('tail, range (stop exclusive) and search with unique and n', () => {
  const h = new History(7);
  ['1+1', 'x', '1+1', 'y', '1+1'].forEach((code, i) => h.add(i + 1, code));
  h.setOutput(1, '2');
  assert.deepEqual(h.query({ hist_access_type: 'tail', n: 2 }), [[7, 4, 'y'], [7, 5, '1+1']]);
  assert.deepEqual(h.query({ hist_access_type: 'range', session: 0, start: 1, stop: 3, output: true }), [[7, 1, ['1+1', '2']], [7, 2, ['x', null]]]);
  assert.deepEqual(h.query({ hist_access_type: 'range', session: 8, start: 1, stop: 3 }), []);
  assert.equal(h.query({ hist_access_type: 'search', pattern: '1*' }).length, 3);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '1*', unique: true }), [[7, 5, '1+1']]);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '*', n: 2 }).map((e) => e[1]), [4, 5]);
});
