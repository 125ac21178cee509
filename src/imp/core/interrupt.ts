/**
 * The notebook interrupt flag. The kernel sets it when the user presses "interrupt" (SIGINT or
 * an `interrupt_request`); training loops check it between two steps and stop with an
 * `InterruptError`, so the model, optimizer and metric frames stay intact and usable.
 *
 * It is one process-wide flag on purpose: the kernel and the library are loaded once per kernel
 * process, and a cell may start several loops; all of them should stop.
 *
 * @example
 * ```ts
 * import { requestInterrupt, throwIfInterrupted, clearInterrupt } from 'imp-lab';
 * requestInterrupt();
 * try { throwIfInterrupted(); } catch (e) { console.log((e as Error).name); } // InterruptError
 * clearInterrupt();
 * ```
 */
import { InterruptError } from './errors';

// Kept on globalThis so that two copies of this module (for example one loaded from dist/ by the
// kernel and one bundled elsewhere) still share the flag.
const KEY = Symbol.for('imp-lab.interrupt');
type FlagHolder = { [KEY]?: { requested: boolean } };
function flag(): { requested: boolean } {
  const g = globalThis as FlagHolder;
  return (g[KEY] ??= { requested: false });
}

/** Asks every running training loop to stop at its next step boundary. */
export function requestInterrupt(): void {
  flag().requested = true;
}

/** Clears the request; the kernel calls it before each cell. */
export function clearInterrupt(): void {
  flag().requested = false;
}

/** True while an interrupt is pending. */
export function interruptRequested(): boolean {
  return flag().requested;
}

/** Throws `InterruptError` when an interrupt is pending; call it between two training steps. */
export function throwIfInterrupted(): void {
  if (flag().requested) throw new InterruptError();
}
