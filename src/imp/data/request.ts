/**
 * Checks a BatchRequest at a source's entry and fills its defaults, so every source rejects a
 * bad request the same way (ConfigError naming the field, the value and what is allowed).
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import type { BatchRequest, Split } from './types';

export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

export interface ResolvedRequest {
  split: Split;
  batchSize: number;
  seed: number;
  height: number;
  width: number;
  frames: number;
  audioFrames: number;
  textLength: number;
}

export interface RequestDefaults {
  resolution: [number, number];
  frames: number;
  audioFrames: number;
  textLength: number;
}

function posInt(field: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new ConfigError(field, v, `an integer in 1..${max}`);
  }
  return v;
}

export function resolveRequest(source: string, req: BatchRequest, d: RequestDefaults): ResolvedRequest {
  if (!req || typeof req !== 'object') throw new ConfigError(`${source}.batch(req)`, req, 'a BatchRequest object');
  if (!SPLITS.includes(req.split)) throw new ConfigError(`${source}.batch.split`, req.split, SPLITS.map((s) => `"${s}"`).join(' | '));
  if (typeof req.seed !== 'number' || !Number.isFinite(req.seed)) {
    throw new ConfigError(`${source}.batch.seed`, req.seed, 'a finite number');
  }
  const res = req.resolution ?? d.resolution;
  if (!Array.isArray(res) || res.length !== 2) throw new ConfigError(`${source}.batch.resolution`, res, '[height, width]');
  return {
    split: req.split,
    batchSize: posInt(`${source}.batch.batchSize`, req.batchSize, 65536),
    seed: req.seed,
    height: posInt(`${source}.batch.resolution[0]`, res[0], 4096),
    width: posInt(`${source}.batch.resolution[1]`, res[1], 4096),
    frames: posInt(`${source}.batch.frames`, req.frames ?? d.frames, 1024),
    audioFrames: posInt(`${source}.batch.audioFrames`, req.audioFrames ?? d.audioFrames, 16384),
    textLength: posInt(`${source}.batch.textLength`, req.textLength ?? d.textLength, 4096),
  };
}

/**
 * The random stream of one batch: a function of (seed, split, source) only, so the same request
 * always yields the same bytes, and train/test draws with the same seed are unrelated.
 */
export function batchRng(source: string, split: Split, seed: number): Rng {
  let h = 0x811c9dc5;
  for (const ch of `${source}/${split}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng(((Math.floor(seed) >>> 0) ^ h) >>> 0);
}
