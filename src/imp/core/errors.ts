/**
 * Typed errors of IMP Lab. Every message names what was received and what is allowed, so a
 * researcher can fix a config without reading the source.
 *
 * @example
 * ```ts
 * import { ConfigError } from 'imp-lab';
 * try { throw new ConfigError('model.moe.numExperts', 0, 'an integer >= 1'); }
 * catch (e) { console.log((e as Error).message); }
 * // model.moe.numExperts: got 0; allowed: an integer >= 1
 * ```
 */
export class ImpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return String(value);
  }
}

/** A config field has a wrong type or value. `field` is its dotted path. */
export class ConfigError extends ImpError {
  constructor(readonly field: string, readonly received: unknown, readonly allowed: string) {
    super(`${field}: got ${show(received)}; allowed: ${allowed}`);
  }
}

/** A tensor has the wrong rank, size or dtype for the operation. */
export class ShapeError extends ImpError {
  constructor(readonly what: string, readonly received: unknown, readonly expected: string) {
    super(`${what}: got shape ${show(received)}; expected ${expected}`);
  }
}

/** A data file or batch is missing, corrupt or inconsistent. `file` names it when there is one. */
export class DataError extends ImpError {
  constructor(message: string, readonly file?: string, readonly fix?: string) {
    super(`${file ? `${file}: ` : ''}${message}${fix ? ` (fix: ${fix})` : ''}`);
  }
}

/** A checkpoint or run folder cannot be used (corrupt, truncated, from another config). */
export class CheckpointError extends ImpError {
  constructor(message: string, readonly path?: string) {
    super(`${path ? `${path}: ` : ''}${message}`);
  }
}

/** A registry lookup failed or a name was registered twice. */
export class RegistryError extends ImpError {}

/** A training loop was stopped from outside (notebook interrupt) between two steps. */
export class InterruptError extends ImpError {
  constructor(message = 'KeyboardInterrupt: training stopped between two steps') {
    super(message);
  }
}
