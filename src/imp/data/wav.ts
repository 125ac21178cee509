/**
 * WAV parsing and sample-rate conversion for the speech part and user audio files. Synthesisers
 * write 16-bit PCM at their own rate (espeak-ng 22,050 Hz, flite 8,000 or 16,000 Hz); everything
 * is converted to AUDIO_SAMPLE_RATE before the log-mel, so every source shares one filterbank.
 */
import { DataError } from '../core/errors';

export interface Waveform {
  sampleRate: number;
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
}

/**
 * Parses a RIFF/WAVE file (PCM 8/16/32-bit or IEEE float 32, any channel count -> mono mean).
 * Streamed WAVs (espeak-ng --stdout) carry a placeholder data size; the data then runs to the end.
 */
export function parseWav(bytes: Uint8Array, file = '<wav>'): Waveform {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new DataError('not a RIFF/WAVE file', file);
  let o = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (o + 8 <= bytes.length) {
    const id = tag(o);
    const size = v.getUint32(o + 4, true);
    if (id === 'fmt ') {
      fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true), bits: v.getUint16(o + 22, true) };
    } else if (id === 'data') {
      if (!fmt) throw new DataError('WAV data chunk comes before its fmt chunk', file);
      const end = Math.min(bytes.length, o + 8 + size);
      const bps = fmt.bits / 8;
      const frames = Math.floor((end - o - 8) / (bps * fmt.channels));
      const out = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let acc = 0;
        for (let c = 0; c < fmt.channels; c++) {
          const p = o + 8 + (i * fmt.channels + c) * bps;
          if (fmt.format === 3 && fmt.bits === 32) acc += v.getFloat32(p, true);
          else if (fmt.bits === 16) acc += v.getInt16(p, true) / 32768;
          else if (fmt.bits === 8) acc += (bytes[p] - 128) / 128;
          else if (fmt.bits === 32) acc += v.getInt32(p, true) / 2147483648;
          else throw new DataError(`unsupported WAV sample format ${fmt.format}/${fmt.bits} bits`, file);
        }
        out[i] = acc / fmt.channels;
      }
      return { sampleRate: fmt.rate, samples: out };
    }
    o += 8 + size + (size & 1);
  }
  throw new DataError('WAV file has no data chunk (truncated?)', file);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const HALF_TAPS = 16;
const filterCache = new Map<string, Float32Array>();

/**
 * Band-limited resampling (polyphase windowed sinc, 32 taps, Hann window, cutoff at 0.95 of the
 * lower Nyquist). Deterministic: same input -> same output bytes.
 *
 * @example
 * ```ts
 * const x = new Float32Array(22050).map((_, i) => Math.sin(2 * Math.PI * 440 * i / 22050));
 * resample(x, 22050, 16000).length; // 16000
 * ```
 */
export function resample(x: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return x;
  const g = gcd(from, to);
  const up = to / g; // phases
  const down = from / g;
  const cutoff = (0.95 * Math.min(from, to)) / 2 / from; // in cycles per input sample
  const key = `${from}>${to}`;
  let table = filterCache.get(key);
  if (!table) {
    table = new Float32Array(up * 2 * HALF_TAPS);
    for (let p = 0; p < up; p++) {
      const frac = p / up; // output sits `frac` input samples after the base sample
      let sum = 0;
      for (let k = 0; k < 2 * HALF_TAPS; k++) {
        const t = k - HALF_TAPS + 1 - frac;
        const sinc = t === 0 ? 1 : Math.sin(2 * Math.PI * cutoff * t) / (2 * Math.PI * cutoff * t);
        const win = 0.5 + 0.5 * Math.cos((Math.PI * t) / HALF_TAPS);
        const h = Math.abs(t) >= HALF_TAPS ? 0 : sinc * win;
        table[p * 2 * HALF_TAPS + k] = h;
        sum += h;
      }
      for (let k = 0; k < 2 * HALF_TAPS; k++) table[p * 2 * HALF_TAPS + k] /= sum; // unit DC gain
    }
    filterCache.set(key, table);
  }
  const n = Math.floor((x.length * up) / down);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i * down;
    const base = Math.floor(pos / up);
    const p = pos - base * up;
    let acc = 0;
    const t0 = p * 2 * HALF_TAPS;
    for (let k = 0; k < 2 * HALF_TAPS; k++) {
      const j = base + k - HALF_TAPS + 1;
      if (j >= 0 && j < x.length) acc += table[t0 + k] * x[j];
    }
    y[i] = acc;
  }
  return y;
}
