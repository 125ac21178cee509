/**
 * Log-mel spectrograms (fft.js + an HTK mel filterbank), the benchmark's audio input.
 *
 * Pipeline: mono 16 kHz -> 512-sample Hann frames every 320 samples (20 ms) -> power spectrum
 * scaled so a full-scale sine has power 1 -> `melBins` triangular filters (peak 1, HTK mel,
 * 20 Hz .. 8 kHz) -> log10(power + 1e-8) -> normalised as (L - AUDIO_LOG_MEAN) / AUDIO_LOG_STD.
 * The two constants were measured on the full espeak-ng training split (mean -6.92, std 1.74 of
 * log10 power; `imp-lab data info --json` prints a build's own values as trainLogMean/Std) and
 * are fixed here, so user files loaded later share the benchmark's scale.
 */
import FFT = require('fft.js');
import { ConfigError } from '../core/errors';

export const AUDIO_SAMPLE_RATE = 16000;
export const AUDIO_N_FFT = 512;
export const AUDIO_HOP = 320;
export const AUDIO_MEL_BINS = 40;
export const AUDIO_FMIN = 20;
export const AUDIO_FMAX = 8000;
const LOG_FLOOR = 1e-8;
/** Normalisation of log10 mel power; see the module doc. */
export const AUDIO_LOG_MEAN = -6.9;
export const AUDIO_LOG_STD = 1.75;

export const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
export const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

export interface MelOptions {
  melBins?: number;
  sampleRate?: number;
  nFft?: number;
  hop?: number;
  fmin?: number;
  fmax?: number;
}

/** Centre frequencies (Hz) of the mel filters. */
export function melCentres(melBins = AUDIO_MEL_BINS, fmin = AUDIO_FMIN, fmax = AUDIO_FMAX): number[] {
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  return Array.from({ length: melBins }, (_, m) => melToHz(lo + ((hi - lo) * (m + 1)) / (melBins + 1)));
}

const bankCache = new Map<string, Float32Array>();

/**
 * Triangular mel filters [melBins, nFft/2 + 1], each peaking at 1 on its centre frequency.
 *
 * @example
 * ```ts
 * const fb = melFilterbank(40, 512, 16000);   // Float32Array of 40 * 257 weights
 * ```
 */
export function melFilterbank(melBins = AUDIO_MEL_BINS, nFft = AUDIO_N_FFT, sampleRate = AUDIO_SAMPLE_RATE, fmin = AUDIO_FMIN, fmax = AUDIO_FMAX): Float32Array {
  if (!Number.isInteger(melBins) || melBins < 1 || melBins > nFft / 2) throw new ConfigError('melBins', melBins, `an integer in 1..${nFft / 2}`);
  if (!(fmax <= sampleRate / 2 && fmin >= 0 && fmin < fmax)) throw new ConfigError('fmax', fmax, `fmin < fmax <= sampleRate / 2 (${sampleRate / 2})`);
  const key = `${melBins}:${nFft}:${sampleRate}:${fmin}:${fmax}`;
  const hit = bankCache.get(key);
  if (hit) return hit;
  const nBins = nFft / 2 + 1;
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const edges = Array.from({ length: melBins + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (melBins + 1)));
  const fb = new Float32Array(melBins * nBins);
  for (let m = 0; m < melBins; m++) {
    const [l, c, r] = [edges[m], edges[m + 1], edges[m + 2]];
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = f <= c ? (f - l) / (c - l) : (r - f) / (r - c);
      fb[m * nBins + k] = Math.max(0, w);
    }
  }
  bankCache.set(key, fb);
  return fb;
}

/** Number of frames a signal of n samples gives (frames start at 0, hop apart, fully inside). */
export function frameCount(n: number, nFft = AUDIO_N_FFT, hop = AUDIO_HOP): number {
  return n < nFft ? 0 : Math.floor((n - nFft) / hop) + 1;
}

/** Samples needed for exactly `frames` frames. */
export function samplesForFrames(frames: number, nFft = AUDIO_N_FFT, hop = AUDIO_HOP): number {
  return (frames - 1) * hop + nFft;
}

/**
 * log10 mel power [T, melBins] (not yet normalised; see normaliseLogMel).
 *
 * @example
 * ```ts
 * const x = new Float32Array(16000).map((_, i) => Math.sin(2 * Math.PI * 1000 * i / 16000));
 * const { data, frames } = logMel(x);   // frames = 49, data.length = 49 * 40
 * ```
 */
export function logMel(x: Float32Array, opts: MelOptions = {}): { data: Float32Array; frames: number; melBins: number } {
  const melBins = opts.melBins ?? AUDIO_MEL_BINS;
  const sr = opts.sampleRate ?? AUDIO_SAMPLE_RATE;
  const nFft = opts.nFft ?? AUDIO_N_FFT;
  const hop = opts.hop ?? AUDIO_HOP;
  const fb = melFilterbank(melBins, nFft, sr, opts.fmin ?? AUDIO_FMIN, opts.fmax ?? Math.min(AUDIO_FMAX, sr / 2));
  const nBins = nFft / 2 + 1;
  const T = frameCount(x.length, nFft, hop);
  const win = new Float32Array(nFft);
  let wsum = 0;
  for (let i = 0; i < nFft; i++) {
    win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft); // periodic Hann
    wsum += win[i];
  }
  // A sine of amplitude A has |X| = A * sum(w) / 2 at its bin; this scale makes its power A^2.
  const scale = (2 / wsum) ** 2;
  const fft = new FFT(nFft);
  const frame = new Float64Array(nFft);
  const spec = fft.createComplexArray() as number[];
  const power = new Float64Array(nBins);
  const out = new Float32Array(T * melBins);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < nFft; i++) frame[i] = x[t * hop + i] * win[i];
    fft.realTransform(spec, frame);
    for (let k = 0; k < nBins; k++) power[k] = (spec[2 * k] ** 2 + spec[2 * k + 1] ** 2) * scale;
    for (let m = 0; m < melBins; m++) {
      let acc = 0;
      const row = m * nBins;
      for (let k = 0; k < nBins; k++) {
        const w = fb[row + k];
        if (w !== 0) acc += w * power[k];
      }
      out[t * melBins + m] = Math.log10(acc + LOG_FLOOR);
    }
  }
  return { data: out, frames: T, melBins };
}

/** log10 power of silence, the value padding frames get. */
export const LOG_MEL_SILENCE = Math.log10(LOG_FLOOR);

/** (L - AUDIO_LOG_MEAN) / AUDIO_LOG_STD in place; returns its argument. */
export function normaliseLogMel(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] - AUDIO_LOG_MEAN) / AUDIO_LOG_STD;
  return a;
}

/**
 * Resamples a [T0, F] spectrogram to [T, F] along time (linear interpolation, frame centres
 * aligned); used when a task asks for a different number of audio frames than were stored.
 */
export function resampleFrames(src: Float32Array, t0: number, f: number, t: number, out: Float32Array, offset: number, srcOffset = 0): void {
  if (t === t0) {
    out.set(src.subarray(srcOffset, srcOffset + t0 * f), offset);
    return;
  }
  for (let i = 0; i < t; i++) {
    const pos = Math.min(t0 - 1, Math.max(0, ((i + 0.5) * t0) / t - 0.5));
    const a = Math.floor(pos);
    const b = Math.min(t0 - 1, a + 1);
    const w = pos - a;
    for (let k = 0; k < f; k++) out[offset + i * f + k] = (1 - w) * src[srcOffset + a * f + k] + w * src[srcOffset + b * f + k];
  }
}
