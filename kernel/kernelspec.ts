/**
 * Writes the Jupyter kernelspec `imp-lab` ("IMP Lab (TypeScript)") so `jupyter kernelspec list`
 * shows it. The argv holds absolute paths (this Node binary and this installation's compiled
 * kernel), so the kernel starts from any working directory.
 *
 * @example
 * ```ts
 * import { installKernelspec } from './kernelspec';
 * const dir = installKernelspec({ prefix: '/tmp/jp' }); // /tmp/jp/share/jupyter/kernels/imp-lab
 * ```
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../src/imp/core/errors';

export const KERNEL_NAME = 'imp-lab';
export const DISPLAY_NAME = 'IMP Lab (TypeScript)';

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The kernel.json content for this installation. */
export function kernelSpec(root = path.resolve(__dirname, '..', '..')): KernelSpec {
  return {
    argv: [process.execPath, path.join(root, 'dist', 'kernel', 'main.js'), '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    // SIGINT also breaks synchronous cell code (Node's breakOnSigint), which a control message
    // cannot; the kernel answers interrupt_request too, for clients that send it.
    interrupt_mode: 'signal',
    env: {},
    metadata: { debugger: false },
  };
}

export interface InstallOptions {
  /** Install under `PREFIX/share/jupyter/kernels`. */
  prefix?: string;
  /** Install into the per-user data dir (default when no prefix is given). */
  user?: boolean;
}

/** The per-user Jupyter data dir, honouring JUPYTER_DATA_DIR as jupyter_core does. */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'jupyter');
}

/** Writes kernel.json (and a logo) and returns the kernelspec folder. */
export function installKernelspec(opts: InstallOptions = {}): string {
  if (opts.prefix !== undefined && opts.user) throw new ConfigError('install', '--user and --prefix', 'one of --user or --prefix DIR');
  if (opts.prefix !== undefined && opts.prefix.trim() === '') throw new ConfigError('--prefix', opts.prefix, 'a folder path');
  const base = opts.prefix !== undefined ? path.join(path.resolve(opts.prefix), 'share', 'jupyter') : userDataDir();
  const dir = path.join(base, 'kernels', KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const spec = kernelSpec();
  fs.writeFileSync(path.join(dir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'logo-svg.svg'), LOGO);
  return dir;
}

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" rx="10" fill="#3178c6"/><text x="32" y="42" font-family="sans-serif" font-size="24" font-weight="bold" fill="#fff" text-anchor="middle">IMP</text>
</svg>
`;
