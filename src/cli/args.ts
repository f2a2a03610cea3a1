// Command-line parsing for theater-timing. Pure: argv in, a command or a
// UsageError out, so every message is unit-tested without spawning. Each
// command's flags are the table in flags.ts; `run`'s parser is parse-run.ts.
import { UsageError, type CliEnv, type Command, type HelpCommand, type MergeCommand, type ResumeCommand, type TimelineCommand } from './commands.ts';
import { isTopic, MERGE_FLAGS, RESUME_FLAGS, TIMELINE_FLAGS, TOPICS, VERIFY_FLAGS, type Topic } from './flags.ts';
import { MAX_SHARDS } from '../runtime/shard-plan.ts';
import { atMost, nonNegativeInt, parseRun, positiveInt } from './parse-run.ts';
import { scan, type LongOf } from './scan.ts';

export { UsageError, type ChainFormat, type CliEnv, type Command, type HelpCommand, type MergeCommand, type ResumeCommand, type RunCommand, type TimelineCommand, type Topic } from './commands.ts';

const APPLY_MERGE: { readonly [F in LongOf<typeof MERGE_FLAGS>]: (merge: MergeCommand, value: string) => void } = {
  '--events': (merge, value) => { merge.events = value; },
  '--json': (merge) => { merge.json = true; },
};

function parseMerge(args: readonly string[]): MergeCommand | HelpCommand {
  const { options, operands, help } = scan(args, MERGE_FLAGS);
  if (help) return { command: 'help', topic: 'merge' };
  const merge: MergeCommand = { command: 'merge', results: operands, events: null, json: false };
  for (const { long, value } of options) APPLY_MERGE[long](merge, value);
  if (merge.results.length === 0) throw new UsageError('merge: expected one or more <results.json> from --shard-index runs');
  return merge;
}

const APPLY_TIMELINE: { readonly [F in LongOf<typeof TIMELINE_FLAGS>]: (timeline: TimelineCommand, value: string) => void } = {
  '--output': (timeline, value) => { timeline.output = value; },
};

function parseTimeline(args: readonly string[]): TimelineCommand | HelpCommand {
  const { options, operands, help } = scan(args, TIMELINE_FLAGS);
  if (help) return { command: 'help', topic: 'timeline' };
  const timeline: TimelineCommand = { command: 'timeline', chains: operands, output: null };
  for (const { long, value } of options) APPLY_TIMELINE[long](timeline, value);
  if (timeline.chains.length === 0) throw new UsageError('timeline: missing <chain>');
  if (timeline.output === '') throw new UsageError('-o: expected a file name, got ""');
  return timeline;
}

function parseVerify(args: readonly string[]): Command {
  const { operands, help } = scan(args, VERIFY_FLAGS);
  if (help) return { command: 'help', topic: 'verify' };
  if (operands.length !== 1) throw new UsageError('verify: expected exactly one <events.jsonl | chain.json>');
  return { command: 'verify', file: operands[0] };
}

/** `help [<command>]`: the overview, or that command's help. */
function parseHelp(args: readonly string[]): HelpCommand {
  const [topic, ...extra] = args;
  if (topic === undefined) return { command: 'help', topic: null };
  if (!isTopic(topic)) throw new UsageError(`help: unknown command ${JSON.stringify(topic)} (commands: ${TOPICS.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`help: expected one command, got ${JSON.stringify(extra[0])} after ${topic}`);
  return { command: 'help', topic };
}

interface ResumeFlags { resume: ResumeCommand; index: number | null; count: number | null; ipc: boolean }

const APPLY_RESUME: { readonly [F in LongOf<typeof RESUME_FLAGS>]: (flags: ResumeFlags, value: string) => void } = {
  '--json': (flags) => { flags.resume.json = true; },
  '--shards': (flags, value) => { flags.resume.shards = atMost('--shards', positiveInt('--shards', value), MAX_SHARDS, 'processes'); },
  '--shard-index': (flags, value) => { flags.index = nonNegativeInt('--shard-index', value); },
  '--shard-count': (flags, value) => { flags.count = positiveInt('--shard-count', value); },
  '--shard-ipc': (flags) => { flags.ipc = true; },
};

/** --shard-index/--shard-count/--shard-ipc: only together, only as a sharded durable run's parent gives them. */
function resumeShard(flags: ResumeFlags): { index: number; count: number } | null {
  const { index, count, ipc } = flags;
  if (index === null && count === null && !ipc) return null;
  if (index === null || count === null || !ipc) throw new UsageError('resume: --shard-index, --shard-count and --shard-ipc are internal to a sharded durable run and go together (a slice\'s folder records its slice: resume it as it is)');
  if (index >= count) throw new UsageError(`--shard-index: expected 0..${count - 1} for --shard-count ${count}, got ${index}`);
  if (flags.resume.shards !== null) throw new UsageError('--shards: cannot be combined with --shard-index');
  return { index, count };
}

function parseResume(args: readonly string[]): ResumeCommand | HelpCommand {
  const { options, operands, help } = scan(args, RESUME_FLAGS);
  if (help) return { command: 'help', topic: 'resume' };
  if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'resume: missing <dir> (the folder of a run --durable)' : `resume: expected one <dir>, got ${operands.length}`);
  const flags: ResumeFlags = { resume: { command: 'resume', dir: operands[0], json: false, shards: null, shard: null }, index: null, count: null, ipc: false };
  for (const { long, value } of options) APPLY_RESUME[long](flags, value);
  flags.resume.shard = resumeShard(flags);
  return flags.resume;
}

const PARSERS: Readonly<Record<Topic, (args: readonly string[], env: CliEnv) => Command>> = {
  run: parseRun,
  resume: parseResume,
  merge: parseMerge,
  verify: parseVerify,
  timeline: parseTimeline,
};

export function parseArgs(argv: readonly string[], env: CliEnv = {}): Command {
  const [command, ...rest] = argv;
  if (isTopic(command)) return PARSERS[command](rest, env);
  switch (command) {
    case '--help': case '-h':
      return { command: 'help', topic: null };
    case 'help':
      return parseHelp(rest);
    case '--version': case '-v':
      return { command: 'version' };
    case undefined:
      throw new UsageError('missing command');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
