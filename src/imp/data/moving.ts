/**
 * Moving-digit clips (Moving-MNIST style) made on the fly from real MNIST digits: one 28x28 digit
 * slides in a straight line across a square canvas. Classes are digit x direction (40); a clip
 * is a pure function of (digit image, direction, start, speed), so batches need no cache.
 */
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import { DIRECTIONS } from './captions';

export const DIGIT_SIZE = 28;

/** Unit steps (dy, dx) per direction, image rows growing downwards. */
export const DIRECTION_STEPS: Record<(typeof DIRECTIONS)[number], [number, number]> = {
  up: [-1, 0],
  down: [1, 0],
  left: [0, -1],
  right: [0, 1],
};

export interface MotionOptions {
  /** Canvas side in pixels (>= 28). */
  canvas: number;
  frames: number;
  /** Pixels per frame; lowered when the canvas is too small for the whole path. */
  speed: number;
}

export interface Motion {
  dir: number;
  y0: number;
  x0: number;
  /** Effective speed (pixels per frame). */
  speed: number;
}

/** Checks motion options (ConfigError naming the field). */
export function checkMotion(o: MotionOptions, who: string): void {
  if (!Number.isInteger(o.canvas) || o.canvas < DIGIT_SIZE) throw new ConfigError(`${who}.canvas`, o.canvas, `an integer >= ${DIGIT_SIZE}`);
  if (!Number.isInteger(o.frames) || o.frames < 1) throw new ConfigError(`${who}.frames`, o.frames, 'an integer >= 1');
  if (!(typeof o.speed === 'number' && o.speed > 0 && Number.isFinite(o.speed))) throw new ConfigError(`${who}.speed`, o.speed, 'a number > 0 (pixels per frame)');
}

/**
 * Draws a start point so the digit stays fully inside the canvas for all frames.
 *
 * @example
 * ```ts
 * const m = drawMotion(new Rng(1), 3, { canvas: 64, frames: 8, speed: 3 }); // dir 3 = right
 * ```
 */
export function drawMotion(rng: Rng, dir: number, o: MotionOptions): Motion {
  const room = o.canvas - DIGIT_SIZE;
  const speed = o.frames > 1 ? Math.min(o.speed, room / (o.frames - 1)) : o.speed;
  const travel = Math.round(speed * (o.frames - 1));
  const [dy, dx] = DIRECTION_STEPS[DIRECTIONS[dir]];
  // Along the motion axis the start leaves `travel` pixels of room ahead; across it, anywhere.
  const along = (d: number) => (d > 0 ? rng.int(room - travel + 1) : d < 0 ? travel + rng.int(room - travel + 1) : rng.int(room + 1));
  return { dir, y0: along(dy), x0: along(dx), speed };
}

/** Top-left corner of the digit at frame t. */
export function positionAt(m: Motion, t: number): [number, number] {
  const [dy, dx] = DIRECTION_STEPS[DIRECTIONS[m.dir]];
  const s = Math.round(m.speed * t);
  return [m.y0 + dy * s, m.x0 + dx * s];
}

/**
 * Renders a clip [frames, canvas, canvas] in [0, 1] into `out` at `offset` (zeros elsewhere).
 * `digit` is 28x28 uint8 read from `src` at `srcOffset`.
 */
export function renderClip(src: Uint8Array, srcOffset: number, m: Motion, o: MotionOptions, out: Float32Array, offset: number): void {
  const c = o.canvas;
  out.fill(0, offset, offset + o.frames * c * c);
  for (let t = 0; t < o.frames; t++) {
    const [y, x] = positionAt(m, t);
    const base = offset + t * c * c;
    for (let r = 0; r < DIGIT_SIZE; r++) {
      for (let k = 0; k < DIGIT_SIZE; k++) out[base + (y + r) * c + x + k] = src[srcOffset + r * DIGIT_SIZE + k] / 255;
    }
  }
}
