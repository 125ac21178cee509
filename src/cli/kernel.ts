/**
 * The notebook subcommands of `imp-lab`:
 * - `imp-lab install [--user | --prefix DIR]`  write the "IMP Lab (TypeScript)" kernelspec
 * - `imp-lab lab [--port N] [--dir DIR]`       start JupyterLab (or Notebook) on 127.0.0.1
 * - `imp-lab run NOTEBOOK [--out FILE]`        execute a notebook headlessly through the kernel
 * - `imp-lab kernel CONNECTION_FILE`           the kernel process itself (what Jupyter starts)
 *
 * @example
 * ```sh
 * imp-lab install --user && jupyter kernelspec list   # shows imp-lab
 * imp-lab run notebooks/quickstart.ipynb --out /tmp/quickstart.ipynb
 * ```
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { installKernelspec, KERNEL_NAME, userDataDir } from '../../kernel/kernelspec';
import { runNotebook } from '../../kernel/runner';
import { startKernel } from '../../kernel/kernel';
import { ImpError } from '../imp/core/errors';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Parses `--flag value` / `--flag=value` / `--switch` options after positional arguments. */
function parse(args: string[], valued: string[], switches: string[]): { pos: string[]; opts: Record<string, string | true> } {
  const pos: string[] = [];
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { pos.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(name)) opts[name] = true;
    else if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new ImpError(`--${name} needs a value`);
      opts[name] = v;
    } else throw new ImpError(`unknown option --${name}; allowed: ${[...valued, ...switches].map((s) => `--${s}`).join(', ') || 'none'}`);
  }
  return { pos, opts };
}

async function guard(usage: string, args: string[], body: () => Promise<number>): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    return await body();
  } catch (e) {
    process.stderr.write(`imp-lab: ${(e as Error).message}\n${usage}\n`);
    return 2;
  }
}

/** `imp-lab install [--user | --prefix DIR]` */
export function runInstall(args: string[]): Promise<number> {
  return guard('usage: imp-lab install [--user | --prefix DIR]', args, async () => {
    const { pos, opts } = parse(args, ['prefix'], ['user']);
    if (pos.length) throw new ImpError(`unexpected argument ${JSON.stringify(pos[0])}`);
    const dir = installKernelspec({ prefix: opts.prefix as string | undefined, user: opts.user === true });
    process.stdout.write(`installed kernelspec ${KERNEL_NAME} in ${dir}\n`);
    return 0;
  });
}

/** `imp-lab run NOTEBOOK [--out FILE] [--timeout SECONDS]` */
export function runRun(args: string[]): Promise<number> {
  return guard('usage: imp-lab run NOTEBOOK [--out FILE] [--timeout SECONDS_PER_CELL]', args, async () => {
    const { pos, opts } = parse(args, ['out', 'timeout'], []);
    if (pos.length !== 1) throw new ImpError(`expected one NOTEBOOK, got ${pos.length}`);
    const timeout = opts.timeout === undefined ? 600 : Number(opts.timeout);
    if (!(timeout > 0)) throw new ImpError(`--timeout: got ${JSON.stringify(opts.timeout)}; allowed: seconds > 0`);
    const r = await runNotebook(pos[0], {
      out: opts.out as string | undefined,
      cellTimeoutMs: timeout * 1000,
      onCell: (i, n, status) => process.stderr.write(`[run] cell ${i}/${n}: ${status}\n`),
    });
    if (!r.ok && r.failure) {
      const f = r.failure;
      process.stderr.write(`imp-lab run: cell ${f.cell} failed: ${f.ename}: ${f.evalue}\n${f.traceback.join('\n')}\n`);
      process.stderr.write(`wrote ${r.out} (${r.cellsRun} cells run)\n`);
      return 1;
    }
    process.stdout.write(`wrote ${r.out} (${r.cellsRun} cells run)\n`);
    return 0;
  });
}

/** `imp-lab kernel CONNECTION_FILE` — runs until a shutdown_request. */
export function runKernel(args: string[]): Promise<number> {
  return guard('usage: imp-lab kernel CONNECTION_FILE', args, async () => {
    if (args.length !== 1) throw new ImpError(`expected one CONNECTION_FILE, got ${args.length} arguments`);
    const kernel = await startKernel(args[0]);
    await kernel.stopped;
    return 0;
  });
}

function which(names: string[]): string | null {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(path.delimiter)];
  for (const n of names) for (const d of dirs) {
    const p = path.join(d, n);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

/** `imp-lab lab [--port N] [--dir DIR]` — JupyterLab if installed, else the classic Notebook. */
export function runLab(args: string[]): Promise<number> {
  return guard('usage: imp-lab lab [--port N] [--dir DIR]', args, async () => {
    const { pos, opts } = parse(args, ['port', 'dir'], []);
    if (pos.length) throw new ImpError(`unexpected argument ${JSON.stringify(pos[0])}`);
    const app = which(['jupyter-lab']) ?? which(['jupyter-notebook']);
    if (!app) throw new ImpError('neither jupyter-lab nor jupyter-notebook is installed (Debian: apt-get install jupyter-notebook)');
    const env = { ...process.env };
    // Without a user-level install, use a private copy of the kernelspec for this session only.
    if (!fs.existsSync(path.join(userDataDir(), 'kernels', KERNEL_NAME, 'kernel.json'))) {
      const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'imp-lab-spec-'));
      installKernelspec({ prefix });
      env.JUPYTER_PATH = [path.join(prefix, 'share', 'jupyter'), env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
    }
    const dir = path.resolve((opts.dir as string | undefined) ?? path.join(ROOT, 'notebooks'));
    const argv = ['--ip=127.0.0.1', '--no-browser', `--notebook-dir=${dir}`];
    if (opts.port) argv.push(`--port=${opts.port}`);
    // Jupyter refuses to run as root without this (containers often run as root).
    if (process.getuid?.() === 0) argv.push('--allow-root');
    process.stderr.write(`starting ${app} ${argv.join(' ')}\n`);
    const child = spawn(app, argv, { stdio: 'inherit', env });
    return new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  });
}
