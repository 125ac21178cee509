/**
 * The contract between data sources and the model/trainer. Sources produce host arrays (typed
 * arrays + shapes), never tensors: the trainer turns them into tensors inside its `tf.tidy`, so
 * no data path can leak tensors and every backend sees the same bytes.
 */

/** The modalities IMP encodes. Images and videos share the vision embedder. */
export const MODALITIES = ['image', 'video', 'audio', 'text'] as const;
export type Modality = (typeof MODALITIES)[number];

/** A host-side array with its shape (row-major). */
export interface HostArray<A extends Float32Array | Int32Array = Float32Array | Int32Array> {
  data: A;
  shape: number[];
}

/**
 * One batch for one task. Field layouts:
 * - `image`, `video`: float32 [B, T, H, W, C], values in [0, 1] (T = 1 for still images).
 * - `audio`: float32 [B, T, F] log-mel spectrogram (T frames x F mel bins), roughly unit scale.
 * - `text`: int32 [B, L] token ids (0 = padding), or [B, P, L] when a sample has P captions
 *   (MIL-NCE positives). Padding tokens are masked out of attention and pooling.
 * - `labels`: int32 [B] class ids, or float32 [B, K] multi-label targets (normalised by the loss).
 * - `ids`: optional stable sample ids, for retrieval evaluation and token-routing drill-downs.
 */
export interface HostBatch {
  image?: HostArray<Float32Array>;
  video?: HostArray<Float32Array>;
  audio?: HostArray<Float32Array>;
  text?: HostArray<Int32Array>;
  labels?: HostArray<Int32Array | Float32Array>;
  ids?: string[];
}

/** Which split a batch comes from. */
export type Split = 'train' | 'validation' | 'test';

/** What a task asks a source for at one step. */
export interface BatchRequest {
  split: Split;
  batchSize: number;
  /** Seed for this batch's draw; the same seed gives the same batch. */
  seed: number;
  /** Vision resolution [H, W] and frames; audio frames; text max length. Missing = source default. */
  resolution?: [number, number];
  frames?: number;
  audioFrames?: number;
  textLength?: number;
}

/** Text <-> token ids. Id 0 is padding; ids are < vocabSize. */
export interface Tokenizer {
  readonly vocabSize: number;
  encode(text: string, maxLength: number): Int32Array;
  decode?(ids: ArrayLike<number>): string;
}

/**
 * A dataset the AGD tasks draw from. `modalities` lists the fields its batches carry.
 * `classNames` and `prompts` make zero-shot classification possible.
 */
export interface DataSource {
  readonly name: string;
  readonly description: string;
  /** True for generated stand-ins (smoke tests); results on them are never presented as real. */
  readonly synthetic: boolean;
  readonly modalities: readonly Modality[];
  readonly classNames?: readonly string[];
  /** Text prompts for class i (zero-shot), e.g. ["a handwritten seven", ...]. */
  prompts?(classIndex: number): string[];
  readonly tokenizer?: Tokenizer;
  size(split: Split): number;
  batch(req: BatchRequest): HostBatch;
}
