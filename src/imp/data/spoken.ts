/**
 * Spoken words as DataSources: 'spoken-digits' (zero..nine) and 'spoken-fashion' (the Fashion-MNIST
 * class names). Audio is a log-mel spectrogram [B, T, F], normalised (see logmel.ts).
 *
 * Splits: train and validation are espeak-ng voices. **test is the flite synthesiser**, a voice
 * family never heard in training (the unseen-voice test); `testVoices: 'espeak'` gives instead
 * held-out espeak-ng utterances, so a notebook can report both numbers side by side.
 *
 * Training batches are augmented on the fly in the log-mel domain (seeded): a time shift of up to
 * ±4 frames, a gain of ±5 dB, and additive noise 20-40 dB below the utterance's loudest bin.
 */
import { ConfigError, DataError } from '../core/errors';
import type { Rng } from '../core/rng';
import { DIGIT_NAMES, FASHION_NAMES, spokenPrompts } from './captions';
import { checkCaptionsPerSample, encodeCaptions, pickCaptions } from './idx-images';
import { AUDIO_LOG_MEAN, AUDIO_LOG_STD, LOG_MEL_SILENCE, resampleFrames } from './logmel';
import { readVerified, requirePart, resolveDataDir } from './manifest';
import { batchRng, resolveRequest } from './request';
import { benchmarkTokenizer, type WordTokenizer } from './tokenizer';
import type { BatchRequest, DataSource, HostBatch, Modality, Split } from './types';

export type SpokenSet = 'digits' | 'fashion';

interface Entry {
  set: SpokenSet;
  label: number;
  word: string;
  voice: string;
  split: string;
}

/** The spoken part of one build, loaded once: log-mels of both synthesisers and their index. */
export class SpokenStore {
  readonly frames: number;
  readonly melBins: number;
  private readonly mels: Record<'espeak' | 'flite', Float32Array> = {} as never;
  private readonly entries: Record<'espeak' | 'flite', Entry[]> = {} as never;

  constructor(readonly dir: string) {
    const rec = requirePart(dir, 'spoken');
    this.frames = rec.meta?.frames as number;
    this.melBins = rec.meta?.melBins as number;
    for (const synth of ['espeak', 'flite'] as const) {
      const bin = readVerified(dir, 'spoken', `spoken/${synth}.f32`);
      // Copy into an aligned buffer: a Buffer's offset into Node's pool need not be 4-aligned.
      const f = new Float32Array(bin.byteLength / 4);
      new Uint8Array(f.buffer).set(bin);
      this.mels[synth] = f;
      this.entries[synth] = JSON.parse(readVerified(dir, 'spoken', `spoken/${synth}.json`).toString('utf8')) as Entry[];
      if (this.entries[synth].length * this.frames * this.melBins !== f.length) {
        throw new DataError(`has ${f.length} floats for ${this.entries[synth].length} utterances of ${this.frames}x${this.melBins}`, `${dir}/spoken/${synth}.f32`);
      }
    }
  }

  /** Rows (synth, index) of one set and split key ('train' | 'validation' | 'test-espeak' | 'test-flite'). */
  rows(set: SpokenSet, split: string, label?: number): Array<{ synth: 'espeak' | 'flite'; row: number; label: number; word: string }> {
    const synth = split === 'test-flite' ? 'flite' : 'espeak';
    const out: Array<{ synth: 'espeak' | 'flite'; row: number; label: number; word: string }> = [];
    this.entries[synth].forEach((e, row) => {
      if (e.set === set && e.split === split && (label === undefined || e.label === label)) out.push({ synth, row, label: e.label, word: e.word });
    });
    return out;
  }

  /**
   * Writes utterance `row` as a normalised [T, F] log-mel into `out` at `offset`, augmented when
   * `aug` is given. T != stored frames resamples along time.
   */
  write(synth: 'espeak' | 'flite', row: number, out: Float32Array, offset: number, T: number, aug?: Rng): void {
    const F = this.melBins;
    const T0 = this.frames;
    const src = this.mels[synth].subarray(row * T0 * F, (row + 1) * T0 * F);
    let x: Float32Array = src;
    if (aug) {
      x = new Float32Array(T0 * F);
      const shift = aug.int(9) - 4;
      const gain = (aug.next() * 2 - 1) * 0.5; // log10 power units: +-0.5 = +-5 dB
      let peak = -Infinity;
      for (const v of src) peak = Math.max(peak, v);
      const noise = aug.next() < 0.8 ? peak + gain - 2 - 2 * aug.next() : -Infinity;
      for (let t = 0; t < T0; t++) {
        const st = t - shift;
        for (let k = 0; k < F; k++) {
          let v = st >= 0 && st < T0 ? src[st * F + k] + gain : LOG_MEL_SILENCE;
          if (noise > -Infinity) v = Math.log10(10 ** v + 10 ** (noise + 0.15 * aug.normal()));
          x[t * F + k] = v;
        }
      }
    }
    resampleFrames(x, T0, F, T, out, offset);
    for (let i = offset; i < offset + T * F; i++) out[i] = (out[i] - AUDIO_LOG_MEAN) / AUDIO_LOG_STD;
  }
}

const stores = new Map<string, SpokenStore>();
/** The process-wide store of a build folder (loaded on first use). */
export function spokenStore(dir: string): SpokenStore {
  const key = `${dir}:${requirePart(dir, 'spoken').files['spoken/espeak.f32']?.sha256}`;
  let s = stores.get(key);
  if (!s) {
    s = new SpokenStore(dir);
    stores.set(key, s);
  }
  return s;
}

export interface SpokenOptions {
  dir?: string;
  /** Which voices form the test split: 'flite' (default, unseen synthesiser) or 'espeak' (held-out espeak-ng utterances). */
  testVoices?: 'flite' | 'espeak';
  /** On-the-fly augmentation of training batches (default true). */
  augment?: boolean;
  captionsPerSample?: number;
}

/** Split key in the spoken index for a source split. */
export function spokenSplitKey(split: Split, testVoices: 'flite' | 'espeak'): string {
  return split === 'test' ? `test-${testVoices}` : split;
}

export class SpokenSource implements DataSource {
  readonly synthetic = false;
  readonly modalities: readonly Modality[] = ['audio', 'text'];
  readonly tokenizer: WordTokenizer;
  readonly classNames: readonly string[];
  private readonly dir: string;
  private readonly testVoices: 'flite' | 'espeak';
  private readonly augment: boolean;
  private readonly perSample: number;

  constructor(readonly name: string, readonly set: SpokenSet, readonly description: string, opts: SpokenOptions = {}) {
    this.dir = resolveDataDir(opts.dir);
    requirePart(this.dir, 'spoken');
    this.tokenizer = benchmarkTokenizer(this.dir);
    this.classNames = set === 'digits' ? DIGIT_NAMES : FASHION_NAMES;
    const tv = opts.testVoices ?? 'flite';
    if (tv !== 'flite' && tv !== 'espeak') throw new ConfigError(`${name}.testVoices`, tv, '"flite" | "espeak"');
    this.testVoices = tv;
    this.augment = opts.augment ?? true;
    this.perSample = checkCaptionsPerSample(name, opts.captionsPerSample, 3);
  }

  prompts(classIndex: number): string[] {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= 10) throw new ConfigError(`${this.name}.prompts(classIndex)`, classIndex, 'an integer in 0..9');
    return spokenPrompts(this.classNames[classIndex]);
  }

  size(split: Split): number {
    return requirePart(this.dir, 'spoken').splits[`${this.set}/${spokenSplitKey(split, this.testVoices)}`]?.count ?? 0;
  }

  batch(req: BatchRequest): HostBatch {
    const store = spokenStore(this.dir);
    const r = resolveRequest(this.name, req, { resolution: [1, 1], frames: 1, audioFrames: store.frames, textLength: 16 });
    const rows = store.rows(this.set, spokenSplitKey(r.split, this.testVoices));
    if (rows.length === 0) throw new DataError(`split "${r.split}" of ${this.name} is empty in this build`, `${this.dir}/spoken`);
    const rng = batchRng(this.name, r.split, r.seed);
    // A separate stream, so turning augmentation off leaves the drawn utterances unchanged.
    const aug = this.augment && r.split === 'train' ? batchRng(`${this.name}/augment`, r.split, r.seed) : undefined;
    const B = r.batchSize;
    const F = store.melBins;
    const audio = new Float32Array(B * r.audioFrames * F);
    const labels = new Int32Array(B);
    const captions: string[][] = [];
    const ids: string[] = [];
    for (let b = 0; b < B; b++) {
      const e = rows[rng.int(rows.length)];
      store.write(e.synth, e.row, audio, b * r.audioFrames * F, r.audioFrames, aug);
      labels[b] = e.label;
      captions.push(pickCaptions(spokenPrompts(e.word), this.perSample, rng));
      ids.push(`spoken/${e.synth}/${e.row}`);
    }
    return {
      audio: { data: audio, shape: [B, r.audioFrames, F] }, // [B, T, F]
      text: encodeCaptions(this.tokenizer, captions, this.perSample, r.textLength),
      labels: { data: labels, shape: [B] },
      ids,
    };
  }
}

export const openSpokenDigits = (o?: SpokenOptions): SpokenSource =>
  new SpokenSource('spoken-digits', 'digits', 'spoken digit words: espeak-ng voices (train/validation), flite voices (test, unseen synthesiser)', o);
export const openSpokenFashion = (o?: SpokenOptions): SpokenSource =>
  new SpokenSource('spoken-fashion', 'fashion', 'spoken Fashion-MNIST class names: espeak-ng (train/validation), flite (test, unseen synthesiser)', o);
