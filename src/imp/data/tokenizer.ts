/**
 * The benchmark's word-level tokenizer: one vocabulary built from every caption and prompt of
 * every part, so a single text embedder serves all tasks. Id 0 is padding, id 1 is unknown;
 * the other ids are words by descending frequency (ties alphabetical), so two builds from the
 * same captions give the same ids.
 */
import { ConfigError, DataError } from '../core/errors';
import { readVerified, requirePart, resolveDataDir } from './manifest';
import type { Tokenizer } from './types';

export const PAD_ID = 0;
export const UNK_ID = 1;
const SPECIALS = ['<pad>', '<unk>'];

/** Lower-cases and splits on anything that is not a letter or digit ("T-shirt/top" -> t, shirt, top). */
export function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A word-level tokenizer over a fixed vocabulary.
 *
 * @example
 * ```ts
 * const tok = WordTokenizer.fromTexts(['a handwritten seven', 'a handwritten one']);
 * tok.encode('a handwritten seven', 5); // Int32Array [2, 3, 4, 0, 0] (ids by frequency)
 * tok.decode(tok.encode('a handwritten zebra', 4)); // 'a handwritten <unk>'
 * ```
 */
export class WordTokenizer implements Tokenizer {
  private readonly ids = new Map<string, number>();

  constructor(readonly vocab: readonly string[]) {
    if (vocab[0] !== SPECIALS[0] || vocab[1] !== SPECIALS[1]) {
      throw new ConfigError('vocab[0..1]', vocab.slice(0, 2), '["<pad>", "<unk>"]');
    }
    vocab.forEach((w, i) => this.ids.set(w, i));
  }

  /** Builds the vocabulary from texts: words by descending count, ties alphabetical. */
  static fromTexts(texts: Iterable<string>): WordTokenizer {
    const counts = new Map<string, number>();
    for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new WordTokenizer([...SPECIALS, ...sorted.map(([w]) => w)]);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Word ids, truncated to maxLength and right-padded with 0. */
  encode(text: string, maxLength: number): Int32Array {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new ConfigError('textLength', maxLength, 'an integer >= 1');
    const out = new Int32Array(maxLength);
    const ws = words(text);
    for (let i = 0; i < Math.min(ws.length, maxLength); i++) out[i] = this.ids.get(ws[i]) ?? UNK_ID;
    return out;
  }

  /** Ids back to words, skipping padding. */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === PAD_ID) continue;
      out.push(this.vocab[id] ?? SPECIALS[1]);
    }
    return out.join(' ');
  }

  /** True when every word of `text` is in the vocabulary. */
  covers(text: string): boolean {
    return words(text).every((w) => this.ids.has(w));
  }
}

const cache = new Map<string, WordTokenizer>();

/**
 * The shared tokenizer of the built benchmark (`<dir>/text/vocab.json`, hash-checked).
 *
 * @example
 * ```ts
 * const tok = benchmarkTokenizer();
 * tok.encode('a handwritten seven', 8);
 * ```
 */
export function benchmarkTokenizer(dir?: string): WordTokenizer {
  const d = resolveDataDir(dir);
  // Keyed by the vocabulary's hash, so a rebuild in the same process is picked up.
  const key = `${d}:${requirePart(d, 'text').files['text/vocab.json']?.sha256}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const bytes = readVerified(d, 'text', 'text/vocab.json');
  let vocab: unknown;
  try {
    vocab = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new DataError(`vocabulary is not valid JSON (${(e as Error).message})`, `${d}/text/vocab.json`);
  }
  if (!Array.isArray(vocab) || vocab.some((w) => typeof w !== 'string')) {
    throw new DataError('vocabulary must be a JSON array of strings', `${d}/text/vocab.json`);
  }
  const tok = new WordTokenizer(vocab as string[]);
  cache.set(key, tok);
  return tok;
}
