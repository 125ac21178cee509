/**
 * Running the Debian tools the benchmark uses (espeak-ng, flite, ffmpeg). A missing program is a
 * DataError naming the apt package that provides it, so the fix is one command.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../core/errors';

/** Debian package that provides each external program. */
export const APT_PACKAGE: Record<string, string> = {
  'espeak-ng': 'espeak-ng',
  flite: 'flite',
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
};

// Overridable in tests: name -> path, replacing the PATH lookup (a missing path = not installed).
let programOverride: Record<string, string> = {};
/** Replaces PATH lookup for the named programs (tests simulate a machine without a tool). */
export function setProgramOverride(o: Record<string, string>): void {
  programOverride = o;
}

/**
 * Absolute path of a program, or a DataError naming the apt package that provides it.
 *
 * @example
 * ```ts
 * requireProgram('ffmpeg'); // '/usr/bin/ffmpeg'
 * ```
 */
export function requireProgram(name: string): string {
  const o = programOverride[name];
  if (o !== undefined) {
    if (fs.existsSync(o)) return o;
  } else {
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
      const p = path.join(dir, name);
      if (dir && fs.existsSync(p)) return p;
    }
  }
  const pkg = APT_PACKAGE[name] ?? name;
  throw new DataError(`program "${name}" is not installed`, name, `sudo apt-get install ${pkg} (or run scripts/setup.sh)`);
}

/** Runs a program to completion and returns stdout; a failure is a DataError with its stderr. */
export function runProgram(name: string, args: string[], file?: string): Buffer {
  const exe = requireProgram(name);
  const r = spawnSync(exe, args, { maxBuffer: 1 << 30 });
  if (r.error) throw new DataError(`could not run ${name}: ${r.error.message}`, file ?? exe, `check that apt package ${APT_PACKAGE[name] ?? name} is installed`);
  if (r.status !== 0) {
    throw new DataError(`${name} failed (exit ${r.status}): ${String(r.stderr).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`, file ?? exe);
  }
  return r.stdout;
}
