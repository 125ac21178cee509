/**
 * Kernel diagnostics. They go to the process's real stderr (the Jupyter server's log), captured
 * here before the kernel redirects `process.stderr` into the notebook's stream messages.
 */
const realWrite = process.stderr.write.bind(process.stderr);

export type Log = (message: string) => void;

/** Writes one `[imp-lab kernel] ...` line to the real stderr unless IMP_LAB_KERNEL_QUIET is set. */
export const log: Log = (message) => {
  if (process.env.IMP_LAB_KERNEL_QUIET) return;
  realWrite(`[imp-lab kernel] ${message}\n`);
};
