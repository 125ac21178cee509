/**
 * Deterministic speech synthesis with the Debian synthesisers. espeak-ng voices (accents x voice
 * variants x speeds x pitches) make the training audio; flite's voices are a different
 * synthesiser altogether and form the unseen-voice test split.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';
import { APT_PACKAGE, requireProgram } from './tools';

export interface Voice {
  synth: 'espeak-ng' | 'flite';
  /** espeak-ng: "accent+variant"; flite: voice name. */
  voice: string;
  /** espeak-ng words per minute; flite duration stretch x100. */
  speed: number;
  /** espeak-ng pitch 0..99; flite: 0 (voice default). */
  pitch: number;
}

export const ESPEAK_ACCENTS = ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-029', 'en-gb-x-gbcwmd', 'en-gb-x-gbclan', 'en-us-nyc'];
export const ESPEAK_VARIANTS = ['', 'm3', 'f2', 'klatt2'];
export const ESPEAK_SPEEDS = [140, 200];
export const ESPEAK_PITCHES = [35, 65];
export const FLITE_VOICES = ['kal', 'kal16', 'awb', 'rms', 'slt'];
export const FLITE_STRETCH = [85, 100, 120];

/** The voice grid of a build (small builds take a corner of it). */
export function voiceGrid(small: boolean): { espeak: Voice[]; flite: Voice[] } {
  const acc = small ? ESPEAK_ACCENTS.slice(0, 2) : ESPEAK_ACCENTS;
  const vars = small ? ['', 'f2'] : ESPEAK_VARIANTS;
  const speeds = small ? [170] : ESPEAK_SPEEDS;
  const espeak: Voice[] = [];
  for (const a of acc) for (const v of vars) for (const s of speeds) for (const p of ESPEAK_PITCHES) {
    espeak.push({ synth: 'espeak-ng', voice: v ? `${a}+${v}` : a, speed: s, pitch: p });
  }
  const flite: Voice[] = [];
  for (const v of FLITE_VOICES) for (const s of small ? [100] : FLITE_STRETCH) flite.push({ synth: 'flite', voice: v, speed: s, pitch: 0 });
  return { espeak, flite };
}

export function voiceId(v: Voice): string {
  return `${v.synth}:${v.voice}:${v.speed}:${v.pitch}`;
}

// flite seeks in its output file, so it cannot write to a pipe: it gets a temporary file.
let tmpCounter = 0;
function args(v: Voice, text: string, tmp: string): string[] {
  return v.synth === 'espeak-ng'
    ? ['-v', v.voice, '-s', String(v.speed), '-p', String(v.pitch), '--stdout', text]
    : ['-voice', v.voice, '--setf', `duration_stretch=${v.speed / 100}`, '-t', text, '-o', tmp];
}

/** Synthesises one utterance; resolves to the WAV bytes. */
export function synthesise(v: Voice, text: string): Promise<Buffer> {
  const exe = requireProgram(v.synth);
  const tmp = path.join(os.tmpdir(), `imp-flite-${process.pid}-${tmpCounter++}.wav`);
  return new Promise((resolve, reject) => {
    execFile(exe, args(v, text, tmp), { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, out, stderr) => {
      let stdout = out;
      if (v.synth === 'flite' && fs.existsSync(tmp)) {
        stdout = fs.readFileSync(tmp);
        fs.rmSync(tmp, { force: true });
      }
      if (err) {
        reject(new DataError(`${v.synth} failed for ${JSON.stringify(text)} with voice ${voiceId(v)}: ${String(stderr).trim() || err.message}`, exe, `check apt package ${APT_PACKAGE[v.synth]}`));
      } else if (stdout.length < 100) {
        reject(new DataError(`${v.synth} produced no audio for ${JSON.stringify(text)} with voice ${voiceId(v)}`, exe, `check apt package ${APT_PACKAGE[v.synth]}`));
      } else resolve(stdout);
    });
  });
}

/** Runs jobs with bounded concurrency, keeping results in input order. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>, onDone?: (n: number) => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
