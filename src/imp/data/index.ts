/**
 * The offline multimodal benchmark IMP-Offline-1 (datasets/README.md): real images, video made
 * from real digits, synthesised speech and captions, behind one DataSource contract.
 *
 * @example
 * ```ts
 * import { openDataSource } from 'imp-lab/data';
 * const mnist = openDataSource('mnist');                 // throws a DataError if not built
 * const b = mnist.batch({ split: 'train', batchSize: 8, seed: 1 });
 * b.image!.shape; // [8, 1, 28, 28, 1]
 * b.text!.shape;  // [8, 16]
 * ```
 */
import { Registry } from '../core/registry';
import { openFashionMnist, openMnist, type SourceOptions } from './idx-images';
import type { DataSource } from './types';

export * from './types';
export { parseIdx, readIdxFile, encodeIdx, type IdxArray } from './idx';
export { WordTokenizer, benchmarkTokenizer, words, PAD_ID, UNK_ID } from './tokenizer';
export {
  BENCHMARK_NAME, PARTS, defaultDataDir, resolveDataDir, readManifest, requirePart, readVerified,
  type Manifest, type PartName, type PartRecord, type SplitInfo,
} from './manifest';
export {
  DIGIT_NAMES, FASHION_NAMES, DIRECTIONS, ZERO_SHOT_CLASSES, digitPrompts, fashionPrompts,
  movingPrompts, movingClassNames, movingClass,
} from './captions';
export { IdxImageSource, type SourceOptions } from './idx-images';
export { resampleInto } from './image';

/** Options every registered source accepts. */
export type DataSourceOptions = SourceOptions & Record<string, unknown>;

/** The benchmark's sources by name. Each factory checks the build and throws a DataError if a part is missing. */
export const dataSources = new Registry<(opts?: DataSourceOptions) => DataSource>('data source');
dataSources.register('mnist', (o) => openMnist(o));
dataSources.register('fashion-mnist', (o) => openFashionMnist(o));

/**
 * Opens a registered source. Unknown names are a RegistryError listing the known ones; a missing
 * build is a DataError naming the part and the command to build it (`imp-lab data build`).
 */
export function openDataSource(name: string, opts?: DataSourceOptions): DataSource {
  return dataSources.get(name)(opts);
}
