import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../core/errors';
import { WordTokenizer, words } from './tokenizer';

test('words: lower-cased, split on non-alphanumerics', () => {
  assert.deepEqual(words('T-shirt/top, Ankle Boot!'), ['t', 'shirt', 'top', 'ankle', 'boot']);
  assert.deepEqual(words('flag: Åland Islands'), ['flag', 'åland', 'islands']);
});

test('WordTokenizer: ids by frequency then alphabet; pad 0, unknown 1; truncation', () => {
  // counts: a=3, handwritten=2, one=1, seven=1, zero=1 -> ids 2, 3, then one/seven/zero alphabetical
  const tok = WordTokenizer.fromTexts(['a handwritten seven', 'a handwritten one', 'a zero']);
  assert.deepEqual(tok.vocab, ['<pad>', '<unk>', 'a', 'handwritten', 'one', 'seven', 'zero']);
  assert.equal(tok.vocabSize, 7);
  assert.deepEqual([...tok.encode('a handwritten seven', 5)], [2, 3, 5, 0, 0]);
  assert.deepEqual([...tok.encode('A zebra one', 3)], [2, 1, 4]);
  assert.deepEqual([...tok.encode('a a a a a', 2)], [2, 2]);
  assert.equal(tok.decode(tok.encode('a handwritten zebra', 4)), 'a handwritten <unk>');
  assert.equal(tok.covers('a zero'), true);
  assert.equal(tok.covers('a zebra'), false);
  assert.throws(() => tok.encode('a', 0), ConfigError);
  assert.throws(() => new WordTokenizer(['a', 'b']), /vocab\[0\.\.1\]: got \["a","b"\]/);
});
