/**
 * 'moving-mnist' (video + text + labels) and 'moving-mnist-av' (video + spoken digit + text +
 * labels): clips generated on the fly from real MNIST digits (see moving.ts). Classes are
 * digit x direction, class = digit * 4 + direction (up, down, left, right).
 *
 * Zero-shot: the classes in `zeroShotClasses` never occur in train or validation batches, so
 * their captions are never seen in training; the test split has all 40 classes by default
 * (`testClasses: 'zero-shot'` gives only the held-out ones, `'seen'` only the others).
 * Video is [B, T, H, W, 1]: rendered on a `canvas` x `canvas` square, then resampled to the
 * requested resolution. The AV source pairs each clip with a spoken utterance of the same digit
 * (espeak-ng for train/validation, flite for test: see spoken.ts).
 */
import { ConfigError, DataError } from '../core/errors';
import { DIGIT_NAMES, DIRECTIONS, movingClassNames, movingPrompts, ZERO_SHOT_CLASSES } from './captions';
import { checkCaptionsPerSample, encodeCaptions, IdxImageSource, openMnist, pickCaptions } from './idx-images';
import { resampleInto } from './image';
import { requirePart, resolveDataDir } from './manifest';
import { checkMotion, drawMotion, renderClip, type MotionOptions } from './moving';
import { batchRng, resolveRequest } from './request';
import { spokenSplitKey, spokenStore } from './spoken';
import { benchmarkTokenizer, type WordTokenizer } from './tokenizer';
import type { BatchRequest, DataSource, HostBatch, Modality, Split } from './types';

export interface MovingMnistOptions {
  dir?: string;
  /** Canvas side the digit moves on (default 64). */
  canvas?: number;
  /** Pixels per frame on the canvas (default 3). */
  speed?: number;
  /** Default frames when a request gives none (default 8). */
  frames?: number;
  /** Which classes the test split draws: 'all' (default), 'zero-shot' or 'seen'. */
  testClasses?: 'all' | 'zero-shot' | 'seen';
  captionsPerSample?: number;
  /** AV only: voices of the test split's speech, 'flite' (default) or 'espeak'. */
  testVoices?: 'flite' | 'espeak';
}

export class MovingMnistSource implements DataSource {
  readonly synthetic = false; // real digits; the motion is synthetic (see the dataset card)
  readonly modalities: readonly Modality[];
  readonly classNames = movingClassNames();
  readonly zeroShotClasses: readonly number[] = ZERO_SHOT_CLASSES;
  readonly tokenizer: WordTokenizer;
  readonly description: string;
  private readonly dir: string;
  private readonly mnist: IdxImageSource;
  private readonly canvas: number;
  private readonly speed: number;
  private readonly frames: number;
  private readonly testClasses: 'all' | 'zero-shot' | 'seen';
  private readonly testVoices: 'flite' | 'espeak';
  private readonly perSample: number;
  private readonly byDigit = new Map<Split, Int32Array[]>();

  constructor(readonly name: 'moving-mnist' | 'moving-mnist-av', opts: MovingMnistOptions = {}) {
    this.dir = resolveDataDir(opts.dir);
    requirePart(this.dir, 'moving-mnist');
    if (name === 'moving-mnist-av') requirePart(this.dir, 'spoken');
    this.mnist = openMnist({ dir: this.dir });
    this.tokenizer = benchmarkTokenizer(this.dir);
    this.canvas = opts.canvas ?? 64;
    this.speed = opts.speed ?? 3;
    this.frames = opts.frames ?? 8;
    checkMotion({ canvas: this.canvas, frames: this.frames, speed: this.speed }, name);
    this.testClasses = opts.testClasses ?? 'all';
    if (!['all', 'zero-shot', 'seen'].includes(this.testClasses)) throw new ConfigError(`${name}.testClasses`, opts.testClasses, '"all" | "zero-shot" | "seen"');
    this.testVoices = opts.testVoices ?? 'flite';
    if (!['flite', 'espeak'].includes(this.testVoices)) throw new ConfigError(`${name}.testVoices`, opts.testVoices, '"flite" | "espeak"');
    this.perSample = checkCaptionsPerSample(name, opts.captionsPerSample, movingPrompts(0).length);
    this.modalities = name === 'moving-mnist' ? ['video', 'text'] : ['video', 'audio', 'text'];
    this.description = name === 'moving-mnist'
      ? 'moving real MNIST digits (digit x direction, 40 classes; 5 zero-shot classes held out of training)'
      : 'moving MNIST digits paired with the digit spoken (espeak-ng train, flite test)';
  }

  prompts(classIndex: number): string[] {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= 40) throw new ConfigError(`${this.name}.prompts(classIndex)`, classIndex, 'an integer in 0..39');
    return movingPrompts(classIndex);
  }

  /** Classes a split draws from: training never sees the zero-shot ones. */
  classesOf(split: Split): number[] {
    const all = this.classNames.map((_, i) => i);
    const seen = all.filter((c) => !this.zeroShotClasses.includes(c));
    if (split !== 'test' || this.testClasses === 'seen') return seen;
    return this.testClasses === 'zero-shot' ? [...this.zeroShotClasses] : all;
  }

  size(split: Split): number {
    return this.mnist.size(split);
  }

  private digitIndex(split: Split): Int32Array[] {
    let lists = this.byDigit.get(split);
    if (!lists) {
      const labels = this.mnist.splitData(split).labels.data;
      const counts = new Array(10).fill(0);
      for (const l of labels) counts[l]++;
      lists = counts.map((c) => new Int32Array(c));
      const fill = new Array(10).fill(0);
      labels.forEach((l, i) => (lists![l][fill[l]++] = i));
      this.byDigit.set(split, lists);
    }
    return lists;
  }

  batch(req: BatchRequest): HostBatch {
    const store = this.name === 'moving-mnist-av' ? spokenStore(this.dir) : undefined;
    const r = resolveRequest(this.name, req, {
      resolution: [this.canvas, this.canvas], frames: this.frames, audioFrames: store?.frames ?? 1, textLength: 16,
    });
    const motion: MotionOptions = { canvas: this.canvas, frames: r.frames, speed: this.speed };
    checkMotion(motion, this.name);
    const images = this.mnist.splitData(r.split).images;
    const lists = this.digitIndex(r.split);
    const classes = this.classesOf(r.split);
    const audioRows = store ? DIGIT_NAMES.map((_, d) => store.rows('digits', spokenSplitKey(r.split, this.testVoices), d)) : [];
    const rng = batchRng(this.name, r.split, r.seed);
    const aug = r.split === 'train' ? batchRng(`${this.name}/augment`, r.split, r.seed) : undefined;
    const B = r.batchSize;
    const { height: H, width: W, frames: T } = r;
    const video = new Float32Array(B * T * H * W);
    const clip = H === this.canvas && W === this.canvas ? undefined : new Float32Array(T * this.canvas * this.canvas);
    const F = store?.melBins ?? 0;
    const audio = store ? new Float32Array(B * r.audioFrames * F) : undefined;
    const labels = new Int32Array(B);
    const captions: string[][] = [];
    const ids: string[] = [];
    for (let b = 0; b < B; b++) {
      const cls = classes[rng.int(classes.length)];
      const digit = Math.floor(cls / DIRECTIONS.length);
      const list = lists[digit];
      if (list.length === 0) throw new DataError(`split "${r.split}" has no image of digit ${digit}`, `${this.dir}/mnist`);
      const i = list[rng.int(list.length)];
      const m = drawMotion(rng, cls % DIRECTIONS.length, motion);
      if (clip) {
        renderClip(images.data, i * 784, m, motion, clip, 0);
        for (let t = 0; t < T; t++) {
          resampleInto(clip, this.canvas, this.canvas, 1, video, (b * T + t) * H * W, H, W, 1, t * this.canvas * this.canvas);
        }
      } else {
        renderClip(images.data, i * 784, m, motion, video, b * T * H * W);
      }
      if (store && audio) {
        const rows = audioRows[digit];
        if (rows.length === 0) throw new DataError(`no spoken "${DIGIT_NAMES[digit]}" in split ${r.split}`, `${this.dir}/spoken`);
        const e = rows[rng.int(rows.length)];
        store.write(e.synth, e.row, audio, b * r.audioFrames * F, r.audioFrames, aug);
        ids.push(`moving/${r.split}/${i}/${cls}+spoken/${e.synth}/${e.row}`);
      } else {
        ids.push(`moving/${r.split}/${i}/${cls}`);
      }
      labels[b] = cls;
      captions.push(pickCaptions(movingPrompts(cls), this.perSample, rng));
    }
    const out: HostBatch = {
      video: { data: video, shape: [B, T, H, W, 1] }, // [B, T, H, W, C=1]
      text: encodeCaptions(this.tokenizer, captions, this.perSample, r.textLength),
      labels: { data: labels, shape: [B] },
      ids,
    };
    if (audio) out.audio = { data: audio, shape: [B, r.audioFrames, F] }; // [B, T_audio, F]
    return out;
  }
}

export const openMovingMnist = (o?: MovingMnistOptions): MovingMnistSource => new MovingMnistSource('moving-mnist', o);
export const openMovingMnistAv = (o?: MovingMnistOptions): MovingMnistSource => new MovingMnistSource('moving-mnist-av', o);
