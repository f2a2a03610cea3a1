// Command-line parsing for theater-timing. Pure: argv in, a command or a
// UsageError out, so every message is unit-tested without spawning.
import { MAX_INSTANCES } from '../runtime/limits.ts';
import { parseStartTime } from '../clock/start-time.ts';
import type { ChainFormat } from '../events/types.ts';
import type { ClockKind } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';

export const USAGE = `usage:
  theater-timing run <manifest.toml> [--events <file>] [--chain-format jsonl|theater] [--instances <n ≤ 1000000>] [--json]
                     [--max-live <n>] [--mode auto|jspi|sync] [--state <text> | --state-hex <hex>]
                     [--clock real|virtual] [--start-time <RFC 3339>] [--replay <chain>]
                     [--shards <n> | --shard-index <i> --shard-count <k>] [--coarse-timer]
  theater-timing merge <results.json>... [--events <file.jsonl>] [--json]
  theater-timing verify <events.jsonl | chain.json>
  theater-timing timeline <chain>... [-o <out.html>]
  theater-timing --help | --version

exit codes: 0 every init returned ok, 1 an init returned err, 2 bad invocation,
manifest or config, or the chain could not be written, 3 an actor trapped
(or virtual time can never wake it), 4 a replay diverged from its recording
(4 wins over 3, 3 over 1, and 1 over a failed chain write)`;

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

export type Command =
  | RunCommand
  | MergeCommand
  | TimelineCommand
  | { command: 'verify'; file: string }
  | { command: 'help' }
  | { command: 'version' };

const MODES: ReadonlyArray<ExecutionMode | 'auto'> = ['auto', 'jspi', 'sync'];
const CLOCKS: readonly ClockKind[] = ['real', 'virtual'];
const CHAIN_FORMATS: readonly ChainFormat[] = ['jsonl', 'theater'];

function positiveInt(flag: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function nonNegativeInt(name: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${name}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

function hexBytes(text: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`--state-hex: expected an even number of hex digits, got ${JSON.stringify(text)}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** Environment variables the CLI reads: JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

function parseRun(args: string[], env: CliEnv): RunCommand {
  const run: RunCommand = {
    command: 'run', manifest: '', events: null, chainFormat: 'jsonl', instances: 1, json: false, maxLive: null, mode: 'auto', state: null,
    clock: 'real', startWallNs: null, replay: null, shards: null, shardIndex: null, shardCount: null, ipc: false, coarseTimer: false,
  };
  let instancesGiven = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new UsageError(`${flag}: missing value`);
      return next;
    };
    switch (flag) {
      case '--events': run.events = value(); break;
      case '--instances': {
        run.instances = positiveInt(flag, value());
        if (run.instances > MAX_INSTANCES) throw new UsageError(`--instances: at most ${MAX_INSTANCES} per run, got ${run.instances}`);
        instancesGiven = true;
        break;
      }
      case '--clock': {
        const clock = value();
        if (!(CLOCKS as readonly string[]).includes(clock)) throw new UsageError(`--clock: expected one of ${CLOCKS.join(', ')}, got ${JSON.stringify(clock)}`);
        run.clock = clock as ClockKind;
        break;
      }
      case '--start-time':
        try {
          run.startWallNs = parseStartTime(value());
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError((error as Error).message);
        }
        break;
      case '--replay': run.replay = value(); break;
      case '--chain-format': {
        const format = value();
        if (!(CHAIN_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--chain-format: expected one of ${CHAIN_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
        run.chainFormat = format as ChainFormat;
        break;
      }
      case '--max-live': run.maxLive = positiveInt(flag, value()); break;
      case '--json': run.json = true; break;
      case '--mode': {
        const mode = value();
        if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: expected one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
        run.mode = mode as ExecutionMode | 'auto';
        break;
      }
      case '--state': run.state = new TextEncoder().encode(value()); break;
      case '--state-hex': run.state = hexBytes(value()); break;
      case '--shards': run.shards = positiveInt(flag, value()); break;
      case '--shard-index': run.shardIndex = nonNegativeInt(flag, value()); break;
      case '--shard-count': run.shardCount = positiveInt(flag, value()); break;
      case '--shard-ipc': run.ipc = true; break;
      case '--coarse-timer': run.coarseTimer = true; break;
      default:
        if (flag.startsWith('-')) throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
        positional.push(arg);
    }
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'run: missing <manifest.toml>' : `run: expected one manifest, got ${positional.length}`);
  if (run.startWallNs !== null && run.clock !== 'virtual') throw new UsageError('--start-time: only with --clock virtual (a real wall clock reads the system time)');
  if (run.replay !== null && instancesGiven) throw new UsageError('--replay: replays one recorded instance; drop --instances');
  if (run.replay !== null && run.clock !== 'real') throw new UsageError('--replay: the recording serves every clock reading; drop --clock');
  run.manifest = positional[0];
  return checkShardFlags(run, env);
}

function checkShardFlags(run: RunCommand, env: CliEnv): RunCommand {
  const jobIndex = env.JOB_COMPLETION_INDEX;
  if (run.shardCount !== null && run.shardIndex === null && jobIndex !== undefined) {
    run.shardIndex = nonNegativeInt('JOB_COMPLETION_INDEX', jobIndex);
  }
  if (run.shardIndex !== null && run.shardCount === null) throw new UsageError('--shard-index: needs --shard-count');
  if (run.shardCount !== null && run.shardIndex === null) throw new UsageError('--shard-count: needs --shard-index (or $JOB_COMPLETION_INDEX)');
  if (run.shardIndex !== null && run.shardCount !== null) {
    if (run.shards !== null) throw new UsageError('--shards: cannot be combined with --shard-index/--shard-count (a slice is one process)');
    if (run.shardIndex >= run.shardCount) throw new UsageError(`--shard-index: expected 0..${run.shardCount - 1} for --shard-count ${run.shardCount}, got ${run.shardIndex}`);
    if (run.shardCount > run.instances) throw new UsageError(`--shard-count: ${run.shardCount} slices for ${run.instances} instances; at most one slice per instance`);
  }
  if (run.ipc && run.shardIndex === null) throw new UsageError('--shard-ipc: internal to sharded runs, needs --shard-index and --shard-count');
  return run;
}

function parseMerge(args: string[]): MergeCommand {
  const merge: MergeCommand = { command: 'merge', results: [], events: null, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') merge.json = true;
    else if (arg === '--events' || arg.startsWith('--events=')) {
      const next = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (next === undefined) throw new UsageError('--events: missing value');
      merge.events = next;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    else merge.results.push(arg);
  }
  if (merge.results.length === 0) throw new UsageError('merge: expected one or more <results.json> from --shard-index runs');
  return merge;
}

function parseTimeline(args: string[]): TimelineCommand {
  const timeline: TimelineCommand = { command: 'timeline', chains: [], output: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-o' || arg === '--output') {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg}: missing value`);
      timeline.output = next;
    } else if (arg.startsWith('--output=')) {
      timeline.output = arg.slice('--output='.length);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    } else {
      timeline.chains.push(arg);
    }
  }
  if (timeline.chains.length === 0) throw new UsageError('timeline: missing <chain>');
  if (timeline.output === '') throw new UsageError('-o: expected a file name, got ""');
  return timeline;
}

export function parseArgs(argv: readonly string[], env: CliEnv = {}): Command {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return parseRun(rest, env);
    case 'merge':
      return parseMerge(rest);
    case 'verify':
      if (rest.length !== 1) throw new UsageError('verify: expected exactly one <events.jsonl | chain.json>');
      return { command: 'verify', file: rest[0] };
    case 'timeline':
      return parseTimeline(rest);
    case '--help': case '-h': case 'help':
      return { command: 'help' };
    case '--version': case '-v':
      return { command: 'version' };
    case undefined:
      throw new UsageError('missing command');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
