// `theater-timing run`'s arguments: the flags in RUN_FLAGS applied one by one
// (each value checked, the message naming the flag and echoing the value),
// then the combinations that cannot go together.
import { MAX_SHARDS } from '../runtime/shard-plan.ts';
import { isHexPairs } from '../base/text.ts';
import { parseStartTime } from '../clock/start-time.ts';
import { MAX_INSTANCES } from '../runtime/limits.ts';
import { UsageError, type CliEnv, type HelpCommand, type RunCommand } from './commands.ts';
import { CHAIN_FORMATS, CLOCKS, MODES, RUN_FLAGS } from './flags.ts';
import { scan, type LongOf } from './scan.ts';

export function atMost(flag: string, value: number, max: number, what: string): number {
  if (value > max) throw new UsageError(`${flag}: at most ${max} ${what}, got ${value}`);
  return value;
}

export function positiveInt(flag: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

export function nonNegativeInt(name: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${name}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

function hexBytes(text: string): Uint8Array {
  if (!isHexPairs(text, true)) throw new UsageError(`--state-hex: expected an even number of hex digits, got ${JSON.stringify(text)}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function oneOf<T extends string>(flag: string, values: readonly T[], text: string): T {
  if (!(values as readonly string[]).includes(text)) throw new UsageError(`${flag}: expected one of ${values.join(', ')}, got ${JSON.stringify(text)}`);
  return text as T;
}

function startTime(text: string): bigint {
  try {
    return parseStartTime(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function instances(text: string): number {
  const count = positiveInt('--instances', text);
  if (count > MAX_INSTANCES) throw new UsageError(`--instances: at most ${MAX_INSTANCES} per run, got ${count}`);
  return count;
}

type RunFlag = LongOf<typeof RUN_FLAGS>;

/** How each flag of RUN_FLAGS goes into the command: a flag missing here (or one too many) does not type-check. */
const APPLY: { readonly [F in RunFlag]: (run: RunCommand, value: string) => void } = {
  '--events': (run, value) => { run.events = value; },
  '--chain-format': (run, value) => { run.chainFormat = oneOf('--chain-format', CHAIN_FORMATS, value); },
  '--instances': (run, value) => { run.instances = instances(value); },
  '--json': (run) => { run.json = true; },
  '--max-live': (run, value) => { run.maxLive = positiveInt('--max-live', value); },
  '--mode': (run, value) => { run.mode = oneOf('--mode', MODES, value); },
  '--state': (run, value) => { run.state = new TextEncoder().encode(value); },
  '--state-hex': (run, value) => { run.state = hexBytes(value); },
  '--clock': (run, value) => { run.clock = oneOf('--clock', CLOCKS, value); },
  '--start-time': (run, value) => { run.startWallNs = startTime(value); },
  '--replay': (run, value) => { run.replay = value; },
  '--replay-any-component': (run) => { run.replayAnyComponent = true; },
  '--durable': (run, value) => {
    if (value === '') throw new UsageError('--durable: expected a folder, got ""');
    run.durable = value;
  },
  '--shards': (run, value) => { run.shards = atMost('--shards', positiveInt('--shards', value), MAX_SHARDS, 'processes'); },
  '--shard-index': (run, value) => { run.shardIndex = nonNegativeInt('--shard-index', value); },
  '--shard-count': (run, value) => { run.shardCount = positiveInt('--shard-count', value); },
  '--coarse-timer': (run) => { run.coarseTimer = true; },
  '--shard-ipc': (run) => { run.ipc = true; },
};

function checkRunFlags(run: RunCommand, operands: readonly string[], instancesGiven: boolean): void {
  if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'run: missing <manifest.toml>' : `run: expected one manifest, got ${operands.length}`);
  if (run.startWallNs !== null && run.clock !== 'virtual') throw new UsageError('--start-time: only with --clock virtual (a real wall clock reads the system time)');
  if (run.replay !== null && instancesGiven) throw new UsageError('--replay: replays one recorded instance; drop --instances');
  if (run.replay !== null && run.clock !== 'real') throw new UsageError('--replay: the recording serves every clock reading; drop --clock');
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

export function parseRun(args: readonly string[], env: CliEnv): RunCommand | HelpCommand {
  const { options, operands, help } = scan(args, RUN_FLAGS);
  if (help) return { command: 'help', topic: 'run' };
  const run: RunCommand = {
    command: 'run', manifest: '', events: null, chainFormat: 'jsonl', instances: 1, json: false, maxLive: null, mode: 'auto', state: null,
    clock: 'real', startWallNs: null, replay: null, shards: null, shardIndex: null, shardCount: null, ipc: false, coarseTimer: false, replayAnyComponent: false, durable: null,
  };
  for (const { long, value } of options) APPLY[long](run, value);
  checkRunFlags(run, operands, options.some((o) => o.long === '--instances'));
  run.manifest = operands[0];
  return checkShardFlags(run, env);
}
