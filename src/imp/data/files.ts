/**
 * A user's own video and audio files, decoded with Debian ffmpeg into the benchmark's input
 * layout, so a trained model can be run on them: video float32 [1, T, H, W, 3] in [0, 1]
 * (T frames evenly spaced over the clip, resized to the model's input), audio the normalised
 * log-mel [1, T, F] of logmel.ts. Proven on the real AVI clips of Debian opencv-doc.
 */
import * as fs from 'node:fs';
import { ConfigError, DataError } from '../core/errors';
import { AUDIO_SAMPLE_RATE, logMel, normaliseLogMel, resampleFrames } from './logmel';
import { runProgram } from './programs';
import type { HostArray } from './types';

export interface VideoFileOptions {
  /** Frames to keep, evenly spaced over the decoded range (default 8). */
  frames?: number;
  /** Output [H, W] (default [64, 64]). */
  resolution?: [number, number];
  /** 'crop' (default): scale to cover then centre-crop, keeping the aspect ratio; 'stretch': scale to fit exactly. */
  fit?: 'crop' | 'stretch';
  /** Seconds to skip, and seconds to decode (default: the whole file). */
  start?: number;
  duration?: number;
}

export interface AudioFileOptions {
  /** Resample the spectrogram to this many frames (default: one frame per 20 ms of audio). */
  audioFrames?: number;
  start?: number;
  duration?: number;
}

function checkFile(file: string): void {
  if (typeof file !== 'string' || !fs.existsSync(file)) throw new DataError('media file is missing', String(file));
  if (!fs.statSync(file).isFile()) throw new DataError('media path is not a file', file);
}

function range(o: { start?: number; duration?: number }, who: string): string[] {
  const a: string[] = [];
  if (o.start !== undefined) {
    if (!(o.start >= 0)) throw new ConfigError(`${who}.start`, o.start, 'seconds >= 0');
    a.push('-ss', String(o.start));
  }
  if (o.duration !== undefined) {
    if (!(o.duration > 0)) throw new ConfigError(`${who}.duration`, o.duration, 'seconds > 0');
    a.push('-t', String(o.duration));
  }
  return a;
}

/**
 * Decodes a video file to float32 [1, T, H, W, 3] in [0, 1].
 *
 * @example
 * ```ts
 * const v = loadVideoFile('/usr/share/doc/opencv-doc/examples/data/vtest.avi', { frames: 8, resolution: [64, 64] });
 * v.shape; // [1, 8, 64, 64, 3]
 * ```
 */
export function loadVideoFile(file: string, opts: VideoFileOptions = {}): HostArray<Float32Array> {
  const T = opts.frames ?? 8;
  const [H, W] = opts.resolution ?? [64, 64];
  if (!Number.isInteger(T) || T < 1) throw new ConfigError('loadVideoFile.frames', opts.frames, 'an integer >= 1');
  for (const [k, v] of [['resolution[0]', H], ['resolution[1]', W]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new ConfigError(`loadVideoFile.${k}`, v, 'an integer in 1..4096');
  }
  const fit = opts.fit ?? 'crop';
  if (fit !== 'crop' && fit !== 'stretch') throw new ConfigError('loadVideoFile.fit', fit, '"crop" | "stretch"');
  checkFile(file);
  const vf = fit === 'crop'
    ? `scale=${W}:${H}:force_original_aspect_ratio=increase:flags=area,crop=${W}:${H}`
    : `scale=${W}:${H}:flags=area`;
  // Decode every frame at the small output size (cheap), then keep T evenly spaced ones.
  const raw = runProgram('ffmpeg', ['-v', 'error', ...range(opts, 'loadVideoFile'), '-i', file, '-an', '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], file);
  const px = H * W * 3;
  const n = Math.floor(raw.length / px);
  if (n === 0) throw new DataError('ffmpeg decoded no video frames (no video stream, or the range is empty)', file);
  const out = new Float32Array(T * px);
  for (let t = 0; t < T; t++) {
    const src = Math.min(n - 1, Math.floor(((t + 0.5) * n) / T));
    for (let i = 0; i < px; i++) out[t * px + i] = raw[src * px + i] / 255;
  }
  return { data: out, shape: [1, T, H, W, 3] }; // [B=1, T, H, W, C=3]
}

/** Decodes a file's audio to mono float32 samples at 16 kHz. */
export function decodeAudioFile(file: string, opts: { start?: number; duration?: number } = {}): Float32Array {
  checkFile(file);
  let raw: Buffer;
  try {
    raw = runProgram('ffmpeg', ['-v', 'error', ...range(opts, 'loadAudioFile'), '-i', file, '-vn', '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), '-f', 'f32le', '-'], file);
  } catch (e) {
    // ffmpeg's way of saying "no audio stream" is an empty output; name it plainly.
    if (e instanceof DataError && /does not contain any stream/.test(e.message)) {
      throw new DataError('file has no audio stream', file, 'pass a file with an audio track');
    }
    throw e;
  }
  if (raw.length < 4) throw new DataError('ffmpeg decoded no audio (the file has no audio stream, or the range is empty)', file);
  const a = new Float32Array(raw.length >> 2);
  new Uint8Array(a.buffer).set(raw.subarray(0, a.length * 4));
  return a;
}

/**
 * Decodes a file's audio to the benchmark's normalised log-mel [1, T, F].
 *
 * @example
 * ```ts
 * const a = loadAudioFile('/usr/share/doc/opencv-doc/examples/data/Megamind.avi', { duration: 2, audioFrames: 64 });
 * a.shape; // [1, 64, 40]
 * ```
 */
export function loadAudioFile(file: string, opts: AudioFileOptions = {}): HostArray<Float32Array> {
  if (opts.audioFrames !== undefined && (!Number.isInteger(opts.audioFrames) || opts.audioFrames < 1)) {
    throw new ConfigError('loadAudioFile.audioFrames', opts.audioFrames, 'an integer >= 1');
  }
  const x = decodeAudioFile(file, opts);
  const m = logMel(x);
  if (m.frames === 0) throw new DataError(`audio is too short for one 32 ms frame (${x.length} samples)`, file);
  normaliseLogMel(m.data);
  const T = opts.audioFrames ?? m.frames;
  const out = new Float32Array(T * m.melBins);
  resampleFrames(m.data, m.frames, m.melBins, T, out, 0);
  return { data: out, shape: [1, T, m.melBins] }; // [B=1, T, F]
}
