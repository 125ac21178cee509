/**
 * Headless notebook execution (`imp-lab run NOTEBOOK`): starts the kernel over the real
 * protocol, runs every code cell in order, writes the executed notebook (outputs and execution
 * counts, nbformat 4), and stops at the first failing cell. No Python needed.
 *
 * @example
 * ```ts
 * import { runNotebook } from './runner';
 * const r = await runNotebook('notebooks/quickstart.ipynb', { out: '/tmp/quickstart.out.ipynb' });
 * if (!r.ok) console.error(r.failure);
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';
import { KernelClient } from './client';
import { Message } from './wire';
import { kernelSpec } from './kernelspec';

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

export interface RunOptions {
  /** Where to write the executed notebook (default: overwrite NOTEBOOK). */
  out?: string;
  /** Per-cell timeout in milliseconds (default 600 s). */
  cellTimeoutMs?: number;
  /** Progress lines (default: none). */
  onCell?: (index: number, total: number, status: string) => void;
}

export interface RunResult {
  ok: boolean;
  cellsRun: number;
  out: string;
  /** The failing cell and its error, when one failed. */
  failure?: { cell: number; ename: string; evalue: string; traceback: string[] };
}

/** Reads and checks a notebook file (nbformat 4). */
export function readNotebook(file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
  } catch (e) {
    throw new DataError(`cannot read the notebook: ${(e as Error).message}`, file, 'pass a .ipynb file (nbformat 4)');
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new DataError(`not an nbformat 4 notebook (nbformat ${JSON.stringify(nb?.nbformat)})`, file, 'save it with Jupyter 4.x or later');
  }
  return nb;
}

const sourceOf = (c: NotebookCell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);

/** nbformat stores multi-line strings as lists of lines. */
function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function toOutput(m: Message): Record<string, unknown> | null {
  const c = m.content as Record<string, unknown>;
  switch (m.header.msg_type) {
    case 'stream':
      return { output_type: 'stream', name: c.name, text: lines(String(c.text)) };
    case 'display_data':
      return { output_type: 'display_data', data: mimeData(c.data), metadata: c.metadata ?? {} };
    case 'execute_result':
      return { output_type: 'execute_result', execution_count: c.execution_count, data: mimeData(c.data), metadata: c.metadata ?? {} };
    case 'error':
      return { output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback };
    default:
      return null;
  }
}

function mimeData(data: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    // JSON MIME types stay objects; text types are stored as line lists, as nbformat writes them.
    out[k] = typeof v === 'string' && !k.endsWith('json') ? lines(v) : v;
  }
  return out;
}

/**
 * Applies one cell's IOPub messages to its output list, as a front end would: streams of the
 * same name merge, `clear_output` clears (at once or before the next output when `wait`),
 * `update_display_data` replaces earlier outputs that carry the same display id.
 */
export function collectOutputs(msgs: Message[]): Record<string, unknown>[] {
  const outputs: Record<string, unknown>[] = [];
  const ids = new Map<Record<string, unknown>, string>();
  let clearPending = false;
  for (const m of msgs) {
    const c = m.content as Record<string, unknown>;
    const type = m.header.msg_type;
    if (type === 'clear_output') {
      if (c.wait) clearPending = true;
      else outputs.length = 0;
      continue;
    }
    if (type === 'update_display_data') {
      const id = (c.transient as { display_id?: string } | undefined)?.display_id;
      for (const o of outputs) {
        if (id && ids.get(o) === id) {
          o.data = mimeData(c.data);
          o.metadata = c.metadata ?? {};
        }
      }
      continue;
    }
    const o = toOutput(m);
    if (!o) continue;
    if (clearPending) {
      outputs.length = 0;
      clearPending = false;
    }
    const last = outputs[outputs.length - 1];
    if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) {
      last.text = lines((last.text as string[]).join('') + (o.text as string[]).join(''));
      continue;
    }
    const id = (c.transient as { display_id?: string } | undefined)?.display_id;
    if (id) ids.set(o, id);
    outputs.push(o);
  }
  return outputs;
}

/** Runs a notebook through a fresh kernel (working directory: the notebook's folder). */
export async function runNotebook(file: string, opts: RunOptions = {}): Promise<RunResult> {
  const nb = readNotebook(file);
  const out = opts.out ?? file;
  const code = nb.cells.map((c, i) => [c, i] as const).filter(([c]) => c.cell_type === 'code');
  let kernelLog = '';
  const kc = await KernelClient.launch({ cwd: path.dirname(path.resolve(file)), onLog: (t) => (kernelLog += t) });
  let result: RunResult = { ok: true, cellsRun: 0, out };
  try {
    for (const c of nb.cells) if (c.cell_type === 'code') { c.outputs = []; c.execution_count = null; }
    for (let k = 0; k < code.length; k++) {
      const [cell, index] = code[k];
      const { reply, outputs } = await kc.execute(sourceOf(cell), { timeoutMs: opts.cellTimeoutMs ?? 600_000 });
      cell.outputs = collectOutputs(outputs);
      cell.execution_count = Number(reply.content.execution_count ?? null);
      result.cellsRun++;
      opts.onCell?.(k + 1, code.length, String(reply.content.status));
      if (reply.content.status !== 'ok') {
        const rc = reply.content as { ename?: string; evalue?: string; traceback?: string[] };
        result = { ...result, ok: false, failure: { cell: index, ename: rc.ename ?? 'Error', evalue: rc.evalue ?? '', traceback: rc.traceback ?? [] } };
        break;
      }
    }
  } catch (e) {
    result = { ...result, ok: false, failure: { cell: -1, ename: 'KernelError', evalue: `${(e as Error).message}${kernelLog ? `\nkernel log:\n${kernelLog}` : ''}`, traceback: [] } };
  } finally {
    await kc.shutdown();
  }
  const spec = kernelSpec();
  nb.metadata = {
    ...nb.metadata,
    kernelspec: { name: 'imp-lab', display_name: spec.display_name, language: spec.language },
    language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
  };
  fs.writeFileSync(out, `${JSON.stringify(nb, null, 1)}\n`);
  return result;
}
