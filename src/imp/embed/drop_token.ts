/**
 * DropToken (IMP.md "Compute tricks"): keep a random subset of each example's tokens before the
 * encoder. Every example keeps the same count so the batch stays rectangular; the kept indices
 * are sorted so tokens keep their order, and their original grid positions feed the positional
 * lookup.
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';

/**
 * Kept token indices, [B * K] row-major, with K = max(1, round(N * (1 - rate))).
 *
 * @example
 * ```ts
 * const { kept, k } = dropTokenIndices(2, 8, 0.75, new Rng(0)); // k = 2, kept.length = 4
 * ```
 */
export function dropTokenIndices(batch: number, n: number, rate: number, rng: Rng): { kept: Int32Array; k: number } {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ConfigError('dropToken', rate, 'a number in [0, 1)');
  const k = Math.max(1, Math.round(n * (1 - rate)));
  const kept = new Int32Array(batch * k);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let b = 0; b < batch; b++) {
    rng.shuffle(perm);
    const chosen = perm.slice(0, k).sort((x, y) => x - y);
    kept.set(chosen, b * k);
  }
  return { kept, k };
}

/** Flat row indices b * n + kept[b, j] into a [B * N, ...] array. */
export function flatIndices(kept: Int32Array, batch: number, n: number): Int32Array {
  const k = kept.length / batch;
  const out = new Int32Array(kept.length);
  for (let b = 0; b < batch; b++) for (let j = 0; j < k; j++) out[b * k + j] = b * n + kept[b * k + j];
  return out;
}
