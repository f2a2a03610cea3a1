// What every CLI command shares: where output goes, and the exit codes.
//   0 every init ok · 1 an init returned err (or a chain is invalid) ·
//   2 bad invocation, manifest, config or component · 3 an actor trapped (wins over 1)
export const EXIT_OK = 0;
export const EXIT_ERR = 1;
export const EXIT_USAGE = 2;
export const EXIT_TRAP = 3;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTTY: boolean;
  /** The script a shard process runs: this CLI's own entry (default process.argv[1]). */
  entry?: string;
}
