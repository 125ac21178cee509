import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapGeneratedLine } from './traceback';

test('maps generated lines back past added export lines and stripped types', () => {
  // Source (zero-based): 0 const a: number = 1;  1 (blank)  2 function g(x: number) {  3 throw ...  4 }  5 g(a)
  const src = ['const a: number = 1;', '', 'function g(x: number) {', "  throw new Error('x' + x);", '}', 'g(a)'];
  const js = [
    'Object.defineProperty(exports, "__esModule", { value: true });', // 1
    'exports.a = exports.g = exports.tsLastExpr = void 0;', // 2
    'const a = 1;', // 3
    'exports.a = a;', // 4
    'function g(x) {', // 5
    "    throw new Error('x' + x);", // 6
    '}', // 7
    'exports.g = g;', // 8
    'exports.tsLastExpr = g(a);', // 9
  ];
  assert.equal(mapGeneratedLine(src, js, 6), 3);
  assert.equal(mapGeneratedLine(src, js, 9), 5);
  assert.equal(mapGeneratedLine(src, js, 3), 0);
  assert.equal(mapGeneratedLine(['only'], js, 5), 0);
});
