/**
 * Maps a line of a cell's generated JavaScript back to the TypeScript line it came from.
 *
 * tslab's converter emits no source map, and its output differs from the source by added helper
 * lines, `exports.x = x;` lines, stripped types and reformatting. The text of a line survives
 * well enough, though: we compare the identifiers, numbers and strings of the generated line with
 * each source line and take the best match, preferring lines near the expected position.
 *
 * @example
 * ```ts
 * import { mapGeneratedLine } from './traceback';
 * const src = ['let y = 1;', '', 'throw new Error("boom")'];
 * const js = ['Object.defineProperty(exports, "__esModule", { value: true });', 'exports.y = void 0;',
 *   'let y = 1;', 'exports.y = y;', 'throw new Error("boom");'];
 * mapGeneratedLine(src, js, 5); // 2 (zero-based: the throw)
 * ```
 */

/** Tokens that carry meaning across the TS -> JS rewrite (types and punctuation are dropped). */
function tokens(line: string): string[] {
  const cleaned = line.replace(/^\s*exports\.tsLastExpr\s*=\s*/, '').replace(/\bexports\./g, '');
  return cleaned.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[A-Za-z_$][\w$]*|\d+(?:\.\d+)?/g) ?? [];
}

/** Length of the longest common subsequence of two token lists. */
function lcs(a: string[], b: string[]): number {
  const dp = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = x === b[j - 1] ? prev + 1 : Math.max(dp[j], dp[j - 1]);
      prev = tmp;
    }
  }
  return dp[b.length];
}

/**
 * Zero-based source line for a one-based generated line number. Falls back to the proportional
 * position when the generated line has no usable tokens.
 */
export function mapGeneratedLine(srcLines: string[], jsLines: string[], genLine1: number): number {
  const n = srcLines.length;
  if (n <= 1) return 0;
  const js = jsLines[genLine1 - 1] ?? '';
  const t = tokens(js).map((s) => s.replace(/^'(.*)'$/, '"$1"'));
  // The converter only adds lines, so the source line is at most the generated line, and usually
  // at generated line minus the number of added lines before it.
  const expected = Math.max(0, Math.min(n - 1, genLine1 - 1 - Math.max(0, jsLines.length - 1 - n)));
  if (t.length === 0) return expected;
  let best = expected;
  let bestScore = -1;
  for (let i = 0; i < n; i++) {
    const s = tokens(srcLines[i]).map((x) => x.replace(/^'(.*)'$/, '"$1"'));
    if (s.length === 0) continue;
    const common = lcs(t, s);
    // Dice-like score: shared tokens relative to both lines, with a small pull toward `expected`.
    const score = (2 * common) / (t.length + s.length) - Math.abs(i - expected) * 1e-3;
    if (common > 0 && score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
