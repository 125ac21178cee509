/**
 * Builds the IMP-Offline-1 benchmark (see datasets/README.md): every part, or one with `only`.
 * Each part is written atomically (see PartWriter), so an interrupted build leaves the parts
 * that finished and a manifest that lists only those.
 *
 * @example
 * ```ts
 * import { buildBenchmark } from './datasets/build';
 * await buildBenchmark({ out: 'data', only: ['mnist'] });
 * ```
 */
import * as path from 'node:path';
import { ConfigError } from '../src/imp/core/errors';
import { PARTS, readManifest, resolveDataDir, type Manifest, type PartName } from '../src/imp/data/manifest';
import { buildFashion, buildMnist } from './build-images';
import { buildFiles } from './build-files';
import { buildMoving } from './build-moving';
import { buildOpenmoji } from './build-openmoji';
import { buildSpoken } from './build-spoken';
import { buildText } from './build-text';
import type { BuildContext } from './context';

export interface BuildOptions {
  /** Output folder; default `<repo>/data` or env IMP_DATA_DIR. */
  out?: string;
  /** Parts to build (default: all, in PARTS order). */
  only?: PartName[];
  /** Small build for tests (a few thousand samples). */
  small?: boolean;
  /** OpenMoji raster size (default 64). */
  emojiSize?: number;
  /** Keep the synthesised WAVs next to the log-mels (spoken/wav/). */
  keepWav?: boolean;
  /** Build only the parts missing from the manifest. */
  ifMissing?: boolean;
  /** Progress lines; default writes to stderr. */
  progress?: (part: string, message: string) => void;
}

type PartBuilder = (ctx: BuildContext) => Promise<void>;

/** Builders by part; registered by the part modules below. */
export const PART_BUILDERS = new Map<PartName, PartBuilder>([
  ['text', buildText],
  ['mnist', buildMnist],
  ['fashion-mnist', buildFashion],
  ['openmoji', buildOpenmoji],
  ['spoken', buildSpoken],
  ['moving-mnist', buildMoving],
  ['files', buildFiles],
]);

/** Parts that other parts read at load time (moving-mnist draws digits from mnist). */
const NEEDS: Partial<Record<PartName, PartName[]>> = {
  mnist: ['text'],
  'fashion-mnist': ['text'],
  openmoji: ['text'],
  spoken: ['text'],
  'moving-mnist': ['text', 'mnist', 'spoken'],
};

export function parseParts(list: string[]): PartName[] {
  for (const p of list) {
    if (!(PARTS as readonly string[]).includes(p)) throw new ConfigError('--only', p, PARTS.join(' | '));
  }
  return PARTS.filter((p) => list.includes(p));
}

function existing(out: string): Manifest | undefined {
  try {
    return readManifest(out);
  } catch {
    return undefined;
  }
}

/** Builds the requested parts; resolves to the final manifest. */
export async function buildBenchmark(opts: BuildOptions = {}): Promise<Manifest> {
  const out = resolveDataDir(opts.out);
  const small = opts.small ?? false;
  const progress = opts.progress ?? ((part, msg) => process.stderr.write(`[data ${part}] ${msg}\n`));
  let parts: PartName[] = opts.only && opts.only.length ? [...opts.only] : PARTS.filter((p) => PART_BUILDERS.has(p));
  // A part's load-time dependencies come along when they are not built yet.
  const have = existing(out);
  for (const p of [...parts]) for (const dep of NEEDS[p] ?? []) if (PART_BUILDERS.has(dep) && !parts.includes(dep) && !have?.parts[dep]) parts.push(dep);
  parts = PARTS.filter((p) => parts.includes(p));
  if (opts.ifMissing && have) {
    // Keep parts already built at the requested size; rebuild missing ones and size mismatches.
    parts = parts.filter((p) => {
      const r = have.parts[p];
      return !r || (p !== 'text' && r.options.small !== small);
    });
  }
  if (opts.emojiSize !== undefined && (!Number.isInteger(opts.emojiSize) || opts.emojiSize < 8 || opts.emojiSize > 512)) {
    throw new ConfigError('--emoji-size', opts.emojiSize, 'an integer in 8..512');
  }
  const ctx: BuildContext = { out, small, progress, emojiSize: opts.emojiSize, keepWav: opts.keepWav };
  for (const p of parts) {
    const builder = PART_BUILDERS.get(p);
    if (!builder) throw new ConfigError('--only', p, [...PART_BUILDERS.keys()].join(' | '));
    const t0 = Date.now();
    progress(p, `building into ${path.join(out, p)}${small ? ' (small)' : ''}`);
    await builder(ctx);
    progress(p, `done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return readManifest(out);
}
