/**
 * The IMP Lab kernel: answers the Jupyter messaging protocol 5.3 over the sockets of a
 * connection file, runs cells with the executor, and routes output (streams, displays, results,
 * errors) to the cell that produced it. A thin adapter: no model logic lives here.
 *
 * @example
 * ```ts
 * import { startKernel } from './kernel';
 * const kernel = await startKernel('/path/to/kernel-1234.json');
 * // ... Jupyter talks to it; `kernel.stopped` resolves after shutdown_request.
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConnectionInfo, readConnectionFile } from './connection';
import { ProtocolServer, InChannel } from './server';
import { Header, Message, PROTOCOL_VERSION, newMessage } from './wire';
import { CellExecutor, createCellExecutor } from './executor';
import { DisplayState, toBundle } from './display';
import { bindDisplayChannel, QUIET } from './prelude';
import { History, HistoryQuery } from './history';
import { log } from './log';

/** Project root (dist/kernel/kernel.js -> ../..). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface KernelOptions {
  /** Folder that relative imports in cells resolve from (default: the process's cwd). */
  rootDir?: string;
  /** Source of the prelude cell (default: `preludeSource()`); tests pass a smaller one. */
  prelude?: string;
  /** Called with the exit code after shutdown; default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * The prelude cell run before the first user cell: it makes `imp`, `viz`, `aq`, `display` and
 * `progress` names of every notebook. Modules are imported by absolute path so that notebooks
 * anywhere on disk see this installation's library; a part that is not built is left out.
 */
export function preludeSource(root = PROJECT_ROOT): string {
  const lines: string[] = [];
  const add = (name: string, file: string, fallback?: string) => {
    const f = fs.existsSync(path.join(root, file)) ? file : fallback && fs.existsSync(path.join(root, fallback)) ? fallback : null;
    if (f) lines.push(`import * as ${name} from ${JSON.stringify(path.join(root, f))};`);
    else log(`prelude: ${file} is not built; \`${name}\` is not defined in notebooks`);
  };
  add('imp', 'dist/src/imp/index.js', 'dist/src/imp/core/index.js');
  add('viz', 'dist/src/viz/index.js');
  const aq = path.join(root, 'node_modules', 'arquero');
  if (fs.existsSync(aq)) lines.push(`import * as aq from ${JSON.stringify(aq)};`);
  lines.push(`import { display, progress } from ${JSON.stringify(path.join(root, 'dist', 'kernel', 'prelude.js'))};`);
  return lines.join('\n');
}

function packageVersion(pkgJson: string): string {
  try {
    return (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

type Content = Record<string, unknown>;

export class Kernel {
  readonly server: ProtocolServer;
  readonly executor: CellExecutor;
  readonly history = new History(Math.floor(Date.now() / 1000));
  private readonly session = randomUUID();
  private readonly displayState = new DisplayState();
  private executionCount = 0;
  /** The execute_request whose cell runs now (or ran last): output goes there. */
  private parent: Partial<Header> = {};
  private readonly queue: { channel: InChannel; msg: Message }[] = [];
  private processing = false;
  private readonly streams: { stdout: string; stderr: string } = { stdout: '', stderr: '' };
  private streamTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private resolveStopped!: () => void;
  /** Resolves after a shutdown_request has been answered and the sockets are closed. */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  constructor(info: ConnectionInfo, private readonly opts: KernelOptions = {}) {
    this.server = new ProtocolServer(info, (channel, msg) => this.onMessage(channel, msg));
    this.executor = createCellExecutor({ rootDir: opts.rootDir ?? process.cwd() });
  }

  async start(): Promise<void> {
    this.captureOutput();
    bindDisplayChannel({
      publish: (type, content, parent) => this.publish(type, content, (parent as Partial<Header> | undefined) ?? this.parent),
      currentParent: () => this.parent,
      state: this.displayState,
    });
    await this.server.bind();
    this.publish('status', { execution_state: 'starting' }, {});
    // The prelude runs as the first item of the shell queue, so early requests simply wait.
    const prelude = this.opts.prelude ?? preludeSource();
    this.queue.push({ channel: 'shell', msg: newMessage('__prelude__', { code: prelude }, { session: this.session }) as Message });
    void this.drain();
  }

  // ---- output routing -------------------------------------------------------------------

  private publish(msgType: string, content: Content, parent: Partial<Header>): void {
    if (msgType !== 'stream') this.flushStreams();
    void this.server.send('iopub', newMessage(msgType, content, { session: this.session, parent, identities: [Buffer.from(msgType)] }));
  }

  private flushStreams(): void {
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.streamTimer = null;
    for (const name of ['stdout', 'stderr'] as const) {
      const text = this.streams[name];
      if (text === '') continue;
      this.streams[name] = '';
      void this.server.send('iopub', newMessage('stream', { name, text }, { session: this.session, parent: this.parent, identities: [Buffer.from('stream')] }));
    }
  }

  /**
   * Sends process.stdout/stderr (console.log included) to the notebook as `stream` messages.
   * Writes are coalesced for a few milliseconds so a loop printing many lines makes few messages.
   */
  private captureOutput(): void {
    const hook = (name: 'stdout' | 'stderr') =>
      ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error) => void), cb?: (e?: Error) => void): boolean => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
        this.streams[name] += text;
        this.streamTimer ??= setTimeout(() => this.flushStreams(), 10);
        const done = typeof encoding === 'function' ? encoding : cb;
        if (done) process.nextTick(done);
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = hook('stdout');
    process.stderr.write = hook('stderr');
    // A callback or promise of an earlier cell that fails must not kill the kernel.
    process.on('uncaughtException', (e) => process.stderr.write(`Uncaught exception: ${(e as Error).stack ?? e}\n`));
    process.on('unhandledRejection', (e) => process.stderr.write(`Unhandled promise rejection: ${(e as Error)?.stack ?? e}\n`));
  }

  // ---- dispatch -------------------------------------------------------------------------

  private onMessage(channel: InChannel, msg: Message): void {
    if (this.stopping) return;
    const type = msg.header.msg_type;
    if (channel === 'control') {
      void this.handleControl(msg);
      return;
    }
    if (channel === 'stdin') return; // input() is not offered (allow_stdin is ignored)
    // Stateless requests are answered at once, even while a cell runs.
    if (type === 'kernel_info_request' || type === 'comm_info_request' || type === 'is_complete_request') {
      void this.withStatus(channel, msg, () => this.handleQuick(channel, msg));
      return;
    }
    this.queue.push({ channel, msg });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.stopping) {
        const { channel, msg } = this.queue.shift()!;
        if (msg.header.msg_type === '__prelude__') {
          const r = await this.executor.execute(String(msg.content.code), 'prelude');
          if (r.status === 'error') log(`prelude failed: ${r.error.ename}: ${r.error.evalue}\n${r.error.traceback.join('\n')}`);
          this.flushStreams();
          this.publish('status', { execution_state: 'idle' }, {});
          continue;
        }
        await this.withStatus(channel, msg, () => this.handleShell(channel, msg));
      }
    } finally {
      this.processing = false;
    }
  }

  private async withStatus(channel: InChannel, msg: Message, body: () => Promise<void> | void): Promise<void> {
    this.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      await body();
    } catch (e) {
      log(`${msg.header.msg_type} failed: ${(e as Error).stack ?? e}`);
      this.reply(channel, msg, `${msg.header.msg_type.replace(/_request$/, '')}_reply`, { status: 'error', ename: 'KernelError', evalue: String((e as Error).message ?? e), traceback: [] });
    }
    this.publish('status', { execution_state: 'idle' }, msg.header);
  }

  private reply(channel: InChannel, req: Message, type: string, content: Content): void {
    this.flushStreams();
    void this.server.send(channel, newMessage(type, content, { session: this.session, parent: req.header, identities: req.identities }));
  }

  private handleQuick(channel: InChannel, msg: Message): void {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'kernel_info_request':
        return this.reply(channel, msg, 'kernel_info_reply', this.kernelInfo());
      case 'comm_info_request':
        return this.reply(channel, msg, 'comm_info_reply', { status: 'ok', comms: {} });
      case 'is_complete_request':
        return this.reply(channel, msg, 'is_complete_reply', this.executor.isComplete(String(c.code ?? '')));
    }
  }

  private async handleShell(channel: InChannel, msg: Message): Promise<void> {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'execute_request':
        return this.execute(channel, msg);
      case 'complete_request': {
        const r = this.executor.complete(String(c.code ?? ''), Number(c.cursor_pos ?? 0));
        return this.reply(channel, msg, 'complete_reply', { status: 'ok', ...r, metadata: {} });
      }
      case 'inspect_request': {
        const r = this.executor.inspect(String(c.code ?? ''), Number(c.cursor_pos ?? 0));
        return this.reply(channel, msg, 'inspect_reply', { status: 'ok', found: r.found, data: r.found ? { 'text/plain': r.text } : {}, metadata: {} });
      }
      case 'history_request':
        return this.reply(channel, msg, 'history_reply', { status: 'ok', history: this.history.query(c as unknown as HistoryQuery) });
      case 'comm_open':
        // No comm targets are registered: tell the front end the comm is closed (spec).
        this.publish('comm_close', { comm_id: c.comm_id, data: {} }, msg.header);
        return;
      case 'comm_msg':
      case 'comm_close':
        return;
      case 'shutdown_request':
        return this.shutdown(channel, msg);
      default:
        log(`unknown message type ${JSON.stringify(msg.header.msg_type)} on ${channel}; ignored`);
    }
  }

  private async handleControl(msg: Message): Promise<void> {
    switch (msg.header.msg_type) {
      case 'interrupt_request':
        this.interrupt();
        return this.withStatus('control', msg, () => this.reply('control', msg, 'interrupt_reply', { status: 'ok' }));
      case 'shutdown_request':
        return this.withStatus('control', msg, () => this.shutdown('control', msg));
      case 'kernel_info_request':
        return this.withStatus('control', msg, () => this.reply('control', msg, 'kernel_info_reply', this.kernelInfo()));
      default:
        log(`unsupported control message ${JSON.stringify(msg.header.msg_type)}; ignored`);
    }
  }

  /** Interrupts the running cell (from interrupt_request or SIGINT). */
  interrupt(): void {
    this.executor.interrupt();
  }

  private kernelInfo(): Content {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'imp-lab',
      implementation_version: packageVersion(path.join(PROJECT_ROOT, 'package.json')),
      language_info: {
        name: 'typescript',
        version: packageVersion(require.resolve('@tslab/typescript-for-tslab/package.json')),
        mimetype: 'text/typescript',
        file_extension: '.ts',
        pygments_lexer: 'typescript',
        codemirror_mode: { name: 'javascript', typescript: true },
        nbconvert_exporter: 'script',
      },
      banner: `IMP Lab kernel: TypeScript ${packageVersion(require.resolve('@tslab/typescript-for-tslab/package.json'))} on Node.js ${process.versions.node}. Globals: imp, viz, aq, display, progress.`,
      debugger: false,
      help_links: [
        { text: 'IMP paper (arXiv:2305.06324)', url: 'https://arxiv.org/abs/2305.06324' },
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'TensorFlow.js API', url: 'https://js.tensorflow.org/api/latest/' },
        { text: 'Arquero API', url: 'https://idl.uw.edu/arquero/api/' },
        { text: 'Plotly.js reference', url: 'https://plotly.com/javascript/reference/' },
      ],
    };
  }

  private async execute(channel: InChannel, msg: Message): Promise<void> {
    const c = msg.content;
    const code = String(c.code ?? '');
    const silent = c.silent === true;
    const help = /^\s*([A-Za-z_$][\w$.]*)\?\s*$/.exec(code);
    if (help) return this.page(channel, msg, help[1]);
    const storeHistory = silent ? false : c.store_history !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    this.flushStreams();
    this.parent = msg.header;
    if (!silent) this.publish('execute_input', { code, execution_count: count }, msg.header);
    if (storeHistory) this.history.add(count, code);
    const r = await this.executor.execute(code, storeHistory ? String(count) : ' ');
    if (r.status === 'ok') {
      const quietValue = typeof r.value === 'object' && r.value !== null && (r.value as Record<symbol, unknown>)[QUIET] === true;
      if (r.hasValue && !silent && !quietValue) {
        const data = toBundle(r.value, this.displayState);
        this.publish('execute_result', { execution_count: count, data, metadata: {} }, msg.header);
        if (storeHistory && typeof data['text/plain'] === 'string') this.history.setOutput(count, data['text/plain']);
      }
      const userExpressions: Content = {};
      for (const key of Object.keys((c.user_expressions as Content | undefined) ?? {})) {
        // Evaluating expressions would run code outside a cell; report them as unsupported.
        userExpressions[key] = { status: 'error', ename: 'NotSupported', evalue: 'user_expressions are not evaluated by this kernel', traceback: [] };
      }
      this.reply(channel, msg, 'execute_reply', { status: 'ok', execution_count: count, payload: [], user_expressions: userExpressions });
      return;
    }
    const { ename, evalue, traceback } = r.error;
    if (!silent) this.publish('error', { ename, evalue, traceback }, msg.header);
    this.reply(channel, msg, 'execute_reply', { status: 'error', execution_count: count, ename, evalue, traceback });
    if (c.stop_on_error !== false) this.abortQueuedExecutes();
  }

  /**
   * `name?` shows the documentation of `name` in the front end's pager (as in IPython), via the
   * `page` payload of execute_reply; nothing runs.
   */
  private page(channel: InChannel, msg: Message, expr: string): void {
    const r = this.executor.inspect(expr, Array.from(expr).length);
    this.executionCount++;
    this.parent = msg.header;
    this.publish('execute_input', { code: String(msg.content.code), execution_count: this.executionCount }, msg.header);
    const text = r.found ? r.text : `no documentation found for ${expr}`;
    this.reply(channel, msg, 'execute_reply', {
      status: 'ok', execution_count: this.executionCount, user_expressions: {},
      payload: [{ source: 'page', data: { 'text/plain': text }, start: 0 }],
    });
  }

  /**
   * After a failed cell, execute requests that were already waiting (a "run all") are answered
   * `aborted` without running, as IPython does. Requests that arrive later run normally.
   */
  private abortQueuedExecutes(): void {
    const keep: typeof this.queue = [];
    for (const item of this.queue) {
      if (item.msg.header.msg_type !== 'execute_request') {
        keep.push(item);
        continue;
      }
      this.publish('status', { execution_state: 'busy' }, item.msg.header);
      this.reply(item.channel, item.msg, 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
      this.publish('status', { execution_state: 'idle' }, item.msg.header);
    }
    this.queue.splice(0, this.queue.length, ...keep);
  }

  private async shutdown(channel: InChannel, msg: Message): Promise<void> {
    const restart = msg.content.restart === true;
    this.reply(channel, msg, 'shutdown_reply', { status: 'ok', restart });
    this.stopping = true;
    // A restart is a new process started by the front end, so both cases end this one.
    setImmediate(async () => {
      this.publish('status', { execution_state: 'idle' }, msg.header);
      this.executor.close();
      await this.server.close();
      bindDisplayChannel(null);
      this.resolveStopped();
      (this.opts.exit ?? ((code: number) => process.exit(code)))(0);
    });
  }
}

/**
 * Starts a kernel on a connection file, with SIGINT wired to interrupt (kernelspec
 * `interrupt_mode: "signal"`).
 */
export async function startKernel(connectionFile: string, opts: KernelOptions = {}): Promise<Kernel> {
  const kernel = new Kernel(readConnectionFile(connectionFile), opts);
  // While a cell's synchronous code runs, Node's vm breaks it on SIGINT by itself (breakOnSigint)
  // and this handler is paused; between steps of async code, this handler does the work.
  process.on('SIGINT', () => kernel.interrupt());
  await kernel.start();
  return kernel;
}
