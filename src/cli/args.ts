// Command-line parsing for theater-timing. Pure: argv in, a command or a
// UsageError out, so every message is unit-tested without spawning. Each
// command's flags are the table in flags.ts; `run`'s parser is parse-run.ts.
import { UsageError, type CliEnv, type Command, type HelpCommand, type MergeCommand, type ResumeCommand, type TimelineCommand } from './commands.ts';
import { isTopic, MERGE_FLAGS, RESUME_FLAGS, TIMELINE_FLAGS, TOPICS, VERIFY_FLAGS, type Topic } from './flags.ts';
import { parseRun } from './parse-run.ts';
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

const APPLY_RESUME: { readonly [F in LongOf<typeof RESUME_FLAGS>]: (resume: ResumeCommand, value: string) => void } = {
  '--json': (resume) => { resume.json = true; },
};

function parseResume(args: readonly string[]): ResumeCommand | HelpCommand {
  const { options, operands, help } = scan(args, RESUME_FLAGS);
  if (help) return { command: 'help', topic: 'resume' };
  if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'resume: missing <dir> (the folder of a run --durable)' : `resume: expected one <dir>, got ${operands.length}`);
  const resume: ResumeCommand = { command: 'resume', dir: operands[0], json: false };
  for (const { long, value } of options) APPLY_RESUME[long](resume, value);
  return resume;
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
