/**
 * A small Jupyter client over ZeroMQ, for `imp-lab run` and the tests: starts a kernel process
 * (or attaches to a connection), sends requests, and collects each request's reply and IOPub
 * output. No Python involved.
 *
 * @example
 * ```ts
 * import { KernelClient } from './client';
 * const kc = await KernelClient.launch({ cwd: process.cwd() });
 * const { reply, outputs } = await kc.execute('1 + 1');
 * console.log(reply.content.status, outputs.map((m) => m.header.msg_type)); // ok [ 'execute_input', 'execute_result' ]
 * await kc.shutdown();
 * ```
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint, newConnection } from './connection';
import { Message, Signer, decode, encode, newMessage } from './wire';
import { kernelSpec } from './kernelspec';

export interface ExecuteOutcome {
  reply: Message;
  /** IOPub messages of the request between busy and idle (status messages excluded). */
  outputs: Message[];
}

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kernel command; `{connection_file}` is replaced. Default: this installation's kernelspec argv. */
  argv?: string[];
  /** Called with every chunk the kernel writes to its real stderr (its log). */
  onLog?: (text: string) => void;
}

type Waiter = { resolve: (m: Message) => void; reject: (e: Error) => void };

export class KernelClient {
  readonly signer: Signer;
  readonly session = randomUUID();
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, Waiter>();
  private readonly iopubByParent = new Map<string, Message[]>();
  private readonly idleWaiters = new Map<string, () => void>();
  private readonly sendQueues = new Map<zmq.Dealer, Promise<void>>();
  /** Every IOPub message received, in order (for tests). */
  readonly iopubLog: Message[] = [];
  private closed = false;
  private exitInfo: { code: number | null; signal: string | null } | null = null;

  private constructor(readonly info: ConnectionInfo, readonly proc: ChildProcess | null, readonly connectionFile: string | null) {
    this.signer = new Signer(info.signature_scheme, info.key);
    proc?.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      const err = new Error(`kernel process exited (code ${code}, signal ${signal})`);
      for (const w of this.replies.values()) w.reject(err);
      this.replies.clear();
    });
  }

  /** Starts a kernel process on a fresh connection and waits until it answers. */
  static async launch(opts: LaunchOptions = {}): Promise<KernelClient> {
    const info = await newConnection();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-lab-conn-'));
    const file = path.join(dir, 'kernel.json');
    fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
    const argv = (opts.argv ?? kernelSpec().argv).map((a) => a.replace('{connection_file}', file));
    const proc = spawn(argv[0], argv.slice(1), { cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const logSink = opts.onLog ?? (() => {});
    proc.stdout?.on('data', (d: Buffer) => logSink(d.toString()));
    proc.stderr?.on('data', (d: Buffer) => logSink(d.toString()));
    const kc = new KernelClient(info, proc, file);
    kc.connect();
    await kc.waitReady();
    return kc;
  }

  /** Connects to a kernel that is already running. */
  static async attach(info: ConnectionInfo): Promise<KernelClient> {
    const kc = new KernelClient(info, null, null);
    kc.connect();
    await kc.waitReady();
    return kc;
  }

  get exited(): { code: number | null; signal: string | null } | null {
    return this.exitInfo;
  }

  private connect(): void {
    this.shell.connect(endpoint(this.info, 'shell'));
    this.control.connect(endpoint(this.info, 'control'));
    this.iopub.connect(endpoint(this.info, 'iopub'));
    this.iopub.subscribe();
    void this.replyLoop(this.shell);
    void this.replyLoop(this.control);
    void this.iopubLoop();
  }

  private async replyLoop(sock: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of sock) {
        const r = decode(this.signer, frames);
        if (!r.ok) continue;
        const id = r.message.parent_header.msg_id;
        const w = id ? this.replies.get(id) : undefined;
        if (w && id) {
          this.replies.delete(id);
          w.resolve(r.message);
        }
      }
    } catch {
      // socket closed
    }
  }

  private async iopubLoop(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const r = decode(this.signer, frames);
        if (!r.ok) continue;
        const m = r.message;
        this.iopubLog.push(m);
        const id = m.parent_header.msg_id;
        if (!id) continue;
        const list = this.iopubByParent.get(id) ?? [];
        list.push(m);
        this.iopubByParent.set(id, list);
        if (m.header.msg_type === 'status' && m.content.execution_state === 'idle') this.idleWaiters.get(id)?.();
      }
    } catch {
      // socket closed
    }
  }

  /** Sends raw frames (tests use it to send forged or replayed messages). */
  sendRaw(channel: 'shell' | 'control', frames: Buffer[]): Promise<void> {
    const sock = channel === 'shell' ? this.shell : this.control;
    const prev = this.sendQueues.get(sock) ?? Promise.resolve();
    const next = prev.then(() => sock.send(frames));
    this.sendQueues.set(sock, next.catch(() => {}));
    return next;
  }

  /** Builds a signed request message (not sent). */
  message(type: string, content: object): Message<object> {
    return newMessage(type, content, { session: this.session, username: os.userInfo().username });
  }

  /** Sends a request and resolves with its reply (rejects after `timeoutMs`). */
  async request(channel: 'shell' | 'control', type: string, content: object, timeoutMs = 60_000): Promise<Message> {
    const msg = this.message(type, content);
    const p = this.expectReply(msg.header.msg_id, timeoutMs, type);
    await this.sendRaw(channel, encode(this.signer, msg));
    return p;
  }

  /** Waits for the reply to a request id that was sent some other way. */
  expectReply(msgId: string, timeoutMs: number, what = 'request'): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const t = setTimeout(() => {
        this.replies.delete(msgId);
        reject(new Error(`no reply to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(msgId, {
        resolve: (m) => { clearTimeout(t); resolve(m); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
    });
  }

  /** Waits for the `idle` status of a request, then returns its IOPub messages. */
  waitIdle(msgId: string, timeoutMs: number): Promise<Message[]> {
    const done = () => (this.iopubByParent.get(msgId) ?? []).some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle');
    return new Promise<Message[]>((resolve, reject) => {
      const finish = () => {
        clearTimeout(t);
        this.idleWaiters.delete(msgId);
        const all = this.iopubByParent.get(msgId) ?? [];
        this.iopubByParent.delete(msgId);
        resolve(all.filter((m) => m.header.msg_type !== 'status'));
      };
      const t = setTimeout(() => {
        this.idleWaiters.delete(msgId);
        reject(new Error(`no idle status for ${msgId} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (done()) finish();
      else this.idleWaiters.set(msgId, finish);
    });
  }

  /** Runs code and collects the reply and the outputs. */
  async execute(code: string, opts: { timeoutMs?: number; silent?: boolean; storeHistory?: boolean; stopOnError?: boolean } = {}): Promise<ExecuteOutcome> {
    const timeoutMs = opts.timeoutMs ?? 600_000;
    const msg = this.message('execute_request', {
      code, silent: opts.silent ?? false, store_history: opts.storeHistory ?? true, user_expressions: {}, allow_stdin: false, stop_on_error: opts.stopOnError ?? true,
    });
    const id = msg.header.msg_id;
    const replyP = this.expectReply(id, timeoutMs, 'execute_request');
    const idleP = this.waitIdle(id, timeoutMs);
    await this.sendRaw('shell', encode(this.signer, msg));
    const [reply, outputs] = await Promise.all([replyP, idleP]);
    return { reply, outputs };
  }

  /** Interrupts the kernel: SIGINT to the process (kernelspec interrupt_mode), else a control message. */
  async interrupt(mode: 'signal' | 'message' = this.proc ? 'signal' : 'message'): Promise<void> {
    if (mode === 'signal' && this.proc) this.proc.kill('SIGINT');
    else await this.request('control', 'interrupt_request', {}, 10_000);
  }

  /**
   * Polls kernel_info until the reply and its IOPub status arrive, which also proves that the
   * IOPub subscription is live (a SUB socket misses messages published before it connected).
   */
  private async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo) throw new Error(`kernel process exited during start-up (code ${this.exitInfo.code})`);
      const msg = this.message('kernel_info_request', {});
      const id = msg.header.msg_id;
      const reply = this.expectReply(id, 1000, 'kernel_info_request').catch(() => null);
      await this.sendRaw('shell', encode(this.signer, msg));
      if ((await reply) && (await this.waitIdle(id, 1000).then(() => true, () => false))) return;
    }
    throw new Error(`kernel did not answer within ${timeoutMs} ms`);
  }

  /** Asks the kernel to shut down, waits for the process to end, closes sockets. */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    if (!this.exitInfo) {
      await this.request('control', 'shutdown_request', { restart: false }, timeoutMs).catch(() => null);
      if (this.proc && !this.exitInfo) {
        const exited = new Promise<void>((r) => this.proc!.once('exit', () => r()));
        const t = setTimeout(() => this.proc?.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(t);
      }
    }
    this.close();
  }

  /** Closes the sockets (does not stop the kernel process). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.iopub]) if (!s.closed) s.close();
    if (this.connectionFile) fs.rmSync(path.dirname(this.connectionFile), { recursive: true, force: true });
  }
}
