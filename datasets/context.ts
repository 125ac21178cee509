/** What every part builder receives: the output folder, the size mode, and a progress sink. */
export interface BuildContext {
  out: string;
  /** A small build (a few thousand samples in all) for tests and quick looks. */
  small: boolean;
  progress(part: string, message: string): void;
  /** OpenMoji raster size in pixels (default 64). */
  emojiSize?: number;
  /** Also keep each synthesised utterance as the synthesiser's WAV (spoken/wav/, ~110 MB in full). */
  keepWav?: boolean;
}
