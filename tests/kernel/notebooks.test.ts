/**
 * Notebooks on the kernel: the quickstart executed by `jupyter nbconvert --execute` (Python's
 * nbclient as the client) and by `imp-lab run` (no Python at all), a failing notebook, and the
 * kernelspec as `jupyter kernelspec list` sees it. The kernelspec lives in a temporary prefix.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'imp-lab.js');
const QUICKSTART = path.join(ROOT, 'notebooks', 'quickstart.ipynb');

interface Cell { cell_type: string; execution_count?: number | null; outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }[]; source: string | string[] }
const readNb = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as { cells: Cell[]; metadata: Record<string, unknown> };
const codeCells = (f: string) => readNb(f).cells.filter((c) => c.cell_type === 'code');

function checkQuickstart(file: string): void {
  const cells = codeCells(file);
  assert.deepEqual(cells.map((c) => c.execution_count), cells.map((_, i) => i + 1));
  const outputs = cells.flatMap((c) => c.outputs ?? []);
  assert.equal(outputs.filter((o) => o.output_type === 'error').length, 0, JSON.stringify(outputs.filter((o) => o.output_type === 'error')));
  const mimes = new Set(outputs.flatMap((o) => Object.keys(o.data ?? {})));
  for (const m of ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']) assert.ok(mimes.has(m), m);
  // plotly.js travels inline exactly once per notebook.
  const html = outputs.map((o) => [o.data?.['text/html'] ?? ''].flat().join('')).filter((h) => h.includes('data-imp-lab="plotly.js"'));
  assert.equal(html.length, 1);
}

describe('notebooks on the kernel', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-lab-nb-'));
  const jupyterPath = path.join(tmp, 'prefix', 'share', 'jupyter');
  const env = { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_CONFIG_DIR: path.join(tmp, 'config'), JUPYTER_DATA_DIR: path.join(tmp, 'data'), JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'), IMP_LAB_KERNEL_QUIET: '1' };
  before(() => {
    const r = spawnSync(process.execPath, [CLI, 'install', '--prefix', path.join(tmp, 'prefix')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /installed kernelspec imp-lab in /);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('jupyter kernelspec list shows imp-lab with an absolute argv', () => {
    const r = spawnSync('/usr/bin/python3', ['-m', 'jupyter_client.kernelspecapp', 'list', '--json'], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const spec = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { spec: { argv: string[]; display_name: string; language: string; interrupt_mode: string } }> }).kernelspecs['imp-lab'].spec;
    assert.equal(spec.display_name, 'IMP Lab (TypeScript)');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.interrupt_mode, 'signal');
    assert.ok(spec.argv.slice(0, 2).every((a) => path.isAbsolute(a)), spec.argv.join(' '));
    assert.equal(spec.argv[2], '{connection_file}');
  });

  test('jupyter nbconvert --execute runs the quickstart on this kernel', () => {
    const out = path.join(tmp, 'nbconvert');
    const r = spawnSync('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=imp-lab',
      '--ExecutePreprocessor.timeout=300', '--output-dir', out, QUICKSTART], { env, cwd: tmp, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    checkQuickstart(path.join(out, 'quickstart.ipynb'));
  });

  test('imp-lab run executes the quickstart without Python on PATH', () => {
    const out = path.join(tmp, 'run-quickstart.ipynb');
    // Only node's own folder on PATH: the runner must not need python or jupyter.
    const r = spawnSync(process.execPath, [CLI, 'run', QUICKSTART, '--out', out], { env: { ...env, PATH: path.dirname(process.execPath) }, cwd: tmp, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cells run/);
    checkQuickstart(out);
    assert.equal((readNb(out).metadata.kernelspec as { name: string }).name, 'imp-lab');
  });

  test('imp-lab run stops at a failing cell, exits 1 and names the error', () => {
    const nbFile = path.join(tmp, 'failing.ipynb');
    const cell = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
    fs.writeFileSync(nbFile, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
      cell('console.log("before")'), cell('const n: number = 3;\nthrow new RangeError(`bad n ${n}`)'), cell('"never runs"'),
    ] }));
    const out = path.join(tmp, 'failing.out.ipynb');
    const r = spawnSync(process.execPath, [CLI, 'run', nbFile, '--out', out], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cell 1 failed: RangeError: bad n 3/);
    const cells = codeCells(out);
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, null]);
    assert.equal(cells[1].outputs?.[0].output_type, 'error');
    assert.equal(cells[1].outputs?.[0].ename, 'RangeError');
    assert.deepEqual(cells[2].outputs, []);
  });
});
