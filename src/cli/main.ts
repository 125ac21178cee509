/**
 * The `imp-lab` command line. Each subcommand lives in its own module; this file only
 * dispatches, so `imp-lab <cmd> --help` works for every command.
 */
import { runBenchCommand } from './bench';
import { runData } from './data';
import { runTrain } from './train';
import { runInstall, runKernel, runLab, runRun } from './kernel';

type Command = { summary: string; run: (args: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  // Entries are added by each feature module: train, data, install, lab, run, bench.
  train: { summary: 'train an experiment with AGD (train --list shows them)', run: runTrain },
  install: { summary: 'install the "IMP Lab (TypeScript)" Jupyter kernelspec', run: runInstall },
  lab: { summary: 'start JupyterLab (or Notebook) on 127.0.0.1 with the notebooks', run: runLab },
  run: { summary: 'execute a notebook headlessly through the kernel', run: runRun },
  kernel: { summary: 'the kernel process (started by Jupyter with a connection file)', run: runKernel },
  data: { summary: 'build or describe the offline benchmark (data build|info)', run: runData },
  bench: { summary: 'time reference training steps per backend against PyTorch (bench --quick)', run: runBenchCommand },
};

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return `usage: imp-lab <command> [options]\n\ncommands:\n${rows.join('\n')}\n`;
}

/** Runs the CLI with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage());
    return cmd ? 0 : 2;
  }
  const c = commands[cmd];
  if (!c) {
    process.stderr.write(`imp-lab: unknown command ${JSON.stringify(cmd)}; known: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  return c.run(rest);
}
