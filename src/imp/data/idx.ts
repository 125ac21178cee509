/**
 * IDX files (the MNIST / Fashion-MNIST container): a 4-byte magic `0x00 0x00 <type> <rank>`,
 * `rank` big-endian uint32 dimensions, then the row-major payload. Only unsigned bytes (type
 * 0x08) occur in the benchmark, so that is what this parser accepts; anything else is a
 * DataError naming the file, because a silently misread dataset trains a model on noise.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError } from '../core/errors';

/** A parsed IDX file: uint8 payload (a view into the file's bytes, not a copy) and its dims. */
export interface IdxArray {
  data: Uint8Array;
  shape: number[];
}

const UBYTE = 0x08;

/**
 * Parses IDX bytes. `file` names the source in errors; `fix` says how to get a good copy.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]); // two labels: 7, 3
 * parseIdx(bytes, 'labels.idx').shape; // [2]
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, fix?: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`IDX file is truncated: ${bytes.length} bytes, a header needs at least 4`, file, fix);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(`wrong IDX magic number ${magic}; expected 00 00 08 <rank> (unsigned-byte IDX)`, file, fix);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > 4) throw new DataError(`IDX rank ${rank} is not in 1..4`, file, fix);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(`IDX file is truncated: ${bytes.length} bytes, the rank-${rank} header needs ${headerBytes}`, file, fix);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const expected = shape.reduce((a, b) => a * b, 1);
  const payload = bytes.length - headerBytes;
  if (payload !== expected) {
    throw new DataError(
      `IDX payload has ${payload} bytes but its header ${JSON.stringify(shape)} needs ${expected}` +
        (payload < expected ? ' (file is truncated)' : ' (trailing bytes)'),
      file,
      fix,
    );
  }
  return { data: bytes.subarray(headerBytes), shape };
}

/** Reads and parses an IDX file; `.gz` files are gunzipped first. Missing files are a DataError. */
export function readIdxFile(file: string, fix?: string): IdxArray {
  if (!fs.existsSync(file)) throw new DataError('IDX file is missing', file, fix);
  let bytes: Uint8Array = fs.readFileSync(file);
  if (file.endsWith('.gz')) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`gzip stream is corrupt or truncated (${(e as Error).message})`, file, fix);
    }
  }
  return parseIdx(bytes, file, fix);
}

/** Serialises a uint8 array as IDX (the inverse of parseIdx). */
export function encodeIdx(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new DataError(`encodeIdx: shape ${JSON.stringify(shape)} needs ${n} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + n);
  out[2] = UBYTE;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
