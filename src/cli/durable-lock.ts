/*
 * One driver per durable folder. Two processes appending to the same logs
 * would interleave records and damage every chain they share, so whatever
 * drives a folder (a one-process run or resume, or the parent of a sharded
 * one) holds <dir>/lock: {"pid": its pid, "shards": its shard processes' pids}.
 *
 *   acquire   create the file exclusively (O_EXCL). If it exists, its owner is
 *             checked: alive -> refused, naming the pid; dead (kill -9, a crash)
 *             -> its shards are given SHARD_EXIT_WAIT_MS to exit (they do as
 *             their parent's channel closes), then the stale lock is replaced.
 *   release   remove the file at the end of the run.
 *
 * A pid is alive when signal 0 reaches it and /proc (where there is one) does
 * not show it a zombie. A pid reused by an unrelated process after a crash
 * gives a refusal that names it and the lock file, which the operator removes.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DurableError } from './durable-run-file.ts';

/** How long a dead driver's shard processes get to exit before the lock is refused. */
export const SHARD_EXIT_WAIT_MS = 5_000;

/** Whether process `pid` still runs. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc here: signal 0 said it is there
  }
}

interface Owner { pid: number; shards: number[] }

function ownerOf(path: string): Owner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    const pids = (list: unknown): number[] => (Array.isArray(list) ? list.filter((p): p is number => Number.isSafeInteger(p) && p > 0) : []);
    return Number.isSafeInteger(parsed.pid) ? { pid: parsed.pid as number, shards: pids(parsed.shards) } : null;
  } catch {
    return null; // gone meanwhile, or torn by a crash mid-write: nobody to wait for
  }
}

export class DurableLock {
  readonly path: string;
  #shards: number[] = [];

  private constructor(path: string) {
    this.path = path;
  }

  /** Takes `<dir>/lock`, or throws a DurableError naming the process that holds it. */
  static async acquire(dir: string, sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))): Promise<DurableLock> {
    const path = join(dir, 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${JSON.stringify({ pid: process.pid, shards: [] })}\n`);
        } finally {
          closeSync(fd);
        }
        return new DurableLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (attempt > 0) throw new DurableError(`${dir}: another process took ${path} meanwhile`);
      }
      const owner = ownerOf(path);
      if (owner !== null && processAlive(owner.pid)) {
        throw new DurableError(`${dir}: in use by pid ${owner.pid} (a run or resume of it is still going): stop it first, or remove ${path} if that process is not one of ours`);
      }
      const waitUntil = Date.now() + SHARD_EXIT_WAIT_MS;
      let living = owner?.shards.filter(processAlive) ?? [];
      for (; living.length > 0 && Date.now() < waitUntil; living = living.filter(processAlive)) await sleep(20);
      if (living.length > 0) throw new DurableError(`${dir}: shard process ${living[0]} of a dead run still runs: stop it first (it writes the logs a resume would read)`);
      rmSync(path, { force: true });
    }
  }

  /** Records a shard process of this driver (so a later acquire waits for it, should this one die). */
  addShard(pid: number | undefined): void {
    if (pid === undefined) return;
    this.#shards.push(pid);
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ pid: process.pid, shards: this.#shards })}\n`);
    renameSync(temp, this.path);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
