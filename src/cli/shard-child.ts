// The shard side of a sharded run: what a shard process tells its parent over
// the IPC channel of child_process.fork.
//
//   settled   every HEARTBEAT_MS, whether or not anything settled: the instances
//             that settled since the last one (numbers for ok, details for
//             failures). It is the heartbeat too: a parent that hears nothing
//             for its timeout takes the shard for stalled (shard-parent.ts).
//   done      once, after the shard's chain file is written: its RunSummary
//             (and, from a durable shard, its resume counts: `extra`).
// A shard whose parent goes away (the channel closes) exits at once: there is
// nobody left to report to.
import type { InstanceResult } from '../runtime/fleet.ts';
import { failureOf } from './local-run.ts';
import type { Failure, RunSummary } from './summary.ts';

/** How often a shard reports (and so proves it is alive). */
export const HEARTBEAT_MS = 250;

/** RunSummary with the state as hex, for the JSON of the IPC channel. */
export type WireSummary = Omit<RunSummary, 'state'> & { state: string | null };

export type ShardMessage =
  | { type: 'settled'; ok: number[]; failed: Failure[] }
  | { type: 'done'; summary: WireSummary; startedAtMs: number; extra?: unknown };

export type Send = (message: ShardMessage, done?: (error: Error | null) => void) => void;

export function toWire(summary: RunSummary): WireSummary {
  return { ...summary, state: summary.state === null ? null : Buffer.from(summary.state).toString('hex') };
}

export function fromWire(summary: WireSummary): RunSummary {
  return { ...summary, state: summary.state === null ? null : Uint8Array.from(Buffer.from(summary.state, 'hex')) };
}

export class ShardReporter {
  #send: Send;
  #ok: number[] = [];
  #failed: Failure[] = [];
  #timer: ReturnType<typeof setInterval>;

  constructor(send: Send) {
    this.#send = send;
    this.#timer = setInterval(() => this.flush(), HEARTBEAT_MS);
    this.flush(); // the first heartbeat: the process is up
  }

  readonly settled = (result: InstanceResult): void => {
    const failure = failureOf(result);
    if (failure === null) this.#ok.push(result.instance);
    else this.#failed.push(failure);
  };

  flush(): void {
    const message: ShardMessage = { type: 'settled', ok: this.#ok, failed: this.#failed };
    this.#ok = [];
    this.#failed = [];
    this.#send(message);
  }

  /** Sends what is left and the summary; resolves once the channel has taken it. */
  finish(summary: RunSummary, startedAtMs: number, extra?: unknown): Promise<void> {
    clearInterval(this.#timer);
    this.flush();
    return new Promise((resolve, reject) => {
      this.#send({ type: 'done', summary: toWire(summary), startedAtMs, extra }, (error) => (error === null ? resolve() : reject(error)));
    });
  }

  /** Stops the heartbeat without a summary (the shard failed before it had one). */
  stop(): void {
    clearInterval(this.#timer);
  }
}
