/**
 * Part "moving-mnist": clips are generated on the fly from the mnist part, so this part records
 * only the generator's contract (classes, held-out zero-shot classes, defaults), which loaders
 * and `data info` read, and which a test checks against the captions.
 */
import { movingClassNames, ZERO_SHOT_CLASSES } from '../src/imp/data/captions';
import { readManifest } from '../src/imp/data/manifest';
import type { BuildContext } from './context';
import { PartWriter } from './part-writer';

export async function buildMoving(ctx: BuildContext): Promise<void> {
  const w = new PartWriter(ctx.out, 'moving-mnist');
  const names = movingClassNames();
  const meta = {
    generator: 'one real MNIST digit sliding in a straight line; class = digit * 4 + direction',
    defaults: { canvas: 64, frames: 8, speed: 3 },
    zeroShotClasses: [...ZERO_SHOT_CLASSES],
    zeroShotNames: ZERO_SHOT_CLASSES.map((c) => names[c]),
  };
  // A clip per MNIST image per epoch, notionally: the counts are the mnist part's.
  const mnist = readManifest(ctx.out).parts.mnist?.splits ?? {};
  const count = (s: string) => mnist[s]?.count ?? 0;
  w.write('meta.json', `${JSON.stringify(meta, null, 1)}\n`);
  ctx.progress('moving-mnist', `40 classes, zero-shot held out: ${meta.zeroShotNames.join(', ')}`);
  w.commit({
    options: { small: ctx.small },
    splits: {
      train: { count: count('train'), shapes: { video: [8, 64, 64, 1], text: [16], labels: [] }, notes: 'generated per batch from mnist/train; 35 seen classes' },
      validation: { count: count('validation'), shapes: { video: [8, 64, 64, 1], text: [16], labels: [] }, notes: 'from mnist/validation; 35 seen classes' },
      test: { count: count('test'), shapes: { video: [8, 64, 64, 1], text: [16], labels: [] }, notes: 'from mnist/test; all 40 classes incl. the 5 zero-shot ones' },
    },
    classNames: names,
    meta,
  });
}
