// What the command line parses into (args.ts): one command, or a UsageError
// naming the problem (on one line).
import type { ClockKind } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { ChainFormat, Topic } from './flags.ts';

export type { ChainFormat, Topic } from './flags.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunCommand {
  command: 'run';
  manifest: string;
  events: string | null;
  /** jsonl: our JSON Lines (default); theater: Theater's chain.json, one file per instance. */
  chainFormat: ChainFormat;
  instances: number;
  json: boolean;
  maxLive: number | null;
  mode: ExecutionMode | 'auto';
  state: Uint8Array | null;
  clock: ClockKind;
  /** Virtual time: the wall clock's start, ns since the epoch; null for the default. */
  startWallNs: bigint | null;
  /** Serve the actor from this recorded chain instead of a clock. */
  replay: string | null;
  /** --shards: processes to split the fleet over; null = planned (src/runtime/shard-plan.ts). */
  shards: number | null;
  /** --shard-index (or $JOB_COMPLETION_INDEX) with --shard-count: run only that slice. */
  shardIndex: number | null;
  shardCount: number | null;
  /** Internal: this process is a shard of a parent run, reporting over the IPC channel. */
  ipc: boolean;
  /** --coarse-timer: leave every deadline to Node's whole-ms timer (no waits on the thread). */
  coarseTimer: boolean;
  /** --replay-any-component: replay a chain whose ActorIdentity names another component. */
  replayAnyComponent: boolean;
  /** --durable <dir>: keep per-actor logs there for `resume` (null: the manifest's durable key, if any). */
  durable: string | null;
}

export interface ResumeCommand {
  command: 'resume';
  dir: string;
  json: boolean;
  /** --shards: processes to resume over; null: as run.json says. */
  shards: number | null;
  /** A shard process of a sharded durable run (--shard-ipc): its shard, else null. */
  shard: { index: number; count: number } | null;
}

export interface MergeCommand {
  command: 'merge';
  results: string[];
  events: string | null;
  json: boolean;
}

export interface TimelineCommand {
  command: 'timeline';
  chains: string[];
  /** null: beside the first chain; '-': stdout. */
  output: string | null;
}

/** --help: the overview (topic null) or one command's. */
export interface HelpCommand {
  command: 'help';
  topic: Topic | null;
}

export type Command =
  | RunCommand
  | MergeCommand
  | ResumeCommand
  | TimelineCommand
  | { command: 'verify'; file: string }
  | HelpCommand
  | { command: 'version' };

/** Environment variables the CLI reads: JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job. */
export type CliEnv = Readonly<Record<string, string | undefined>>;
