/**
 * Compute backend selection. Order for `auto`: `tensorflow` (tfjs-node / tfjs-node-gpu, only when
 * already installed), then the project's native CPU backend (when its addon built), then `wasm`,
 * then `cpu`. The choice comes from the argument, else the IMP_BACKEND environment variable,
 * else `auto`.
 *
 * @example
 * ```ts
 * import { initBackend } from 'imp-lab';
 * const name = await initBackend('cpu'); // 'cpu'
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConfigError } from '../core/errors';
import { registerNativeBackend } from './native';
import { loadWasmBackend } from './wasm';

export const BACKEND_NAMES = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Loaders for optional backends; each returns false when the backend cannot load here. */
const loaders: Record<Exclude<BackendName, 'auto' | 'cpu'>, () => Promise<boolean>> = {
  tensorflow: async () => {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        require(pkg);
        return tf.findBackend('tensorflow') !== null;
      } catch {
        // not installed here: fall through
      }
    }
    return false;
  },
  native: async () => registerNativeBackend(),
  wasm: () => loadWasmBackend(),
};

/** Registers a loader for an optional backend (used by the native backend module). */
export function setBackendLoader(name: 'tensorflow' | 'native' | 'wasm', load: () => Promise<boolean>): void {
  loaders[name] = load;
}

function parseName(value: unknown, field: string): BackendName {
  if (typeof value !== 'string' || !(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new ConfigError(field, value, BACKEND_NAMES.map((n) => `"${n}"`).join(' | '));
  }
  return value as BackendName;
}

/**
 * Selects and initialises a backend; returns the name of the backend in use. Throws a
 * ConfigError for an unknown name and an Error when an explicitly requested backend cannot load.
 */
export async function initBackend(requested?: string): Promise<string> {
  const name = requested !== undefined ? parseName(requested, 'backend')
    : process.env.IMP_BACKEND ? parseName(process.env.IMP_BACKEND, 'IMP_BACKEND') : 'auto';
  const order: Exclude<BackendName, 'auto'>[] = name === 'auto' ? ['tensorflow', 'native', 'wasm', 'cpu'] : [name];
  for (const b of order) {
    if (b !== 'cpu' && !(await loaders[b]())) continue;
    if (await tf.setBackend(b)) {
      await tf.ready();
      return tf.getBackend();
    }
  }
  throw new Error(`backend "${name}" could not be initialised on this machine`);
}

/** The backend currently in use. */
export function currentBackend(): string {
  return tf.getBackend();
}

export { geluTanh } from './ops';
export { addonError, nativeKernelNames, registerNativeBackend } from './native';
export { loadWasmBackend, wasmThreads } from './wasm';
