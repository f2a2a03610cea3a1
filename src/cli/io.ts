// What every CLI command shares: where output goes, and the exit codes.
//   0 every init ok · 1 an init returned err (or a chain is invalid) ·
//   2 bad invocation, manifest, config or component, or the chain could not be written ·
//   3 an actor trapped (or virtual time can never wake it) · 4 a replay diverged from its
//   recording. Precedence: 4 over 3 over 1 over a failed chain write (2): the run's
//   outcome is never hidden; the write failure is always on stderr.
export const EXIT_OK = 0;
export const EXIT_ERR = 1;
export const EXIT_USAGE = 2;
export const EXIT_TRAP = 3;
export const EXIT_DIVERGED = 4;

import { safeText } from '../base/text.ts';
import type { ChainFs } from '../events/chain-file.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTTY: boolean;
  /** The file system chain files are written through (default node:fs; a test can fill the disk). */
  chainFs?: ChainFs;
  /** The script a shard process runs: this CLI's own entry (default process.argv[1]). */
  entry?: string;
}

const PROGRESS_EVERY_MS = 100;

/** `<name>: settled/total settled` on stderr, at most every 100 ms; only on a terminal, and only for a fleet. */
export function progress(name: string, io: CliIo, total: number): ((settled: number, total: number) => void) | undefined {
  if (!io.isTTY || total <= 1) return undefined;
  let last = 0;
  return (settled) => {
    const now = Date.now();
    if (settled < total && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    io.stderr(`\r${safeText(name)}: ${settled}/${total} settled${settled === total ? '\n' : ''}`);
  };
}
