/**
 * OpenMoji's annotation table (npm `openmoji` 17.0.0, data/openmoji.json): every emoji without a
 * skin-tone variant, with its human-written name, tags, group and subgroup. The split of each
 * emoji is fixed by a hash of its hexcode, so it never moves between builds or versions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';
import { sha256 } from '../src/imp/data/manifest';
import type { Split } from '../src/imp/data/types';
import { npmPackageDir } from './tools';

export interface OpenmojiEntry {
  hexcode: string;
  annotation: string;
  tags: string;
  group: string;
  subgroup: string;
}

export function openmojiDir(): string {
  try {
    return npmPackageDir('openmoji');
  } catch {
    throw new DataError('npm package openmoji is not installed', 'node_modules/openmoji', 'npm install --save-exact openmoji@17.0.0');
  }
}

export function readOpenmojiEntries(): OpenmojiEntry[] {
  const file = path.join(openmojiDir(), 'data', 'openmoji.json');
  if (!fs.existsSync(file)) throw new DataError('OpenMoji annotation table is missing', file, 'npm ci (openmoji@17.0.0)');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Record<string, string>>;
  return raw
    .filter((e) => !e.skintone) // skin-tone variants repeat their base emoji's caption
    .map((e) => {
      const tags = [...new Set([...e.tags.split(','), ...(e.openmoji_tags ?? '').split(',')].map((t) => t.trim()).filter(Boolean))];
      return {
        hexcode: e.hexcode,
        annotation: e.annotation,
        tags: tags.join(', '),
        group: e.group,
        subgroup: e.subgroups,
      };
    });
}

/** The three captions of an emoji: its name, its tags, and "group / subgroup" in words. */
export function openmojiCaptionTexts(e: OpenmojiEntry): string[] {
  return [e.annotation, e.tags || e.annotation, `${e.group.replace(/-/g, ' ')}, ${e.subgroup.replace(/-/g, ' ')}`];
}

/** ~80 / 10 / 10 split by the first byte of sha256(hexcode). */
export function openmojiSplit(hexcode: string): Split {
  const b = parseInt(sha256(hexcode).slice(0, 2), 16) % 10;
  return b === 0 ? 'test' : b === 1 ? 'validation' : 'train';
}
