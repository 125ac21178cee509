#!/usr/bin/env node
/**
 * The kernel process entry that Jupyter starts: `node dist/kernel/main.js {connection_file}`.
 * (`imp-lab kernel {connection_file}` does the same through the CLI.)
 */
import { startKernel } from './kernel';
import { log } from './log';

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    log('usage: node dist/kernel/main.js CONNECTION_FILE');
    process.exit(2);
  }
  startKernel(file).catch((e) => {
    log(`cannot start: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
