/**
 * tslab's cell converter rewrites a reference to an earlier cell's declaration `a` into
 * `exports.a`, except inside a shorthand property: `{ a }` stays `{ a }` and fails at run time
 * with "a is not defined". Expanding every shorthand property to `a: a` before conversion is
 * equivalent in every position TypeScript allows one (object literals, assignment patterns,
 * `{ a = 1 }` defaults), and lets the converter see the reference.
 *
 * @example
 * ```ts
 * expandShorthand('const o = { a, b: 2 };'); // 'const o = { a: a, b: 2 };'
 * ```
 */
import * as ts from '@tslab/typescript-for-tslab';

export function expandShorthand(src: string): string {
  const file = ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) inserts.push({ at: node.name.end, text: `: ${node.name.text}` });
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (inserts.length === 0) return src;
  let out = src;
  for (const { at, text } of inserts.sort((x, y) => y.at - x.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}
