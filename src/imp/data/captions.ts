/**
 * Class names, caption templates and zero-shot prompts of the benchmark's labelled parts.
 * Captions are the text side of image-text / video-text NCE; prompts are the same templates,
 * used to build class embeddings for zero-shot classification. Everything here is a constant,
 * so the vocabulary can be built without any image or audio being built.
 */

export const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

/** Fashion-MNIST's ten classes (label order of the IDX files), as words a caption can use. */
export const FASHION_NAMES = [
  't-shirt or top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
] as const;

export const DIRECTIONS = ['up', 'down', 'left', 'right'] as const;
export type Direction = (typeof DIRECTIONS)[number];

function article(word: string): string {
  return /^[aeiou]/.test(word) || word === 'eight' ? `an ${word}` : `a ${word}`;
}

/** Caption templates: `{a}` is the name with its article, `{n}` the bare name. */
const DIGIT_TEMPLATES = [
  'a handwritten {n}',
  'a photo of the digit {n}',
  'the number {n} written by hand',
  'a drawing of {a}',
  'a scanned image of a handwritten {n}',
];
const FASHION_TEMPLATES = [
  'a photo of {a}',
  'a grayscale photo of {a}',
  'a product photo of the {n}',
  'a small picture of {a}',
  '{a}, an item of clothing',
];
const MOVING_TEMPLATES = [
  'a handwritten {n} moving {d}',
  'the digit {n} moving {d}',
  'a video of {a} going {d}',
  'a clip of the number {n} sliding {d}',
];

function fill(t: string, name: string, dir = ''): string {
  return t.replace('{a}', article(name)).replace('{n}', name).replace('{d}', dir);
}

export function digitPrompts(digit: number): string[] {
  return DIGIT_TEMPLATES.map((t) => fill(t, DIGIT_NAMES[digit]));
}

export function fashionPrompts(label: number): string[] {
  return FASHION_TEMPLATES.map((t) => fill(t, FASHION_NAMES[label]));
}

/** Moving-digit classes are digit x direction: class = digit * 4 + direction. */
export function movingClass(digit: number, dir: number): number {
  return digit * DIRECTIONS.length + dir;
}

export function movingClassNames(): string[] {
  const out: string[] = [];
  for (let d = 0; d < 10; d++) for (let k = 0; k < DIRECTIONS.length; k++) out.push(`${DIGIT_NAMES[d]} moving ${DIRECTIONS[k]}`);
  return out;
}

export function movingPrompts(cls: number): string[] {
  const digit = Math.floor(cls / DIRECTIONS.length);
  const dir = DIRECTIONS[cls % DIRECTIONS.length];
  return MOVING_TEMPLATES.map((t) => fill(t, DIGIT_NAMES[digit], dir));
}

/**
 * Held-out digit x direction combinations: the zero-shot test classes. One per odd digit, with
 * the direction cycling, so every digit word and every direction word still occurs in training
 * captions (only the combination is new).
 */
export const ZERO_SHOT_CLASSES: readonly number[] = [1, 3, 5, 7, 9].map((d, i) => movingClass(d, i % DIRECTIONS.length));

/** What the spoken part says for each label: digits 0-9, then the Fashion class names. */
export const SPOKEN_DIGIT_WORDS: readonly string[] = DIGIT_NAMES;
export const SPOKEN_FASHION_WORDS: readonly string[] = FASHION_NAMES;

export function spokenPrompts(word: string): string[] {
  return [`someone saying ${word}`, `the spoken word ${word}`, `a voice says ${word}`];
}

/** Every template-made caption/prompt of the labelled parts (the vocabulary's fixed half). */
export function allTemplateTexts(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 10; i++) out.push(...digitPrompts(i), ...fashionPrompts(i));
  for (let c = 0; c < 40; c++) out.push(...movingPrompts(c));
  for (const w of [...SPOKEN_DIGIT_WORDS, ...SPOKEN_FASHION_WORDS]) out.push(...spokenPrompts(w));
  return out;
}
