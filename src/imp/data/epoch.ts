/**
 * Walking a whole split: exhaustive evaluation (retrieval over the full test set) and epoch-style
 * training on the sources that can address samples by position. Only a permutation of indices is
 * held (4 bytes per sample); the data are converted batch by batch.
 */
import { ConfigError } from '../core/errors';
import { batchRng } from './request';
import type { BatchRequest, DataSource, HostBatch, Split } from './types';

/** A source whose samples can be addressed by position within a split. */
export interface IndexedSource extends DataSource {
  batchAt(split: Split, positions: readonly number[], req?: Partial<BatchRequest>): HostBatch;
}

export function isIndexed(src: DataSource): src is IndexedSource {
  return typeof (src as Partial<IndexedSource>).batchAt === 'function';
}

/**
 * Every sample of a split once, in batches: in order when `seed` is undefined, else in a seeded
 * permutation. The last batch may be smaller.
 *
 * @example
 * ```ts
 * for (const b of epochBatches(openDataSource('openmoji') as IndexedSource, 'test', 64)) evaluate(b);
 * ```
 */
export function* epochBatches(src: IndexedSource, split: Split, batchSize: number, seed?: number, req: Partial<BatchRequest> = {}): Generator<HostBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`${src.name}.epochBatches.batchSize`, batchSize, 'an integer >= 1');
  const n = src.size(split);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (seed !== undefined) {
    const rng = batchRng(`${src.name}/epoch`, split, seed);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  for (let s = 0; s < n; s += batchSize) {
    yield src.batchAt(split, Array.from(order.subarray(s, Math.min(n, s + batchSize))), { ...req, seed: seed ?? 0 });
  }
}
