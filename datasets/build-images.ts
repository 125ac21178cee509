/** The two labelled image parts (see build-idx.ts). */
import { buildIdxPart, fashionSource, mnistSource } from './build-idx';
import type { BuildContext } from './context';

export const buildMnist = (ctx: BuildContext): Promise<void> => buildIdxPart(ctx, mnistSource());
export const buildFashion = (ctx: BuildContext): Promise<void> => buildIdxPart(ctx, fashionSource());
