/**
 * The offline multimodal benchmark IMP-Offline-1 (datasets/README.md): real images, video made
 * from real digits, synthesised speech and captions, behind one DataSource contract.
 *
 * @example
 * ```ts
 * import { data } from 'imp-lab';
 * const mnist = data.openDataSource('mnist');            // throws a DataError if not built
 * const b = mnist.batch({ split: 'train', batchSize: 8, seed: 1 });
 * b.image!.shape; // [8, 1, 28, 28, 1]
 * b.text!.shape;  // [8, 16]
 * ```
 */
import { Registry } from '../core/registry';
import { openFashionMnist, openMnist, type SourceOptions } from './idx-images';
import { openMovingMnist, openMovingMnistAv } from './moving-mnist';
import { openOpenmoji } from './openmoji';
import { openSpokenDigits, openSpokenFashion } from './spoken';
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
export { SpokenSource, SpokenStore, spokenStore, type SpokenOptions, type SpokenSet } from './spoken';
export { OpenmojiSource, type OpenmojiOptions } from './openmoji';
export { MovingMnistSource, type MovingMnistOptions } from './moving-mnist';
export { drawMotion, renderClip, positionAt, DIRECTION_STEPS, type Motion, type MotionOptions } from './moving';
export {
  logMel, melFilterbank, melCentres, hzToMel, melToHz, normaliseLogMel, resampleFrames, frameCount, samplesForFrames,
  AUDIO_SAMPLE_RATE, AUDIO_N_FFT, AUDIO_HOP, AUDIO_MEL_BINS, AUDIO_LOG_MEAN, AUDIO_LOG_STD,
} from './logmel';
export { parseWav, resample, type Waveform } from './wav';
export { loadVideoFile, loadAudioFile, decodeAudioFile, type VideoFileOptions, type AudioFileOptions } from './files';
export { requireProgram, APT_PACKAGE } from './programs';
export { epochBatches, isIndexed, type IndexedSource } from './epoch';

/** Options every registered source accepts. */
export type DataSourceOptions = SourceOptions & Record<string, unknown>;

/** The benchmark's sources by name. Each factory checks the build and throws a DataError if a part is missing. */
export const dataSources = new Registry<(opts?: DataSourceOptions) => DataSource>('data source');
dataSources.register('mnist', (o) => openMnist(o));
dataSources.register('fashion-mnist', (o) => openFashionMnist(o));
dataSources.register('openmoji', (o) => openOpenmoji(o as never));
dataSources.register('spoken-digits', (o) => openSpokenDigits(o));
dataSources.register('spoken-fashion', (o) => openSpokenFashion(o));
dataSources.register('moving-mnist', (o) => openMovingMnist(o));
dataSources.register('moving-mnist-av', (o) => openMovingMnistAv(o));

/**
 * Opens a registered source. Unknown names are a RegistryError listing the known ones; a missing
 * build is a DataError naming the part and the command to build it (`imp-lab data build`).
 */
export function openDataSource(name: string, opts?: DataSourceOptions): DataSource {
  return dataSources.get(name)(opts);
}
