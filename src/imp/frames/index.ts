/**
 * Results frames: long-form arquero tables with fixed schemas (schemas.ts), written by the
 * trainer through a recorder, stored as Arrow IPC in the run folder, re-opened with `open`.
 *
 * @example
 * ```ts
 * import { frames } from 'imp-lab';
 * const rec = frames.createRecorder({ dir: 'runs/a', run: 'a' });
 * rec.metric(0, 'mnist-cls', 'image', 'loss', 2.31);
 * await rec.close();
 * frames.open('runs/a').metrics.print();
 * ```
 */
export * from './schemas';
export { emptyFrame, encodeFrame, readFrame, writeFrame, FRAMES_VERSION } from './arrow_io';
export type { Frame, FrameFile } from './arrow_io';
export { createRecorder } from './recorder';
export type { Recorder, RecorderOptions, RunTables } from './recorder';
export { openRun, openRun as open, concatRuns } from './open';
export type { RunFrames, RunsFrames } from './open';
export { confusionRows, recallRows } from './eval_rows';
