/**
 * Runs notebook cells: tslab's converter (TypeScript 5.0) compiles each cell against the
 * declarations of the cells before it; this module runs the JavaScript, keeps every cell's
 * generated code so that stack traces point at cell lines, awaits top-level promises, and stops
 * on interrupt. It replaces tslab's own executor (which prints the last value and errors to a
 * console) so the kernel gets values and error objects, not text.
 *
 * What can be interrupted:
 * - a cell awaiting between steps (a training loop that awaits, `setImmediate`, timers): the
 *   interrupt flag is set; loops that check it (the IMP trainer, `progress().update`) throw
 *   `InterruptError` at the next step; a cell that has not finished `graceMs` later is abandoned
 *   (its promise keeps running in the background, but the kernel is free again);
 * - synchronous code in the cell's own top-level statements (and functions they call), when the
 *   interrupt arrives as SIGINT (kernelspec `interrupt_mode: "signal"`): V8 breaks the script.
 * Not interruptible: a synchronous busy loop that runs after the cell's first `await`, because
 * nothing else can run on the event loop (an `interrupt_request` message cannot even be read).
 *
 * @example
 * ```ts
 * import { createCellExecutor } from './executor';
 * const ex = createCellExecutor({ rootDir: process.cwd() });
 * const r = await ex.execute('const x: number = 20;\nx + 1');
 * // r = { status: 'ok', hasValue: true, value: 21 }
 * ex.close();
 * ```
 */
import * as path from 'node:path';
import Module from 'node:module';
import * as vm from 'node:vm';
import * as ts from '@tslab/typescript-for-tslab';
import { createConverter, isCompleteCode, Converter, Diagnostic, SideOutput } from 'tslab/dist/converter';
import { expandShorthand } from './shorthand';
import { clearInterrupt, requestInterrupt } from '../src/imp/core/interrupt';
import { InterruptError } from '../src/imp/core/errors';
import { mapGeneratedLine } from './traceback';
import { log } from './log';

export interface CellError {
  ename: string;
  evalue: string;
  /** Lines of a readable traceback, first the `ename: evalue` line. */
  traceback: string[];
}

export type CellResult =
  | { status: 'ok'; hasValue: boolean; value?: unknown }
  | { status: 'error'; error: CellError; interrupted: boolean };

export interface CompletionReply {
  matches: string[];
  /** Offsets in the cell's code points. */
  cursor_start: number;
  cursor_end: number;
}

export interface InspectReply {
  found: boolean;
  text: string;
}

export interface CellExecutor {
  /**
   * Compiles and runs one cell. Never throws: failures come back as `status: 'error'`.
   * `label` names the cell in tracebacks (the kernel passes the execution count).
   */
  execute(src: string, label?: string): Promise<CellResult>;
  complete(src: string, cursorPos: number): CompletionReply;
  inspect(src: string, cursorPos: number): InspectReply;
  isComplete(src: string): { status: 'complete' | 'incomplete' | 'invalid'; indent: string };
  /** Interrupts the running cell (see the module doc for what that can stop). */
  interrupt(): void;
  /** True while a cell runs. */
  readonly busy: boolean;
  /** Forgets every variable and declaration (kernel restart without a new process). */
  reset(): void;
  close(): void;
}

export interface ExecutorOptions {
  /** Where relative imports of cells resolve from; the notebook's folder. */
  rootDir: string;
  /** How long an interrupted async cell may take to stop by itself before it is abandoned. */
  graceMs?: number;
}

/** Name of the global through which generated code reaches its exports and require. */
const GLOBAL = '__imp_lab_cell__';
const CELL_FILE = /^cell\[(\d+)\]$/;

interface CellRecord {
  src: string;
  js: string;
  label: string;
}

export function createCellExecutor(opts: ExecutorOptions): CellExecutor {
  const graceMs = opts.graceMs ?? Number(process.env.IMP_LAB_INTERRUPT_GRACE_MS ?? 5000);
  let converter: Converter | null = null;
  const conv = (): Converter => (converter ??= createConverter({ isJS: false, isBrowser: false }));
  /**
   * Runs `fn` on the converter; if the converter itself throws (tslab's watch-mode state breaks,
   * e.g. "Unexpected pending rebuildTimer" when a declaration file it watches is rewritten by a
   * rebuild), it is replaced by a fresh one and `fn` runs once more.
   */
  function withConverter<T>(fn: (c: Converter) => T): T {
    try {
      return fn(conv());
    } catch (e) {
      log(`the TypeScript converter failed (${(e as Error).message}); starting a fresh one`);
      try { converter?.close(); } catch { /* already broken */ }
      converter = null;
      return fn(conv());
    }
  }
  const cells = new Map<string, CellRecord>();
  let cellNo = 0;
  let prevDecl = '';
  let running = false;
  let abandon: ((e: Error) => void) | null = null;
  let graceTimer: NodeJS.Timeout | null = null;

  // Like tslab's executor: named imports compile to defineProperty, but a notebook must be able
  // to re-bind any name in a later cell, so every property is stored as a plain value.
  const store: Record<string, unknown> = {};
  const exportsProxy = new Proxy(store, {
    defineProperty: (_t, prop, attrs) => {
      if (prop === '__esModule') return true;
      store[prop as string] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
  const sideOutputs = new Map<string, string>();
  const sideModules = new Map<string, Module>();
  const req = wrapRequire(Module.createRequire(path.join(opts.rootDir, 'cell.js')), opts.rootDir, sideOutputs, sideModules);
  (globalThis as Record<string, unknown>)[GLOBAL] = { exports: exportsProxy, require: req };

  function compileError(src: string, diags: Diagnostic[]): CellError {
    const lines = src.split('\n');
    const tb: string[] = [];
    // tslab flattens a message chain into several diagnostics at one position: show the
    // source line once per position, with the chain indented under it.
    let lastPos = '';
    for (const d of diags) {
      const pos = `${d.fileName ?? ''}:${d.start.line}:${d.start.character}`;
      if (pos === lastPos) {
        tb.push(`    ${d.messageText}`);
        continue;
      }
      lastPos = pos;
      const where = d.fileName ? `${d.fileName}:` : 'line ';
      tb.push(`${where}${d.start.line + 1}:${d.start.character + 1} - error TS${d.code}: ${d.messageText}`);
      if (!d.fileName && lines[d.start.line] !== undefined) {
        tb.push(`  ${lines[d.start.line]}`, `  ${' '.repeat(d.start.character)}^`);
      }
    }
    const first = diags[0];
    return { ename: 'TSError', evalue: `${first.messageText} (line ${first.start.line + 1})`, traceback: [`TSError: ${first.messageText}`, ...tb] };
  }

  function runtimeError(e: unknown): CellError {
    return describeError(e, cells);
  }

  async function execute(src: string, label?: string): Promise<CellResult> {
    running = true;
    clearInterrupt();
    try {
      const converted = withConverter((c) => c.convert(prevDecl, expandShorthand(src)));
      if (converted.sideOutputs) updateSideOutputs(converted.sideOutputs, sideOutputs, sideModules);
      if (converted.diagnostics.length > 0) return { status: 'error', error: compileError(src, converted.diagnostics), interrupted: false };
      if (!converted.output) {
        prevDecl = converted.declOutput ?? '';
        return { status: 'ok', hasValue: false };
      }
      // Filenames stay unique even when labels repeat (silent cells share the count).
      const filename = `cell[${++cellNo}]`;
      cells.set(filename, { src, js: converted.output, label: label ?? String(cellNo) });
      // The prefix stays on line 1 so that generated line numbers equal stack line numbers.
      const prefix = converted.hasToplevelAwait ? '(async function(exports, require) { ' : '(function(exports, require) { ';
      const wrapped = `${prefix}${converted.output}\n})(${GLOBAL}.exports, ${GLOBAL}.require)`;
      let ret: unknown;
      try {
        ret = vm.runInThisContext(wrapped, { filename, breakOnSigint: true });
        if (converted.hasToplevelAwait) await raceInterrupt(ret as Promise<unknown>);
      } catch (e) {
        return { status: 'error', error: runtimeError(e), interrupted: isInterrupt(e) };
      }
      // Declarations count from here on even if awaiting the last value fails below.
      prevDecl = converted.declOutput ?? '';
      const key = converted.lastExpressionVar;
      if (!key || !(key in store)) return { status: 'ok', hasValue: false };
      let value = store[key];
      delete store[key];
      if (isThenable(value)) {
        // A cell that ends in a promise shows what it resolves to (as Deno's kernel does);
        // a rejection is the cell's error, not an unhandled rejection.
        try {
          value = await raceInterrupt(value);
        } catch (e) {
          return { status: 'error', error: runtimeError(e), interrupted: isInterrupt(e) };
        }
      }
      return value === undefined ? { status: 'ok', hasValue: false } : { status: 'ok', hasValue: true, value };
    } catch (e) {
      // The converter itself failed; report it as the cell's error rather than dying.
      return { status: 'error', error: runtimeError(e), interrupted: false };
    } finally {
      running = false;
      abandon = null;
      if (graceTimer) clearTimeout(graceTimer);
      graceTimer = null;
    }
  }

  function raceInterrupt<T>(p: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      abandon = reject;
      Promise.resolve(p).then(resolve, reject);
    });
  }

  function interrupt(): void {
    requestInterrupt();
    if (!running || graceTimer) return;
    graceTimer = setTimeout(() => {
      graceTimer = null;
      abandon?.(new InterruptError(`KeyboardInterrupt: the cell did not stop within ${graceMs} ms of the interrupt; it was abandoned (its pending work may still finish in the background)`));
    }, graceMs);
  }

  return {
    execute,
    complete(src, cursorPos) {
      const pos = codePointsToUtf16(src, cursorPos);
      const info = withConverter((c) => c.complete(prevDecl, src, pos));
      return { matches: info.candidates, cursor_start: utf16ToCodePoints(src, info.start), cursor_end: utf16ToCodePoints(src, info.end) };
    },
    inspect(src, cursorPos) {
      const pos = codePointsToUtf16(src, cursorPos);
      // The position right after an identifier (where the cursor usually is) has no quick info.
      let info = withConverter((c) => c.inspect(prevDecl, src, pos));
      if (!info && pos > 0) info = withConverter((c) => c.inspect(prevDecl, src, pos - 1));
      if (!info) return { found: false, text: '' };
      const text = (parts?: { text: string }[]) => (parts ?? []).map((p) => p.text).join('');
      const doc = text(info.documentation);
      const tags = (info.tags ?? []).map((t) => `@${t.name} ${text(t.text)}`.trim());
      return { found: true, text: [text(info.displayParts), doc, ...tags].filter((s) => s !== '').join('\n\n') };
    },
    isComplete(src) {
      const r = isCompleteCode(src);
      if (!r.completed) return { status: 'incomplete', indent: r.indent ?? '' };
      // tslab calls anything complete that does not end in an unfinished construct; a syntax
      // error elsewhere makes the cell invalid (the front end then runs it to show the error).
      const file = ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS) as { parseDiagnostics?: unknown[] };
      return (file.parseDiagnostics?.length ?? 0) > 0 ? { status: 'invalid', indent: '' } : { status: 'complete', indent: '' };
    },
    interrupt,
    get busy() {
      return running;
    },
    reset() {
      prevDecl = '';
      for (const k of Object.keys(store)) delete store[k];
      cells.clear();
    },
    close() {
      converter?.close();
      converter = null;
    },
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function isInterrupt(e: unknown): boolean {
  if (e instanceof InterruptError || (e as Error)?.name === 'InterruptError') return true;
  // Node's error when breakOnSigint stops a script.
  return e instanceof Error && ((e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || /^Script execution (was )?interrupted/.test(e.message));
}

/** Turns anything a cell threw into ename/evalue and a traceback whose cell frames show the source line. */
export function describeError(e: unknown, cells: Map<string, CellRecord>): CellError {
  if (isInterrupt(e)) {
    const evalue = e instanceof InterruptError || (e as Error).name === 'InterruptError'
      ? (e as Error).message.replace(/^KeyboardInterrupt:\s*/, '')
      : 'execution stopped by SIGINT';
    return { ename: 'KeyboardInterrupt', evalue, traceback: [`\x1b[31mKeyboardInterrupt\x1b[0m: ${evalue}`] };
  }
  if (!(e instanceof Error)) {
    let shown: string;
    try { shown = typeof e === 'string' ? e : JSON.stringify(e) ?? String(e); } catch { shown = String(e); }
    return { ename: 'Thrown', evalue: shown, traceback: [`\x1b[31mUncaught\x1b[0m ${shown}`] };
  }
  const ename = e.name || e.constructor?.name || 'Error';
  const evalue = e.message;
  const tb = [`\x1b[31m${ename}\x1b[0m: ${evalue}`];
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  for (const f of frames) {
    const m = /^\s+at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(f);
    if (!m) continue;
    const [, fn, file, lineS] = m;
    const cell = CELL_FILE.exec(file);
    if (cell) {
      const rec = cells.get(file);
      if (!rec) continue;
      const jsLines = rec.js.split('\n');
      // The last generated line is the wrapper's own call; it is not user code.
      if (Number(lineS) > jsLines.length) continue;
      const srcLines = rec.src.split('\n');
      const line = mapGeneratedLine(srcLines, jsLines, Number(lineS));
      const name = fn && !fn.startsWith('Object.<anonymous>') && fn !== 'async Object.<anonymous>' ? ` in ${fn}` : '';
      tb.push(`  In [${rec.label}], line ${line + 1}${name}:`, `\x1b[32m--> ${line + 1}\x1b[0m ${srcLines[line] ?? ''}`);
      continue;
    }
    // Frames of the kernel, of tslab and of Node internals say nothing about the user's code.
    if (file.startsWith('node:') || file.includes(`${path.sep}kernel${path.sep}`) || file.includes('node_modules/tslab') || file === 'evalmachine.<anonymous>') continue;
    tb.push(`  at ${fn ? `${fn} (${file}:${lineS})` : `${file}:${lineS}`}`);
  }
  return { ename, evalue, traceback: tb };
}

function updateSideOutputs(outs: SideOutput[], sideOutputs: Map<string, string>, sideModules: Map<string, Module>): void {
  for (const out of outs) {
    sideModules.delete(out.path);
    sideOutputs.set(out.path, out.data);
  }
}

/**
 * `require` for cells: local `.ts` files a cell imports are compiled by the converter into
 * "side outputs"; this loads those first, then falls back to Node's resolution from rootDir.
 * (Adapted from tslab's executor, Apache-2.0.)
 */
function wrapRequire(req: NodeJS.Require, dirname: string, sideOutputs: Map<string, string>, sideModules: Map<string, Module>): NodeJS.Require {
  function fromSideOutputs(id: string): unknown {
    let filename = path.resolve(dirname, id);
    if (path.extname(filename) === '') filename += '.js';
    const cached = sideModules.get(filename);
    if (cached) return cached.exports;
    const code = sideOutputs.get(filename);
    if (code === undefined) return null;
    const mod = new Module(filename, module) as Module & { _compile(code: string, file: string): void; paths: string[] };
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(filename));
    (mod as unknown as { require: NodeJS.Require }).require = wrapRequire(mod.require as NodeJS.Require, path.dirname(filename), sideOutputs, sideModules);
    mod._compile(code, filename);
    sideModules.set(filename, mod);
    return mod.exports;
  }
  return new Proxy(req, {
    apply: (_t, thisArg, args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === 'string' && (args[0].startsWith('.') || path.isAbsolute(args[0]))) {
        const mod = fromSideOutputs(args[0]);
        if (mod) return mod;
      }
      return Reflect.apply(req, thisArg, args);
    },
  });
}

/** Jupyter counts cursor positions in code points; JavaScript strings index UTF-16 units. */
export function codePointsToUtf16(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

export function utf16ToCodePoints(s: string, u: number): number {
  return Array.from(s.slice(0, u)).length;
}
