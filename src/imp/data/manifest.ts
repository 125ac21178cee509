/**
 * Where the benchmark lives on disk and what its manifest says. The manifest is the only
 * claim of completeness: a part appears in it only after all of its files were written, and
 * every file is listed with its sha256, which loaders check before trusting the bytes.
 *
 * Layout of a build (default `<repo>/data`, else env IMP_DATA_DIR, else `opts.dir`):
 * ```
 * manifest.json            benchmark name, format version, pinned tools, parts -> files + sha256
 * text/vocab.json          the shared word vocabulary
 * mnist/*.idx  fashion-mnist/*.idx  openmoji/*  spoken/*  moving-mnist/meta.json  files/*
 * ```
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../core/errors';

/** The benchmark's name, as the dataset card and `imp-lab data info` print it. */
export const BENCHMARK_NAME = 'IMP-Offline-1';
/** Bumped whenever the on-disk layout changes; older builds are rejected with a rebuild hint. */
export const FORMAT_VERSION = 1;

/** The parts a build can contain, in build order (`imp-lab data build --only PART`). */
export const PARTS = ['text', 'mnist', 'fashion-mnist', 'openmoji', 'spoken', 'moving-mnist', 'files'] as const;
export type PartName = (typeof PARTS)[number];

export interface FileRecord {
  sha256: string;
  bytes: number;
}

/** Counts and shapes of one split, as `data info` prints them. */
export interface SplitInfo {
  count: number;
  shapes: Record<string, number[]>;
  notes?: string;
}

export interface PartRecord {
  /** Options the part was built with (sizes, `small`), so loaders and info can report them. */
  options: Record<string, unknown>;
  /** Paths relative to the build folder -> hash and size. */
  files: Record<string, FileRecord>;
  splits: Record<string, SplitInfo>;
  classNames?: string[];
  /** Part-specific metadata a loader needs (normalisation constants, held-out classes...). */
  meta?: Record<string, unknown>;
}

export interface Manifest {
  benchmark: string;
  formatVersion: number;
  /** Versions of everything that changes output bytes (npm packages, Debian tools, node). */
  tools: Record<string, string>;
  parts: Partial<Record<PartName, PartRecord>>;
}

/** The command that builds the benchmark, for error messages. */
export function buildCommand(dir: string, part?: string): string {
  const out = dir === defaultDataDir() ? '' : ` --out ${dir}`;
  return `imp-lab data build${part ? ` --only ${part}` : ''}${out}`;
}

function repoRoot(): string {
  // Compiled code sits at <repo>/dist/src/imp/data; sources at <repo>/src/imp/data. Walk up to
  // the package.json that names this package rather than counting levels.
  let d = __dirname;
  for (let i = 0; i < 8; i++) {
    const p = path.join(d, 'package.json');
    if (fs.existsSync(p)) {
      try {
        if (JSON.parse(fs.readFileSync(p, 'utf8')).name === 'imp-lab') return d;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    d = path.dirname(d);
  }
  return process.cwd();
}

/** `<repo>/data`, or env IMP_DATA_DIR when set. */
export function defaultDataDir(): string {
  return process.env.IMP_DATA_DIR ? path.resolve(process.env.IMP_DATA_DIR) : path.join(repoRoot(), 'data');
}

/** Resolves `opts.dir` (wins), else the default data folder. */
export function resolveDataDir(dir?: string): string {
  return dir ? path.resolve(dir) : defaultDataDir();
}

/** Stable JSON (sorted object keys) so two builds write byte-identical manifests. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) o[k] = sort((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 1)}\n`;
}

export function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Reads `<dir>/manifest.json`; a missing or unreadable one is a DataError with the build command. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) {
    throw new DataError(`the ${BENCHMARK_NAME} benchmark is not built here`, file, `run \`${buildCommand(dir)}\``);
  }
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new DataError(`manifest is not valid JSON (${(e as Error).message})`, file, `delete it and run \`${buildCommand(dir)}\``);
  }
  if (m.benchmark !== BENCHMARK_NAME || m.formatVersion !== FORMAT_VERSION) {
    throw new DataError(
      `manifest is for ${JSON.stringify(m.benchmark)} format ${m.formatVersion}; this code reads ${BENCHMARK_NAME} format ${FORMAT_VERSION}`,
      file,
      `run \`${buildCommand(dir)}\``,
    );
  }
  return m;
}

/** Writes the manifest atomically (temp file + rename), so a crash never leaves half a manifest. */
export function writeManifest(dir: string, m: Manifest): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, stableJson(m));
  fs.renameSync(tmp, file);
}

/** The record of one built part, or a DataError naming the part and the command that builds it. */
export function requirePart(dir: string, part: PartName): PartRecord {
  const m = readManifest(dir);
  const rec = m.parts[part];
  if (!rec) {
    throw new DataError(
      `part "${part}" of ${BENCHMARK_NAME} is not built (built: ${Object.keys(m.parts).join(', ') || 'none'})`,
      path.join(dir, 'manifest.json'),
      `run \`${buildCommand(dir, part)}\``,
    );
  }
  return rec;
}

// Files already hashed in this process (path -> "size:mtime:sha"), so a notebook that opens a
// source many times hashes each file once.
const verified = new Map<string, string>();

/**
 * Reads one file of a part and checks it against the manifest (size and sha256). Any mismatch
 * is a DataError naming the file and the rebuild command: a loader never trains on bytes the
 * build did not write.
 */
export function readVerified(dir: string, part: PartName, rel: string): Buffer {
  const rec = requirePart(dir, part);
  const want = rec.files[rel];
  const file = path.join(dir, rel);
  const fix = `run \`${buildCommand(dir, part)}\``;
  if (!want) throw new DataError(`file is not listed in the manifest of part "${part}"`, file, fix);
  if (!fs.existsSync(file)) throw new DataError('file listed in the manifest is missing', file, fix);
  const bytes = fs.readFileSync(file);
  const st = fs.statSync(file);
  const key = `${st.size}:${st.mtimeMs}:${want.sha256}`;
  if (verified.get(file) === key) return bytes;
  if (bytes.length !== want.bytes) {
    throw new DataError(`file has ${bytes.length} bytes; the manifest says ${want.bytes} (truncated or replaced)`, file, fix);
  }
  const got = sha256(bytes);
  if (got !== want.sha256) {
    throw new DataError(`sha256 ${got} does not match the manifest's ${want.sha256} (corrupt or replaced)`, file, fix);
  }
  verified.set(file, key);
  return bytes;
}
