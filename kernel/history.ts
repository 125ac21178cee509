/**
 * Per-session input (and output) history for `history_request`: tail, range and search, with
 * the semantics of IPython's history manager (session 0 or negative numbers are relative to the
 * current session; search patterns are globs; `unique` keeps the latest of equal inputs).
 *
 * @example
 * ```ts
 * import { History } from './history';
 * const h = new History(1);
 * h.add(1, '1+1', '2');
 * h.query({ hist_access_type: 'tail', n: 1, output: false }); // [[1, 1, '1+1']]
 * ```
 */
export type HistoryEntry = [number, number, string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type: 'tail' | 'range' | 'search';
  output?: boolean;
  raw?: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

interface Row {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

/** Glob (`*`, `?`, `[...]`) to an anchored regular expression, as IPython's search uses. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export class History {
  private readonly rows: Row[] = [];
  constructor(readonly session: number) {}

  add(line: number, input: string, output: string | null = null): void {
    this.rows.push({ session: this.session, line, input, output });
  }

  /** Sets the output text of a line (the execute_result's text/plain). */
  setOutput(line: number, output: string): void {
    const r = this.rows.find((x) => x.line === line);
    if (r) r.output = output;
  }

  query(q: HistoryQuery): HistoryEntry[] {
    let rows: Row[];
    if (q.hist_access_type === 'tail') {
      const n = q.n ?? 10;
      rows = n > 0 ? this.rows.slice(-n) : [];
    } else if (q.hist_access_type === 'range') {
      const session = q.session ?? 0;
      // Only this process's session is kept; relative 0/-0 and its own number name it.
      if (session !== 0 && session !== this.session) return [];
      const start = q.start ?? 1;
      const stop = q.stop ?? Infinity;
      rows = this.rows.filter((r) => r.line >= start && r.line < stop);
    } else {
      const re = globToRegExp(q.pattern ?? '*');
      rows = this.rows.filter((r) => re.test(r.input));
      if (q.unique) {
        const lastIndex = new Map<string, number>();
        rows.forEach((r, i) => lastIndex.set(r.input, i));
        rows = rows.filter((r, i) => lastIndex.get(r.input) === i);
      }
      if (q.n != null && q.n > 0) rows = rows.slice(-q.n);
    }
    return rows.map((r) => [r.session, r.line, q.output ? [r.input, r.output] : r.input]);
  }
}
