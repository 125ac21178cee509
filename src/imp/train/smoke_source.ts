/**
 * `synthetic-smoke`: a generated stand-in for pipeline smoke tests and unit tests of training
 * (it is NOT data: `synthetic: true`, and nothing trained on it is presented as a result). Four
 * classes, each visible in every modality so the AGD tasks are learnable in a few dozen steps:
 * image — a bright square in one quadrant; video — a square moving up/down/left/right;
 * audio — a spectrogram band at a class-specific mel bin; text — a caption naming the class.
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import { WordTokenizer } from '../data/tokenizer';
import { BatchRequest, DataSource, HostBatch, Split } from '../data/types';

const CLASSES = ['top left', 'top right', 'bottom left', 'bottom right'];
const MOTIONS = ['up', 'down', 'left', 'right'];
const TEMPLATES = [(c: string) => `a square at the ${c}`, (c: string) => `the ${c} square`, (c: string) => `a bright square in the ${c}`];
const prompts = (i: number) => TEMPLATES.map((f) => f(CLASSES[i]));

/** Sizes per split: large enough to draw many distinct batches, small enough to stay instant. */
const SIZES: Record<Split, number> = { train: 4096, validation: 512, test: 512 };

export function smokeSource(): DataSource {
  const tokenizer = WordTokenizer.fromTexts([...CLASSES.flatMap((_, i) => prompts(i)), ...MOTIONS.map((m) => `a square moving ${m}`)]);
  return {
    name: 'synthetic-smoke',
    description: 'SYNTHETIC smoke-test data (generated squares, bands and captions); not a benchmark',
    synthetic: true,
    modalities: ['image', 'video', 'audio', 'text'],
    classNames: CLASSES,
    prompts,
    tokenizer,
    size: (split) => SIZES[split],
    batch(req: BatchRequest): HostBatch {
      if (!Number.isInteger(req.batchSize) || req.batchSize < 1) throw new ConfigError('batchSize', req.batchSize, 'an integer >= 1');
      const rng = new Rng(req.seed * 7919 + (req.split === 'train' ? 0 : req.split === 'validation' ? 1 : 2));
      const B = req.batchSize;
      const [H, W] = req.resolution ?? [16, 16];
      const T = req.frames ?? 4;
      const AT = req.audioFrames ?? 16;
      const F = 16;
      const L = req.textLength ?? 8;
      const labels = new Int32Array(B);
      const image = new Float32Array(B * H * W);
      const video = new Float32Array(B * T * H * W);
      const audio = new Float32Array(B * AT * F);
      const text = new Int32Array(B * L);
      const s = Math.max(2, Math.floor(H / 4));
      for (let b = 0; b < B; b++) {
        const c = rng.int(4);
        labels[b] = c;
        for (let i = 0; i < H * W; i++) image[b * H * W + i] = 0.1 * rng.next();
        const y0 = (c >= 2 ? H / 2 : 0) + rng.int(Math.max(1, H / 2 - s));
        const x0 = (c % 2 ? W / 2 : 0) + rng.int(Math.max(1, W / 2 - s));
        for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) image[b * H * W + (y0 + y) * W + x0 + x] = 0.9;
        const [dy, dx] = [[-1, 0], [1, 0], [0, -1], [0, 1]][c];
        for (let t = 0; t < T; t++) {
          const cy = Math.min(H - s, Math.max(0, Math.floor(H / 2 - s / 2 + dy * t * 2)));
          const cx = Math.min(W - s, Math.max(0, Math.floor(W / 2 - s / 2 + dx * t * 2)));
          const base = (b * T + t) * H * W;
          for (let i = 0; i < H * W; i++) video[base + i] = 0.1 * rng.next();
          for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) video[base + (cy + y) * W + cx + x] = 0.9;
        }
        const bin = 2 + 3 * c;
        for (let t = 0; t < AT; t++) for (let f = 0; f < F; f++) audio[(b * AT + t) * F + f] = Math.exp(-((f - bin) ** 2) / 2) + 0.2 * rng.normal();
        text.set(tokenizer.encode(prompts(c)[rng.int(TEMPLATES.length)], L), b * L);
      }
      return {
        image: { data: image, shape: [B, 1, H, W, 1] },
        video: { data: video, shape: [B, T, H, W, 1] },
        audio: { data: audio, shape: [B, AT, F] },
        text: { data: text, shape: [B, L] },
        labels: { data: labels, shape: [B] },
      };
    },
  };
}
