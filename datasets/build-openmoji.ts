/**
 * Part "openmoji": every OpenMoji emoji without skin-tone variants (2,465 in 17.0.0), rasterised
 * from its colour SVG with sharp (librsvg) at `emojiSize` px, composited on white, stored as
 * uint8 RGB [N, S, S, 3] (`images.u8`) with an index of its real captions (`index.json`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../src/imp/core/errors';
import type { SplitInfo } from '../src/imp/data/manifest';
import type { BuildContext } from './context';
import { openmojiCaptionTexts, openmojiDir, openmojiSplit, readOpenmojiEntries } from './openmoji-entries';
import { PartWriter } from './part-writer';
import { pool } from './speech';

export const DEFAULT_EMOJI_SIZE = 64;

/** Rasterises one SVG to [size, size, 3] uint8 on white; a bad SVG is a DataError naming the file. */
export async function rasteriseSvg(file: string, size: number): Promise<Buffer> {
  if (!fs.existsSync(file)) throw new DataError('SVG file is missing', file, 'reinstall npm openmoji@17.0.0 (npm ci)');
  try {
    // OpenMoji SVGs are 72x72; rendering at density 72 * size / 72 dpi draws them at `size` px directly.
    const { data, info } = await sharp(fs.readFileSync(file), { density: Math.max(1, size) })
      .resize(size, size, { fit: 'contain', background: '#ffffff' })
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new Error(`rendered ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
    }
    return data;
  } catch (e) {
    throw new DataError(`SVG failed to render (${(e as Error).message})`, file, 'reinstall npm openmoji@17.0.0 and sharp (npm ci), or drop the file');
  }
}

export async function buildOpenmoji(ctx: BuildContext): Promise<void> {
  const w = new PartWriter(ctx.out, 'openmoji');
  try {
    const size = ctx.emojiSize ?? DEFAULT_EMOJI_SIZE;
    let entries = readOpenmojiEntries();
    if (ctx.small) entries = entries.slice(0, 150);
    const svgDir = path.join(openmojiDir(), 'color', 'svg');
    const px = size * size * 3;
    const images = new Uint8Array(entries.length * px);
    let last = 0;
    await pool(entries, 4, async (e, i) => {
      images.set(await rasteriseSvg(path.join(svgDir, `${e.hexcode}.svg`), size), i * px);
    }, (n) => {
      if (n - last >= 500 || n === entries.length) {
        last = n;
        ctx.progress('openmoji', `rasterised ${n}/${entries.length} SVGs at ${size}px`);
      }
    });
    const groups = [...new Set(entries.map((e) => e.group))];
    const index = entries.map((e) => ({ ...e, label: groups.indexOf(e.group), split: openmojiSplit(e.hexcode), captions: openmojiCaptionTexts(e) }));
    w.write('images.u8', images);
    w.write('index.json', `${JSON.stringify(index)}\n`);
    const splits: Record<string, SplitInfo> = {};
    for (const s of ['train', 'validation', 'test']) {
      splits[s] = { count: index.filter((e) => e.split === s).length, shapes: { image: [1, size, size, 3], text: [16], labels: [] } };
    }
    w.commit({ options: { small: ctx.small, emojiSize: size }, splits, classNames: groups, meta: { size, emoji: entries.length } });
  } catch (e) {
    w.abort();
    throw e;
  }
}
