/**
 * Part "files": the loader smoke test on real files. Decodes the AVI clips shipped by Debian
 * opencv-doc (one, Megamind.avi, has an AC-3 audio track) through loadVideoFile / loadAudioFile,
 * the same path a user's own files take, and stores the decoded arrays so notebooks can show
 * real-world video without decoding again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';
import { loadAudioFile, loadVideoFile } from '../src/imp/data/files';
import { sha256 } from '../src/imp/data/manifest';
import type { BuildContext } from './context';
import { PartWriter } from './part-writer';

export const OPENCV_SAMPLES = '/usr/share/doc/opencv-doc/examples/data';
export const SAMPLE_CLIPS = ['vtest.avi', 'tree.avi', 'Megamind.avi', 'Megamind_bugy.avi'];
export const SAMPLE_WITH_AUDIO = 'Megamind.avi';

export async function buildFiles(ctx: BuildContext): Promise<void> {
  const w = new PartWriter(ctx.out, 'files');
  try {
    const clips = ctx.small ? ['tree.avi', SAMPLE_WITH_AUDIO] : SAMPLE_CLIPS;
    const index: Array<Record<string, unknown>> = [];
    let audioShape: number[] = [];
    for (const name of clips) {
      const file = path.join(OPENCV_SAMPLES, name);
      if (!fs.existsSync(file)) throw new DataError('sample video is missing', file, 'sudo apt-get install opencv-doc');
      const v = loadVideoFile(file, { frames: 8, resolution: [64, 64] });
      const stem = name.replace(/\.avi$/, '');
      w.write(`${stem}-video.f32`, new Uint8Array(v.data.buffer));
      const rec: Record<string, unknown> = { file: name, sourceSha256: sha256(fs.readFileSync(file)), video: v.shape };
      if (name === SAMPLE_WITH_AUDIO) {
        const a = loadAudioFile(file, { duration: 4 });
        w.write(`${stem}-audio.f32`, new Uint8Array(a.data.buffer));
        rec.audio = a.shape;
        audioShape = a.shape.slice(1);
      }
      index.push(rec);
      ctx.progress('files', `decoded ${name}: video ${JSON.stringify(v.shape)}${rec.audio ? `, audio ${JSON.stringify(rec.audio)}` : ''}`);
    }
    w.write('index.json', `${JSON.stringify(index, null, 1)}\n`);
    w.commit({
      options: { small: ctx.small },
      splits: { test: { count: index.length, shapes: { video: [8, 64, 64, 3], audio: audioShape }, notes: 'opencv-doc sample clips (real video), loader smoke test' } },
      meta: { clips: index },
    });
  } catch (e) {
    w.abort();
    throw e;
  }
}
