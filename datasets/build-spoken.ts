/**
 * Part "spoken": the ten digit words and the ten Fashion-MNIST class names, spoken by espeak-ng
 * (train / validation / a held-out espeak test) and by flite (the unseen-synthesiser test),
 * stored as log10 mel spectrograms [N, frames, melBins] float32 (little-endian) + a JSON index.
 */
import * as os from 'node:os';
import { SPOKEN_DIGIT_WORDS, SPOKEN_FASHION_WORDS } from '../src/imp/data/captions';
import {
  AUDIO_HOP, AUDIO_MEL_BINS, AUDIO_N_FFT, AUDIO_SAMPLE_RATE, LOG_MEL_SILENCE, logMel, samplesForFrames,
} from '../src/imp/data/logmel';
import { sha256, type SplitInfo } from '../src/imp/data/manifest';
import { resample, parseWav } from '../src/imp/data/wav';
import type { BuildContext } from './context';
import { PartWriter } from './part-writer';
import { pool, synthesise, voiceGrid, voiceId, type Voice } from './speech';
import { requireProgram } from './tools';

export const SPOKEN_FRAMES = 64; // 64 x 20 ms = 1.29 s, enough for "t-shirt or top" at 130 wpm

export interface Utterance {
  /** 'digits' (label = digit) or 'fashion' (label = Fashion-MNIST class). */
  set: 'digits' | 'fashion';
  label: number;
  word: string;
  voice: string;
  /** 'train' | 'validation' | 'test-espeak' | 'test-flite'. */
  split: string;
  /** Samples cut from a word longer than the window (0 almost always). */
  cropped: number;
}

/** Cuts leading/trailing silence (10 ms frames below -40 dB of the loudest) and centres the word in the window. */
export function fitWord(x: Float32Array, length: number): { y: Float32Array; cropped: number } {
  const win = 160;
  const energies: number[] = [];
  for (let i = 0; i + win <= x.length; i += win) {
    let e = 0;
    for (let k = 0; k < win; k++) e += x[i + k] ** 2;
    energies.push(e);
  }
  const peak = Math.max(...energies, 1e-12);
  let a = energies.findIndex((e) => e > peak * 1e-4);
  let b = energies.length - 1 - [...energies].reverse().findIndex((e) => e > peak * 1e-4);
  if (a < 0) [a, b] = [0, energies.length - 1];
  const word = x.subarray(a * win, Math.min(x.length, (b + 1) * win));
  const y = new Float32Array(length);
  if (word.length <= length) {
    y.set(word, Math.floor((length - word.length) / 2));
    return { y, cropped: 0 };
  }
  const off = Math.floor((word.length - length) / 2);
  y.set(word.subarray(off, off + length));
  return { y, cropped: word.length - length };
}

function espeakSplit(key: string): string {
  const b = parseInt(sha256(key).slice(0, 2), 16) % 10;
  return b === 0 ? 'test-espeak' : b === 1 ? 'validation' : 'train';
}

export async function buildSpoken(ctx: BuildContext): Promise<void> {
  const w = new PartWriter(ctx.out, 'spoken');
  try {
    // Both synthesisers are checked before any work, so a missing one fails in a second.
    requireProgram('espeak-ng');
    requireProgram('flite');
    const grid = voiceGrid(ctx.small);
    const words: Array<{ set: 'digits' | 'fashion'; label: number; word: string }> = [
      ...SPOKEN_DIGIT_WORDS.map((word, label) => ({ set: 'digits' as const, label, word })),
      ...SPOKEN_FASHION_WORDS.map((word, label) => ({ set: 'fashion' as const, label, word })),
    ];
    const length = samplesForFrames(SPOKEN_FRAMES);
    const perFrame = SPOKEN_FRAMES * AUDIO_MEL_BINS;
    const stats = { sum: 0, sumSq: 0, n: 0 };
    const all: Utterance[] = [];
    for (const synth of ['espeak', 'flite'] as const) {
      const jobs: Array<{ voice: Voice; w: (typeof words)[number] }> = [];
      for (const voice of grid[synth]) for (const wd of words) jobs.push({ voice, w: wd });
      const mels = new Float32Array(jobs.length * perFrame);
      const index: Utterance[] = [];
      let last = 0;
      // Synthesis runs in child processes; the log-mel of each result is computed here as it arrives.
      await pool(jobs, Math.max(2, os.cpus().length * 2), async (job, i) => {
        const bytes = await synthesise(job.voice, job.w.word);
        if (ctx.keepWav) w.write(`wav/${synth}-${String(i).padStart(5, '0')}.wav`, bytes);
        const wav = parseWav(bytes, `${voiceId(job.voice)} "${job.w.word}"`);
        const x = resample(wav.samples, wav.sampleRate, AUDIO_SAMPLE_RATE);
        const { y, cropped } = fitWord(x, length);
        const m = logMel(y);
        mels.set(m.data, i * perFrame);
        const split = synth === 'flite' ? 'test-flite' : espeakSplit(`${job.w.set}|${job.w.word}|${voiceId(job.voice)}`);
        index[i] = { set: job.w.set, label: job.w.label, word: job.w.word, voice: voiceId(job.voice), split, cropped };
      }, (n) => {
        if (n - last >= 500 || n === jobs.length) {
          last = n;
          ctx.progress('spoken', `${synth}: ${n}/${jobs.length} utterances`);
        }
      });
      // Statistics in index order (not completion order), so the manifest is byte-identical.
      index.forEach((u, i) => {
        all.push(u);
        if (u.split !== 'train') return;
        for (let k = i * perFrame; k < (i + 1) * perFrame; k++) {
          stats.sum += mels[k];
          stats.sumSq += mels[k] * mels[k];
          stats.n++;
        }
      });
      w.write(`${synth}.f32`, new Uint8Array(mels.buffer));
      w.write(`${synth}.json`, `${JSON.stringify(index)}\n`);
    }
    const mean = stats.sum / stats.n;
    const std = Math.sqrt(stats.sumSq / stats.n - mean * mean);
    const splits: Record<string, SplitInfo> = {};
    for (const u of all) {
      const key = `${u.set}/${u.split}`;
      splits[key] ??= { count: 0, shapes: { audio: [SPOKEN_FRAMES, AUDIO_MEL_BINS], text: [16], labels: [] }, notes: u.split === 'test-flite' ? 'flite voices: the unseen-synthesiser test (source split "test")' : u.split === 'test-espeak' ? 'held-out espeak-ng utterances (testVoices: "espeak")' : 'espeak-ng voices' };
      splits[key].count++;
    }
    w.commit({
      options: { small: ctx.small, keepWav: ctx.keepWav ?? false },
      splits,
      meta: {
        frames: SPOKEN_FRAMES, melBins: AUDIO_MEL_BINS, sampleRate: AUDIO_SAMPLE_RATE, nFft: AUDIO_N_FFT, hop: AUDIO_HOP,
        silence: LOG_MEL_SILENCE, trainLogMean: Number(mean.toFixed(4)), trainLogStd: Number(std.toFixed(4)),
        espeakVoices: grid.espeak.length, fliteVoices: grid.flite.length,
      },
    });
  } catch (e) {
    w.abort();
    throw e;
  }
}
