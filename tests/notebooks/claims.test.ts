/**
 * The paper-claim notebooks execute end to end on the kernel (through `imp-lab run`, the real
 * protocol). IMP_NB_STEPS/IMP_NB_EVAL shrink them to a few steps: this checks that every cell
 * runs and shows what it should, not the claims' numbers (those need the notebooks' defaults).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'imp-lab.js');

interface Output { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; execution_count?: number | null; outputs?: Output[]; source: string | string[] }

function run(name: string): Cell[] {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imp-claims-')), `${name}.ipynb`);
  const r = spawnSync(process.execPath, [CLI, 'run', path.join(ROOT, 'notebooks', `${name}.ipynb`), '--out', out], {
    encoding: 'utf8', timeout: 600_000, env: { ...process.env, IMP_NB_STEPS: '6', IMP_NB_EVAL: '16', IMP_LAB_KERNEL_QUIET: '1' },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return (JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: Cell[] }).cells.filter((c) => c.cell_type === 'code');
}

const mimes = (cells: Cell[]) => cells.flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}));
const plain = (c: Cell) => (c.outputs ?? []).map((o) => [o.data?.['text/plain'] ?? ''].flat().join('')).join('\n');

test('claim 1 notebook (AGD vs mixing) runs and tabulates memory and time per task', () => {
  const cells = run('claim1_agd_vs_mixing');
  assert.deepEqual(cells.map((c) => c.execution_count), cells.map((_, i) => i + 1));
  assert.equal(cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'error').length, 0);
  const table = cells.map(plain).find((t) => t.includes('peak MiB')) ?? '';
  for (const row of ['agd     mnist-cls', 'mixing  mixing']) assert.ok(table.includes(row), `table has "${row}":\n${table}`);
  assert.ok(mimes(cells).includes('application/vnd.plotly.v1+json'));
});

test('claim 3 notebook (MoE vs dense, specialisation) runs and shows every view', () => {
  const cells = run('claim3_moe_vs_dense');
  assert.equal(cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'error').length, 0);
  const text = cells.map(plain).join('\n');
  for (const title of ['Runs compared', 'Expert specialisation by modality', 'Expert load', 'Routing dynamics']) assert.ok(text.includes(title), title);
  assert.match(text, /mnist-zeroshot image +\d/);
});
