/**
 * Jupyter connection files: the JSON a front end writes to tell a kernel where to listen and how
 * to sign. Read with validation (a bad file names the field), written for our own clients.
 *
 * @example
 * ```ts
 * import { readConnectionFile } from './connection';
 * const info = readConnectionFile('/tmp/kernel-1234.json');
 * console.log(info.shell_port, info.signature_scheme);
 * ```
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ConfigError, DataError } from '../src/imp/core/errors';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  kernel_name?: string;
}

export const CHANNELS = ['shell', 'control', 'iopub', 'stdin', 'hb'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Reads and checks a connection file. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`cannot read the connection file: ${(e as Error).message}`, file, 'pass the {connection_file} that Jupyter writes');
  }
  return checkConnection(raw, file);
}

/** Validates a parsed connection object; `file` only names the source in errors. */
export function checkConnection(raw: unknown, file = 'connection'): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null) throw new DataError('not a JSON object', file);
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new ConfigError(`${file}.transport`, transport, '"tcp" or "ipc"');
  if (typeof o.ip !== 'string' || o.ip === '') throw new ConfigError(`${file}.ip`, o.ip, 'an address string such as "127.0.0.1"');
  if (typeof o.key !== 'string') throw new ConfigError(`${file}.key`, o.key, 'a string (empty disables signing)');
  const scheme = o.signature_scheme ?? 'hmac-sha256';
  if (typeof scheme !== 'string') throw new ConfigError(`${file}.signature_scheme`, scheme, '"hmac-sha256"');
  const ports: Record<string, number> = {};
  for (const ch of CHANNELS) {
    const p = o[`${ch}_port`];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
      throw new ConfigError(`${file}.${ch}_port`, p, 'an integer port in [0, 65535]');
    }
    ports[ch] = p;
  }
  return {
    transport, ip: o.ip, key: o.key, signature_scheme: scheme,
    shell_port: ports.shell, control_port: ports.control, iopub_port: ports.iopub, stdin_port: ports.stdin, hb_port: ports.hb,
    kernel_name: typeof o.kernel_name === 'string' ? o.kernel_name : undefined,
  };
}

/** The ZeroMQ endpoint of one channel, e.g. `tcp://127.0.0.1:5555` or `ipc://path-1`. */
export function endpoint(info: ConnectionInfo, ch: Channel): string {
  const port = info[`${ch}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh connection on 127.0.0.1 with five free ports and a random 256-bit key. */
export async function newConnection(): Promise<ConnectionInfo> {
  const ip = '127.0.0.1';
  const ports: number[] = [];
  while (ports.length < 5) {
    const p = await freePort(ip);
    if (!ports.includes(p)) ports.push(p);
  }
  return {
    transport: 'tcp', ip, key: randomBytes(32).toString('hex'), signature_scheme: 'hmac-sha256',
    shell_port: ports[0], control_port: ports[1], iopub_port: ports[2], stdin_port: ports[3], hb_port: ports[4],
    kernel_name: 'imp-lab',
  };
}
