/**
 * The ZeroMQ side of the kernel: binds the five channels of a connection file, verifies every
 * incoming message (signature, replay) before anyone sees it, and serialises sends per socket
 * (zeromq.js allows one pending send per socket).
 *
 * @example
 * ```ts
 * import { ProtocolServer } from './server';
 * const server = new ProtocolServer(info, (channel, msg) => console.log(channel, msg.header.msg_type));
 * await server.bind();
 * ```
 */
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint } from './connection';
import { Message, ReplayGuard, Signer, decode, encode } from './wire';
import { Log, log as defaultLog } from './log';

export type InChannel = 'shell' | 'control' | 'stdin';
export type OutChannel = InChannel | 'iopub';
export type MessageHandler = (channel: InChannel, msg: Message) => void;

/** Sends on one socket strictly one after another, in call order. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly sock: zmq.Writable & zmq.Socket, private readonly log: Log) {}
  push(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(
      () => (this.sock.closed ? undefined : this.sock.send(frames)),
    ).catch((e) => this.log(`send failed: ${(e as Error).message}`));
    return this.tail;
  }
  drain(): Promise<void> {
    return this.tail;
  }
}

export class ProtocolServer {
  readonly signer: Signer;
  /** Counts of dropped messages by reason; tests read it. */
  readonly dropped = new Map<string, number>();
  private readonly replay = new ReplayGuard();
  private readonly sockets: { shell: zmq.Router; control: zmq.Router; stdin: zmq.Router; iopub: zmq.Publisher; hb: zmq.Reply };
  private readonly queues: Record<OutChannel, SendQueue>;

  constructor(private readonly info: ConnectionInfo, private readonly handler: MessageHandler, private readonly log: Log = defaultLog) {
    this.signer = new Signer(info.signature_scheme, info.key);
    // linger 0: on shutdown we drain our own queues first, then nothing may keep the process up.
    this.sockets = {
      shell: new zmq.Router({ linger: 0 }),
      control: new zmq.Router({ linger: 0 }),
      stdin: new zmq.Router({ linger: 0 }),
      iopub: new zmq.Publisher({ linger: 0 }),
      hb: new zmq.Reply({ linger: 0 }),
    };
    this.queues = {
      shell: new SendQueue(this.sockets.shell, log),
      control: new SendQueue(this.sockets.control, log),
      stdin: new SendQueue(this.sockets.stdin, log),
      iopub: new SendQueue(this.sockets.iopub, log),
    };
  }

  /** Binds all channels and starts the receive loops. */
  async bind(): Promise<void> {
    const s = this.sockets;
    await Promise.all([
      s.shell.bind(endpoint(this.info, 'shell')),
      s.control.bind(endpoint(this.info, 'control')),
      s.stdin.bind(endpoint(this.info, 'stdin')),
      s.iopub.bind(endpoint(this.info, 'iopub')),
      s.hb.bind(endpoint(this.info, 'hb')),
    ]);
    void this.receiveLoop('shell', s.shell);
    void this.receiveLoop('control', s.control);
    void this.receiveLoop('stdin', s.stdin);
    void this.heartbeat();
  }

  /** Signs and sends a message on a channel; resolves when ZeroMQ has taken it. */
  send(channel: OutChannel, msg: Message<object>): Promise<void> {
    return this.queues[channel].push(encode(this.signer, msg));
  }

  /** Waits for every queued send, then closes the sockets. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.drain()));
    for (const sock of Object.values(this.sockets)) if (!sock.closed) sock.close();
  }

  private drop(channel: InChannel, reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    this.log(`dropped a message on ${channel}: ${reason}`);
  }

  private async receiveLoop(channel: InChannel, sock: zmq.Router): Promise<void> {
    try {
      for await (const frames of sock) {
        const r = decode(this.signer, frames);
        if (!r.ok) { this.drop(channel, r.reason); continue; }
        if (!this.replay.admit(r.signature)) { this.drop(channel, 'replayed signature'); continue; }
        try {
          this.handler(channel, r.message);
        } catch (e) {
          this.log(`handler failed on ${r.message.header.msg_type}: ${(e as Error).stack ?? e}`);
        }
      }
    } catch (e) {
      if (!sock.closed) this.log(`${channel} loop ended: ${(e as Error).message}`);
    }
  }

  private async heartbeat(): Promise<void> {
    const hb = this.sockets.hb;
    try {
      for await (const frames of hb) await hb.send(frames);
    } catch (e) {
      if (!hb.closed) this.log(`heartbeat ended: ${(e as Error).message}`);
    }
  }
}
