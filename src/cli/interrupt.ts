// An interrupted run (SIGINT, SIGTERM, SIGHUP) first removes what it had
// started to write (temporary chain files, the shards' spool folder, the shard
// processes themselves), then dies of the same signal, so a shell or a job
// runner sees the usual "killed by SIGTERM" (exit 143). Targets are never touched:
// they are replaced only on commit (events/chain-file.ts).

export const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs `cleanup` on the first of SIGNALS, then re-raises it; returns the function that stops listening. */
export function onInterrupt(cleanup: () => void): () => void {
  const stop = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    stop();
    try {
      cleanup();
    } finally {
      process.kill(process.pid, signal);
    }
  }
  for (const signal of SIGNALS) process.on(signal, handler);
  return stop;
}
