/**
 * MNIST and Fashion-MNIST as DataSources: 28x28 grey images [B, 1, H, W, 1] in [0, 1], a
 * templated caption per image and the class label. Images stay uint8 in memory (one copy of
 * the split, read once); each batch converts only the images it draws.
 */
import { ConfigError } from '../core/errors';
import { digitPrompts, DIGIT_NAMES, FASHION_NAMES, fashionPrompts } from './captions';
import { parseIdx, type IdxArray } from './idx';
import { readVerified, requirePart, resolveDataDir, type PartName } from './manifest';
import { resampleInto } from './image';
import { batchRng, resolveRequest } from './request';
import { benchmarkTokenizer, type WordTokenizer } from './tokenizer';
import type { BatchRequest, DataSource, HostBatch, Modality, Split } from './types';

/** Options shared by the labelled sources. */
export interface SourceOptions {
  /** Build folder; default `<repo>/data` or env IMP_DATA_DIR. */
  dir?: string;
  /** Captions per sample: 1 gives text [B, L]; P > 1 gives [B, P, L] (distinct templates). */
  captionsPerSample?: number;
}

interface SplitData {
  images: IdxArray;
  labels: IdxArray;
}

/** Encodes P captions per sample into a [B, L] or [B, P, L] int32 array. */
export function encodeCaptions(tok: WordTokenizer, captions: string[][], perSample: number, L: number): { data: Int32Array; shape: number[] } {
  const B = captions.length;
  const data = new Int32Array(B * perSample * L);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < perSample; p++) data.set(tok.encode(captions[b][p], L), (b * perSample + p) * L);
  }
  return { data, shape: perSample === 1 ? [B, L] : [B, perSample, L] };
}

/** Picks `count` distinct templates (seeded) from a prompt list. */
export function pickCaptions(prompts: string[], count: number, rng: { int(n: number): number }): string[] {
  const order = prompts.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: count }, (_, k) => prompts[order[k % order.length]]);
}

export function checkCaptionsPerSample(name: string, v: unknown, max: number): number {
  const p = v ?? 1;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > max) {
    throw new ConfigError(`${name}.captionsPerSample`, v, `an integer in 1..${max}`);
  }
  return p;
}

/** A labelled 28x28 grey-image source backed by a built IDX part. */
export class IdxImageSource implements DataSource {
  readonly synthetic = false;
  readonly modalities: readonly Modality[] = ['image', 'text'];
  readonly tokenizer: WordTokenizer;
  private readonly dir: string;
  private readonly perSample: number;
  private readonly cache = new Map<Split, SplitData>();

  constructor(
    readonly name: PartName,
    readonly description: string,
    readonly classNames: readonly string[],
    private readonly promptFn: (i: number) => string[],
    opts: SourceOptions = {},
  ) {
    this.dir = resolveDataDir(opts.dir);
    requirePart(this.dir, name); // fail at open, not at the first batch
    this.tokenizer = benchmarkTokenizer(this.dir);
    this.perSample = checkCaptionsPerSample(name, opts.captionsPerSample, promptFn(0).length);
  }

  prompts(classIndex: number): string[] {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= this.classNames.length) {
      throw new ConfigError(`${this.name}.prompts(classIndex)`, classIndex, `an integer in 0..${this.classNames.length - 1}`);
    }
    return this.promptFn(classIndex);
  }

  /** The split's uint8 images [N, 28, 28] and labels [N] (hash-checked on first use). */
  splitData(split: Split): SplitData {
    let d = this.cache.get(split);
    if (!d) {
      const img = `${this.name}/${split}-images.idx`;
      const lab = `${this.name}/${split}-labels.idx`;
      d = {
        images: parseIdx(readVerified(this.dir, this.name, img), img),
        labels: parseIdx(readVerified(this.dir, this.name, lab), lab),
      };
      this.cache.set(split, d);
    }
    return d;
  }

  size(split: Split): number {
    const rec = requirePart(this.dir, this.name).splits[split];
    return rec ? rec.count : 0;
  }

  batch(req: BatchRequest): HostBatch {
    const r = resolveRequest(this.name, req, { resolution: [28, 28], frames: 1, audioFrames: 1, textLength: 16 });
    const n = this.splitData(r.split).images.shape[0];
    const rng = batchRng(this.name, r.split, r.seed);
    const positions = Array.from({ length: r.batchSize }, () => rng.int(n));
    return this.batchAt(r.split, positions, req, rng);
  }

  /**
   * The images at `positions` (0 .. size(split) - 1), in that order, for exhaustive evaluation.
   * Captions are drawn from `rng` (default: seeded by req.seed).
   */
  batchAt(split: Split, positions: readonly number[], req: Partial<BatchRequest> = {}, rng = batchRng(`${this.name}/at`, split, req.seed ?? 0)): HostBatch {
    const r = resolveRequest(this.name, { seed: 0, ...req, split, batchSize: Math.max(1, positions.length) }, { resolution: [28, 28], frames: 1, audioFrames: 1, textLength: 16 });
    const { images, labels } = this.splitData(r.split);
    const [n, h0, w0] = images.shape;
    const B = positions.length;
    const pix = r.height * r.width;
    const image = new Float32Array(B * pix);
    const lab = new Int32Array(B);
    const captions: string[][] = [];
    const ids: string[] = [];
    for (let b = 0; b < B; b++) {
      const i = positions[b];
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new ConfigError(`${this.name}.batchAt(positions)`, i, `integers in 0..${n - 1}`);
      resampleInto(images.data, h0, w0, 1, image, b * pix, r.height, r.width, 1 / 255, i * h0 * w0);
      lab[b] = labels.data[i];
      captions.push(pickCaptions(this.promptFn(lab[b]), this.perSample, rng));
      ids.push(`${this.name}/${r.split}/${i}`);
    }
    return {
      image: { data: image, shape: [B, 1, r.height, r.width, 1] }, // [B, T=1, H, W, C=1]
      text: encodeCaptions(this.tokenizer, captions, this.perSample, r.textLength),
      labels: { data: lab, shape: [B] },
      ids,
    };
  }
}

export function openMnist(opts?: SourceOptions): IdxImageSource {
  return new IdxImageSource('mnist', 'MNIST handwritten digits (real), templated captions', DIGIT_NAMES, digitPrompts, opts);
}

export function openFashionMnist(opts?: SourceOptions): IdxImageSource {
  return new IdxImageSource('fashion-mnist', 'Fashion-MNIST clothing photos (real), templated captions', FASHION_NAMES, fashionPrompts, opts);
}
