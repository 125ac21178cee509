/**
 * Writes one part of a build so that a crash never leaves a manifest that claims more than is
 * on disk: the part's manifest entry is removed first, files go to a temporary folder, and
 * only after the last file is written is the folder renamed into place and the entry (with
 * every file's sha256) written back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BENCHMARK_NAME, FORMAT_VERSION, readManifest, sha256, writeManifest,
  type FileRecord, type Manifest, type PartName, type PartRecord,
} from '../src/imp/data/manifest';
import { toolVersions } from './tools';

function loadOrNew(out: string): Manifest {
  if (fs.existsSync(path.join(out, 'manifest.json'))) {
    try {
      return readManifest(out);
    } catch {
      // an old or corrupt manifest: start afresh (its parts are rebuilt on demand)
    }
  }
  return { benchmark: BENCHMARK_NAME, formatVersion: FORMAT_VERSION, tools: {}, parts: {} };
}

export class PartWriter {
  private readonly tmp: string;
  private readonly files: Record<string, FileRecord> = {};

  constructor(readonly out: string, readonly part: PartName) {
    const m = loadOrNew(out);
    delete m.parts[part];
    writeManifest(out, m);
    this.tmp = path.join(out, `.${part}.tmp-${process.pid}`);
    fs.rmSync(this.tmp, { recursive: true, force: true });
    fs.mkdirSync(this.tmp, { recursive: true });
  }

  /** Writes `<part>/<name>` (staged until commit) and records its hash. */
  write(name: string, bytes: Uint8Array | string): void {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const file = path.join(this.tmp, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, buf);
    this.files[`${this.part}/${name}`] = { sha256: sha256(buf), bytes: buf.byteLength };
  }

  /** Moves the staged folder into place and records the part in the manifest. */
  commit(rec: Omit<PartRecord, 'files'>): PartRecord {
    const final = path.join(this.out, this.part);
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(this.tmp, final);
    const m = loadOrNew(this.out);
    const full: PartRecord = { ...rec, files: this.files };
    m.parts[this.part] = full;
    m.tools = { ...m.tools, ...toolVersions() };
    writeManifest(this.out, m);
    return full;
  }

  /** Removes the staged files of a failed part (its manifest entry is already gone). */
  abort(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
