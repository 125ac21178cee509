/**
 * 'openmoji': emoji images with real human-written captions (the image-text retrieval set).
 * Images are RGB [B, 1, H, W, 3] in [0, 1], composited on white. Text is one caption per image,
 * "<name>, <tags>" (e.g. "grinning face, cheerful, cheery, face, grin, ..."), or with
 * `captionsPerSample: 3` the name, the tags and the "group, subgroup" as [B, 3, L]. Labels are
 * the emoji's OpenMoji group (12 classes). The test split is fixed by a hash of each hexcode.
 */
import { ConfigError } from '../core/errors';
import { checkCaptionsPerSample, encodeCaptions } from './idx-images';
import { resampleInto } from './image';
import { readVerified, requirePart, resolveDataDir } from './manifest';
import { batchRng, resolveRequest } from './request';
import { benchmarkTokenizer, type WordTokenizer } from './tokenizer';
import type { BatchRequest, DataSource, HostBatch, Modality, Split } from './types';

interface Entry {
  hexcode: string;
  annotation: string;
  label: number;
  split: Split;
  captions: string[];
}

export interface OpenmojiOptions {
  dir?: string;
  /** 1 (default): "<name>, <tags>" as [B, L]; 3: name, tags, group as [B, 3, L]. */
  captionsPerSample?: 1 | 3;
}

export class OpenmojiSource implements DataSource {
  readonly name = 'openmoji';
  readonly description = 'OpenMoji 17 emoji (real artwork) with their human-written names and tags; 12 groups';
  readonly synthetic = false;
  readonly modalities: readonly Modality[] = ['image', 'text'];
  readonly classNames: readonly string[];
  readonly tokenizer: WordTokenizer;
  private readonly dir: string;
  private readonly size0: number;
  private readonly perSample: number;
  private data?: { images: Uint8Array; entries: Entry[]; bySplit: Map<Split, number[]> };

  constructor(opts: OpenmojiOptions = {}) {
    this.dir = resolveDataDir(opts.dir);
    const rec = requirePart(this.dir, 'openmoji');
    this.classNames = rec.classNames ?? [];
    this.size0 = rec.meta?.size as number;
    this.tokenizer = benchmarkTokenizer(this.dir);
    this.perSample = checkCaptionsPerSample('openmoji', opts.captionsPerSample, 3);
    if (this.perSample === 2) throw new ConfigError('openmoji.captionsPerSample', 2, '1 | 3');
  }

  private load() {
    if (!this.data) {
      const images = readVerified(this.dir, 'openmoji', 'openmoji/images.u8');
      const entries = JSON.parse(readVerified(this.dir, 'openmoji', 'openmoji/index.json').toString('utf8')) as Entry[];
      const bySplit = new Map<Split, number[]>();
      entries.forEach((e, i) => {
        if (!bySplit.has(e.split)) bySplit.set(e.split, []);
        bySplit.get(e.split)!.push(i);
      });
      this.data = { images, entries, bySplit };
    }
    return this.data;
  }

  prompts(classIndex: number): string[] {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= this.classNames.length) {
      throw new ConfigError('openmoji.prompts(classIndex)', classIndex, `an integer in 0..${this.classNames.length - 1}`);
    }
    const g = this.classNames[classIndex].replace(/-/g, ' ');
    return [`an emoji of ${g}`, `${g} emoji`, `an icon from the ${g} group`];
  }

  size(split: Split): number {
    return requirePart(this.dir, 'openmoji').splits[split]?.count ?? 0;
  }

  /** The split's emoji in a fixed order (hexcode order of OpenMoji), for exhaustive retrieval evaluation. */
  indices(split: Split): readonly number[] {
    return this.load().bySplit.get(split) ?? [];
  }

  batch(req: BatchRequest): HostBatch {
    const r = resolveRequest(this.name, req, { resolution: [this.size0, this.size0], frames: 1, audioFrames: 1, textLength: 16 });
    const n = this.indices(r.split).length;
    const rng = batchRng(this.name, r.split, r.seed);
    return this.batchAt(r.split, Array.from({ length: r.batchSize }, () => rng.int(n)), req);
  }

  /**
   * The samples at `positions` (0 .. size(split) - 1) of a split, in that order: lets an evaluator
   * walk the whole test split exactly once. Shape options come from `req`.
   */
  batchAt(split: Split, positions: readonly number[], req: Partial<BatchRequest> = {}): HostBatch {
    const r = resolveRequest(this.name, { seed: 0, ...req, split, batchSize: Math.max(1, positions.length) }, { resolution: [this.size0, this.size0], frames: 1, audioFrames: 1, textLength: 16 });
    const { images, entries } = this.load();
    const order = this.indices(split);
    const rows = positions.map((p) => {
      if (!Number.isInteger(p) || p < 0 || p >= order.length) throw new ConfigError('openmoji.batchAt(positions)', p, `integers in 0..${order.length - 1}`);
      return order[p];
    });
    const B = rows.length;
    const S = this.size0;
    const pix = r.height * r.width * 3;
    const image = new Float32Array(B * pix);
    const labels = new Int32Array(B);
    const captions: string[][] = [];
    const ids: string[] = [];
    rows.forEach((row, b) => {
      const e = entries[row];
      resampleInto(images, S, S, 3, image, b * pix, r.height, r.width, 1 / 255, row * S * S * 3);
      labels[b] = e.label;
      captions.push(this.perSample === 1 ? [`${e.captions[0]}, ${e.captions[1]}`] : e.captions);
      ids.push(`openmoji/${e.hexcode}`);
    });
    return {
      image: { data: image, shape: [B, 1, r.height, r.width, 3] }, // [B, T=1, H, W, C=3]
      text: encodeCaptions(this.tokenizer, captions, this.perSample, r.textLength),
      labels: { data: labels, shape: [B] },
      ids,
    };
  }
}

export const openOpenmoji = (o?: OpenmojiOptions): OpenmojiSource => new OpenmojiSource(o);
