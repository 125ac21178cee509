/**
 * A small benchmark build shared by the data tests: built once into `<repo>/.cache/test-data/`
 * under a key that hashes the compiled build and loader code, so a code change rebuilds it and
 * an unchanged tree reuses it across test files (they run one after another).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBenchmark } from '../../../datasets/build';
import { readManifest, sha256, type PartName } from './manifest';

function codeKey(): string {
  const dirs = [path.join(__dirname, '..', '..', '..', 'datasets'), __dirname];
  const parts: string[] = [];
  for (const d of dirs) {
    for (const f of fs.readdirSync(d).sort()) {
      if (f.endsWith('.js') && !f.endsWith('.test.js')) parts.push(f, sha256(fs.readFileSync(path.join(d, f))));
    }
  }
  return sha256(parts.join('\n')).slice(0, 16);
}

/** Folder of a small build holding at least `parts` (built on first use). */
export async function smallBuild(parts: PartName[]): Promise<string> {
  const root = path.join(__dirname, '..', '..', '..', '..', '.cache', 'test-data');
  const dir = path.join(root, `small-${codeKey()}`);
  let have: Set<string> = new Set();
  try {
    have = new Set(Object.keys(readManifest(dir).parts));
  } catch {
    // not built yet
  }
  const missing = parts.filter((p) => !have.has(p));
  if (missing.length) {
    // Old keys are stale builds of older code: drop them so .cache does not grow.
    if (fs.existsSync(root)) for (const d of fs.readdirSync(root)) if (path.join(root, d) !== dir) fs.rmSync(path.join(root, d), { recursive: true, force: true });
    await buildBenchmark({ out: dir, only: missing, small: true, progress: () => {} });
  }
  return dir;
}
