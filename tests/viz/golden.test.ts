/**
 * Golden JSON snapshots of every view on the seeded fixtures. A change in a builder shows up as a
 * diff here; regenerate on purpose with IMP_UPDATE_GOLDEN=1 npm run test:only -- viz/golden.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cases } from './cases';

// dist/tests/viz -> tests/viz/golden in the source tree
const GOLDEN = path.resolve(__dirname, '..', '..', '..', 'tests', 'viz', 'golden');
const update = process.env.IMP_UPDATE_GOLDEN === '1';

for (const c of cases()) {
  test(`golden: ${c.name}`, () => {
    const fig = c.build();
    assert.equal(fig.data.length, c.traces, 'trace count');
    const text = `${JSON.stringify(fig, null, 1)}\n`;
    assert.equal(`${JSON.stringify(c.build(), null, 1)}\n`, text, 'same input -> same bytes');
    const file = path.join(GOLDEN, `${c.name}.json`);
    if (update) fs.writeFileSync(file, text);
    assert.ok(fs.existsSync(file), `missing golden ${file}; run with IMP_UPDATE_GOLDEN=1 to create it`);
    assert.equal(text, fs.readFileSync(file, 'utf8'), `${c.name} differs from its golden`);
  });
}
