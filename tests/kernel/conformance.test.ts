/**
 * Runs the Debian `jupyter_kernel_test` suite (tests/kernel/kernel_conformance.py) against the
 * kernel, installed into a temporary prefix that only this test's JUPYTER_PATH sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { installKernelspec } from '../../kernel/kernelspec';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('jupyter_kernel_test: every supported check passes, none skipped', () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-lab-jkt-'));
  try {
    installKernelspec({ prefix });
    const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', '-v', 'kernel_conformance'], {
      cwd: path.join(ROOT, 'tests', 'kernel'),
      env: { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(prefix, 'runtime'), JUPYTER_CONFIG_DIR: path.join(prefix, 'config'), IMP_LAB_KERNEL_QUIET: '1', PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    // unittest prints one "... ok" line per test method; all 12 must run and pass.
    const passed = out.split('\n').filter((l) => / \.\.\. ok$/.test(l)).map((l) => l.split(' ')[0]);
    assert.deepEqual(passed.sort(), [
      'test_clear_output', 'test_completion', 'test_display_data', 'test_error', 'test_execute_result',
      'test_execute_stderr', 'test_execute_stdout', 'test_history', 'test_inspect', 'test_is_complete',
      'test_kernel_info', 'test_pager',
    ].sort(), out);
    assert.doesNotMatch(out, /skipped/, out);
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});
