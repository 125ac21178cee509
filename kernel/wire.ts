/**
 * The Jupyter wire format (messaging protocol 5.3): framing, HMAC-SHA256 signing and
 * verification. Pure functions, no sockets, so every rule here is unit-tested directly.
 *
 * A message on the wire is the frame list
 * `[...identities, "<IDS|MSG>", signature, header, parent_header, metadata, content, ...buffers]`
 * where `signature = hex(HMAC(key, header + parent_header + metadata + content))`.
 *
 * @example
 * ```ts
 * import { Signer, newMessage, encode, decode } from './wire';
 * const signer = new Signer('hmac-sha256', 'secret');
 * const msg = newMessage('kernel_info_request', {}, { session: 's1' });
 * const frames = encode(signer, msg);
 * const back = decode(signer, frames); // { ok: true, message: ... }
 * ```
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../src/imp/core/errors';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

/** The header of every message (protocol 5.3, "General message format"). */
export interface Header {
  /** Unique per message. */
  msg_id: string;
  /** The client's session id; the kernel uses its own in messages it originates. */
  session: string;
  username: string;
  /** ISO 8601 timestamp. */
  date: string;
  msg_type: string;
  /** Protocol version, `5.3`. */
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (IOPub). */
  identities: Buffer[];
  header: Header;
  /** The header of the request this message answers, or `{}`. */
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Signs and verifies with the key and scheme of a connection file. */
export class Signer {
  private readonly key: Buffer;
  private readonly algorithm: string;

  constructor(scheme: string, key: string) {
    // Jupyter writes the scheme as "hmac-<digest>"; only SHA-256 is used in practice, but any
    // digest that Node knows is accepted.
    const m = /^hmac-(sha224|sha256|sha384|sha512|md5|sha1)$/.exec(scheme);
    if (!m) throw new ConfigError('signature_scheme', scheme, '"hmac-sha256" (or hmac-sha1/sha224/sha384/sha512/md5)');
    this.algorithm = m[1];
    this.key = Buffer.from(key, 'utf8');
  }

  /** True when the connection has a key; with an empty key, messages are unsigned (spec). */
  get enabled(): boolean {
    return this.key.length > 0;
  }

  /** The hex signature of the four JSON frames. */
  sign(parts: Buffer[]): string {
    if (!this.enabled) return '';
    const h = createHmac(this.algorithm, this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  /** Constant-time check of a received signature. */
  verify(signature: string, parts: Buffer[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(parts), 'utf8');
    const got = Buffer.from(signature, 'utf8');
    // timingSafeEqual needs equal lengths; comparing the lengths first leaks only the length,
    // which is public (it is fixed by the digest).
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

/** Builds a message with a fresh header. */
export function newMessage<C extends object>(
  msgType: string,
  content: C,
  opts: { session: string; parent?: Partial<Header>; metadata?: Record<string, unknown>; identities?: Buffer[]; username?: string },
): Message<C> {
  return {
    identities: opts.identities ?? [],
    header: {
      msg_id: randomUUID(),
      session: opts.session,
      username: opts.username ?? 'imp-lab',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: opts.parent ?? {},
    metadata: opts.metadata ?? {},
    content,
    buffers: [],
  };
}

/** Serialises and signs a message into ZeroMQ frames. */
export function encode(signer: Signer, msg: Message<object>): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...msg.buffers];
}

export type DecodeResult = { ok: true; message: Message; signature: string } | { ok: false; reason: string };

/**
 * Parses and verifies frames. A message whose signature is missing or wrong is returned as
 * `{ok: false}` with the reason, so the caller can log and drop it without parsing its JSON.
 */
export function decode(signer: Signer, frames: Buffer[]): DecodeResult {
  const i = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('utf8') === DELIMITER);
  if (i < 0) return { ok: false, reason: 'no <IDS|MSG> delimiter' };
  if (frames.length < i + 6) return { ok: false, reason: `expected at least 6 frames after the delimiter's position, got ${frames.length - i}` };
  const signature = frames[i + 1].toString('utf8');
  const parts = frames.slice(i + 2, i + 6);
  if (signer.enabled && signature.length === 0) return { ok: false, reason: 'missing signature' };
  if (!signer.verify(signature, parts)) return { ok: false, reason: 'bad signature' };
  let header: Header, parent: Partial<Header>, metadata: Record<string, unknown>, content: Record<string, unknown>;
  try {
    [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')));
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${(e as Error).message}` };
  }
  if (!header || typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') {
    return { ok: false, reason: 'header lacks msg_type or msg_id' };
  }
  return {
    ok: true,
    signature,
    message: { identities: frames.slice(0, i), header, parent_header: parent ?? {}, metadata: metadata ?? {}, content: content ?? {}, buffers: frames.slice(i + 6) },
  };
}

/**
 * Remembers recent signatures so that an exact replay of a signed message is dropped (as
 * jupyter_client's Session does). Bounded: the oldest entries are forgotten first.
 */
export class ReplayGuard {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity = 65536) {}

  /** Returns false when `signature` was seen before; records it otherwise. */
  admit(signature: string): boolean {
    if (signature === '') return true; // unsigned connections cannot detect replays
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}
