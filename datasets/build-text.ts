/** Part "text": the shared word vocabulary, from every template caption and OpenMoji annotation. */
import { allTemplateTexts } from '../src/imp/data/captions';
import { WordTokenizer } from '../src/imp/data/tokenizer';
import { openmojiCaptionTexts, readOpenmojiEntries } from './openmoji-entries';
import { PartWriter } from './part-writer';
import type { BuildContext } from './context';

export async function buildText(ctx: BuildContext): Promise<void> {
  const w = new PartWriter(ctx.out, 'text');
  try {
    // All OpenMoji captions, test split included: the vocabulary is a fixed list of words (as
    // any pretrained tokenizer's is); test captions add words, never labels or pairings.
    const texts = [...allTemplateTexts(), ...readOpenmojiEntries().flatMap(openmojiCaptionTexts)];
    const tok = WordTokenizer.fromTexts(texts);
    w.write('vocab.json', `${JSON.stringify(tok.vocab)}\n`);
    ctx.progress('text', `vocabulary of ${tok.vocabSize} words from ${texts.length} captions`);
    w.commit({ options: {}, splits: {}, meta: { vocabSize: tok.vocabSize, captions: texts.length } });
  } catch (e) {
    w.abort();
    throw e;
  }
}
