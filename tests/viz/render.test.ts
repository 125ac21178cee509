/**
 * Every chart type rendered by plotly.js in a real headless Chromium (Debian's, through
 * playwright-core; plotly.js loaded from node_modules, no network). Checks through Plotly's DOM
 * that each figure has the expected traces, and that its screenshot is not blank.
 * Set IMP_SCREENSHOT_DIR to keep the PNGs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { cases } from './cases';
import { figureBundle } from '../../src/viz';

const CHROMIUM = '/usr/bin/chromium';
const PLOTLY = require.resolve('plotly.js-dist-min/plotly.min.js');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let ctx: BrowserContext;
let page: Page;
let work: string;
const shots = process.env.IMP_SCREENSHOT_DIR;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} missing: install Debian chromium (scripts/setup.sh)`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-viz-render-'));
  ctx = await chromium.launchPersistentContext(path.join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 900, height: 700 } });
  page = await ctx.newPage();
  const html = path.join(work, 'index.html');
  fs.writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><script src="file://${PLOTLY}"></script></head><body style="margin:0"><div id="out"></div></body></html>`);
  await page.goto(`file://${html}`);
  assert.equal(await page.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly), 'object', 'plotly.js loaded from node_modules');
  if (shots) fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await ctx?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Share of pixels that differ from the top-left (background) pixel by more than a little. */
async function inkShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = [data[0], data[1], data[2]];
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 30) ink++;
  }
  return ink / (info.width * info.height);
}

for (const c of cases()) {
  test(`chromium renders ${c.name}`, async () => {
    const bundle = figureBundle(c.build(), { id: `plot-${c.name}` });
    // The notebook path: the text/html part runs against the page's window.Plotly.
    await page.evaluate((html) => {
      const out = document.getElementById('out')!;
      out.innerHTML = html;
      const code = out.querySelector('script')!.textContent!;
      new Function(code)();
    }, bundle['text/html']);
    await page.waitForFunction((id) => {
      const gd = document.getElementById(id) as unknown as { _fullLayout?: unknown; data?: unknown[] };
      return !!gd && !!gd._fullLayout && Array.isArray(gd.data);
    }, `plot-${c.name}`);
    const dom = await page.evaluate((id) => {
      const gd = document.getElementById(id) as unknown as HTMLElement & { data: { type?: string }[]; _fullData: { type: string; visible: unknown }[] };
      return {
        data: gd.data.length,
        full: gd._fullData.filter((t) => t.visible === true).length,
        // Plotly draws one element per trace: g.trace (scatter, bar), image.hm (heatmap), image.im (image trace).
        drawn: gd.querySelectorAll('g.trace').length + gd.querySelectorAll('g.hm, image.hm').length + gd.querySelectorAll('g.im, image.im').length,
        title: gd.querySelector('.gtitle')?.textContent ?? '',
        // Axis titles carry units; every view has at least one x title (class xtitle, x2title, ...).
        xtitle: Array.from(gd.querySelectorAll('text')).filter((t) => /^x\d*title$/.test(t.getAttribute('class') ?? '')).map((t) => t.textContent).join(' | '),
      };
    }, `plot-${c.name}`);
    assert.equal(dom.data, c.traces, 'gd.data.length');
    assert.equal(dom.full, c.traces, 'visible traces in gd._fullData');
    assert.equal(dom.drawn, c.traces, `trace elements drawn in the SVG: ${JSON.stringify(dom)}`);
    assert.ok(dom.title.length > 5, 'title drawn');
    assert.ok(dom.xtitle.length > 0, 'x axis title drawn');
    const png = await page.locator(`#plot-${c.name}`).screenshot();
    if (shots) fs.writeFileSync(path.join(shots, `${c.name}.png`), png);
    const ink = await inkShare(png);
    assert.ok(ink > 0.02, `screenshot of ${c.name} is blank (${(ink * 100).toFixed(2)}% non-background pixels)`);
  });
}
