/*
 * The parent of a sharded run: one child process per shard, each the CLI
 * itself (`run … --shard-index i --shard-count K --shard-ipc`), forked, so each
 * has its own scheduler, its own single host timer, its own vm.max_map_count
 * and its own address space (why not worker threads: docs/FLEETS.md).
 *
 * The parent hands each shard its slice of instance numbers (shard-plan.ts),
 * counts what settles for one progress display, and folds the shards' reports
 * into one RunSummary (shard-merge.ts). A shard that exits without reporting,
 * or stays silent for `timeoutMs` (then it is killed), is lost: each of its
 * instances that had not settled is reported as trapped, with the reason. The
 * other shards run on; the run ends when every shard process has exited.
 * A shard that exits 2 without reporting could not use the component (the
 * same for every shard): the run stops with its message, as one process would.
 * A durable run (durable-shards.ts) asks for `restarts`: a shard lost any other
 * way is forked again with the same arguments, up to that many times, and
 * resumes its actors from their logs; what it had reported stays counted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { shardSlice, type ShardSlice } from '../runtime/shard-plan.ts';
import type { RunCommand } from './args.ts';
import { fromWire, HEARTBEAT_MS, type ShardMessage } from './shard-child.ts';
import type { Failure, RunSummary } from './summary.ts';

/**
 * Default silence after which a shard is taken for stalled and killed
 * ($THEATER_TIMING_SHARD_TIMEOUT_MS). A shard is silent while its loop is busy:
 * starting all its inits at once, or resuming a tick's batch. Measured with 16
 * shards of 100 000 sleepers on 2 cores at load average 13-22: gaps of up to
 * 10 s, and a 15 s timeout killed 15 of the 16 shards once. 60 s leaves room;
 * a shard that crashes is seen at once, whatever the timeout.
 */
export const SHARD_TIMEOUT_MS = 60_000;
/** $THEATER_TIMING_SHARD_TIMEOUT_MS, validated, else SHARD_TIMEOUT_MS. */
export function shardTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  if (text === undefined) return SHARD_TIMEOUT_MS;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`THEATER_TIMING_SHARD_TIMEOUT_MS: expected a positive integer (ms), got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Silence allowed before a shard's first heartbeat, when longer than the
 * timeout: a starting Node process on a loaded machine can take seconds
 * to load the CLI, and a test may set a short timeout.
 */
export const SHARD_STARTUP_MS = 30_000;
/**
 * V8 flags added for shard processes: none on the command line. A shard runs the
 * CLI's own entry, which sets FLEET_V8_FLAGS at start (runtime/gc-flags.ts): the
 * full GCs that followed every 64 MiB of wasm memories are what those change.
 * Heap-sizing flags (--max-semi-space-size=64, --initial-old-space-size=512,
 * --single-threaded-gc) did not move them (docs/FLEETS.md). The parent's own
 * flags are passed on.
 */
export const SHARD_EXEC_ARGV: readonly string[] = [];
const STDERR_KEPT = 4096;

export interface Shard {
  slice: ShardSlice;
  eventsPath: string | null;
  /** Per instance of the slice: 1 once it settled. */
  settled: Uint8Array;
  settledCount: number;
  ok: number;
  failures: Failure[];
  summary: RunSummary | null;
  startedAtMs: number;
  lastHeardMs: number;
  heard: boolean;
  stalled: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  stderr: string;
  /** Times it was forked again after being lost. */
  restarts: number;
  /** What the last child sent with its summary besides it (durable-shards.ts: its resume counts). */
  extra: unknown;
}

export interface ShardRunInput {
  entry: string;
  /** Instances in the fleet, cut into `count` slices. */
  total: number;
  count: number;
  /** The CLI arguments of shard i (runChildArgs for a run). */
  args: (index: number) => string[];
  /** Pass the shards' stdout (their actors' output lines) to stderr, not stdout (--json owns stdout). */
  json: boolean;
  /** Where shard i writes its chain (--events), or null for no recording. */
  events: ((index: number) => string) | null;
  timeoutMs: number;
  /** Times a lost shard is forked again (default 0: a lost shard's instances are reported lost). */
  restarts?: number;
  /** Told when a lost shard is forked again, before it is. */
  onRestart?: (shard: Shard) => void;
  onProgress?: (settled: number, total: number) => void;
  /** Told of each shard process as it is forked (the parent stops them if it is interrupted). */
  onChild?: (child: ChildProcess) => void;
}

/** The arguments of shard `index` of a sharded `run`. */
export function runChildArgs(command: RunCommand, index: number, count: number, eventsPath: string | null): string[] {
  const args = ['run', command.manifest, '--instances', String(command.instances), '--shard-index', String(index),
    '--shard-count', String(count), '--shard-ipc', '--mode', command.mode];
  if (command.maxLive !== null) args.push('--max-live', String(command.maxLive));
  if (command.chainFormat !== 'jsonl') args.push('--chain-format', command.chainFormat);
  if (command.clock !== 'real') args.push('--clock', command.clock);
  if (command.coarseTimer) args.push('--coarse-timer');
  if (command.startWallNs !== null) args.push('--start-time', rfc3339(command.startWallNs));
  if (command.state !== null) args.push('--state-hex', Buffer.from(command.state).toString('hex'));
  if (eventsPath !== null) args.push('--events', eventsPath);
  return args;
}

/** ns since the epoch as RFC 3339 with all nine fraction digits, as --start-time reads it back exactly. */
export function rfc3339(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${date}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

function receive(shard: Shard, message: ShardMessage, now: number): number {
  shard.lastHeardMs = now;
  shard.heard = true;
  if (message.type === 'done') {
    shard.summary = fromWire(message.summary);
    shard.startedAtMs = message.startedAtMs;
    shard.extra = message.extra;
    return 0;
  }
  let fresh = 0;
  for (const instance of message.ok) fresh += mark(shard, instance) ? 1 : 0;
  shard.ok += fresh;
  for (const failure of message.failed) {
    if (!mark(shard, failure.instance)) continue;
    fresh++;
    shard.failures.push(failure);
  }
  return fresh;
}

function mark(shard: Shard, instance: number): boolean {
  const at = instance - shard.slice.first;
  if (at < 0 || at >= shard.slice.instances || shard.settled[at] === 1) return false;
  shard.settled[at] = 1;
  shard.settledCount++;
  return true;
}

/** Runs every shard to its end; resolves with each shard's state (merge with shard-merge.ts). */
export function runShards(input: ShardRunInput): Promise<Shard[]> {
  const { count, total } = input;
  let settled = 0;
  const shards: Shard[] = [];
  const children: ChildProcess[] = [];
  return new Promise((resolve) => {
    let running = count;
    const check = setInterval(() => {
      const now = Date.now();
      shards.forEach((shard, i) => {
        const allowedMs = shard.heard ? input.timeoutMs : Math.max(input.timeoutMs, SHARD_STARTUP_MS);
        if (shard.exit === null && !shard.stalled && now - shard.lastHeardMs > allowedMs) {
          shard.stalled = true;
          children[i].kill('SIGKILL');
        }
      });
    }, HEARTBEAT_MS);
    const start = (shard: Shard): void => {
      const child = fork(input.entry, input.args(shard.slice.index), {
        // The parent's flags, less a debugger's: K shards cannot all listen on its port.
        execArgv: [...process.execArgv.filter((flag) => !/^--(inspect|debug)/.test(flag)), ...SHARD_EXEC_ARGV],
        // A shard's stdout carries only its actors' output lines (actor-output.ts): passed through.
        stdio: ['ignore', input.json ? 2 : 1, 'pipe', 'ipc'],
      });
      children[shard.slice.index] = child;
      input.onChild?.(child);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => { shard.stderr = (shard.stderr + text).slice(-STDERR_KEPT); });
      child.on('message', (message: ShardMessage) => {
        if (children[shard.slice.index] !== child) return; // a late word from a child already replaced
        const fresh = receive(shard, message, Date.now());
        if (fresh > 0) {
          settled += fresh;
          input.onProgress?.(settled, total);
        }
      });
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (ended) return;
        ended = true;
        shard.exit = { code, signal };
        if (shard.summary === null && code !== 2 && shard.restarts < (input.restarts ?? 0)) {
          input.onRestart?.(shard);
          restart(shard);
          start(shard);
        } else if (--running === 0) {
          clearInterval(check);
          resolve(shards);
        }
      };
      // 'close', not 'exit': it comes after the IPC channel has delivered every message.
      child.on('close', end);
      child.on('error', (error) => {
        shard.stderr += `\n${error.message}`;
        if (child.pid === undefined) end(null, null); // never started: no 'close' follows
      });
    };
    for (let index = 0; index < count; index++) {
      const slice = shardSlice(total, index, count);
      const shard: Shard = {
        slice, eventsPath: input.events === null ? null : input.events(index), settled: new Uint8Array(slice.instances), settledCount: 0, ok: 0, failures: [],
        summary: null, startedAtMs: Date.now(), lastHeardMs: Date.now(), heard: false, stalled: false, exit: null, stderr: '', restarts: 0, extra: undefined,
      };
      shards.push(shard);
      start(shard);
    }
  });
}

/** A lost shard about to be forked again: alive and unheard, what it settled kept. */
function restart(shard: Shard): void {
  shard.restarts++;
  shard.exit = null;
  shard.stalled = false;
  shard.heard = false;
  shard.lastHeardMs = Date.now();
  shard.startedAtMs = Date.now();
}
