// Every command's flags, as data: the one table the parser (scan.ts) reads to
// know a flag and whether it takes a value, and that --help (help.ts) prints,
// one line per flag with its default. A flag missing here cannot be parsed; a
// flag here that a parser forgets to apply is a type error (the APPLY records
// in parse-run.ts and args.ts).
import { MAX_INSTANCES } from '../runtime/limits.ts';
import type { ClockKind } from '../timing/timing-runtime.ts';
import { VIRTUAL_EPOCH_NS } from '../timing/virtual.ts';
import type { ExecutionMode } from '../wasi/mode.ts';

export interface FlagSpec {
  readonly long: `--${string}`;
  readonly short?: `-${string}`;
  /** The value's placeholder, e.g. `<n>`; absent for a switch (off unless given). */
  readonly value?: string;
  /** What the flag does, in one line. */
  readonly help: string;
  /** What holds when the flag is not given (value flags only). */
  readonly default?: string;
}

import type { ChainFormat } from '../events/types.ts';
export type { ChainFormat };
export const MODES: ReadonlyArray<ExecutionMode | 'auto'> = ['auto', 'jspi', 'sync'];
export const CLOCKS: readonly ClockKind[] = ['real', 'virtual'];
export const CHAIN_FORMATS: readonly ChainFormat[] = ['jsonl', 'theater'];

const choices = (values: readonly string[]): string => `<${values.join('|')}>`;
const virtualStart = new Date(Number(VIRTUAL_EPOCH_NS / 1_000_000n)).toISOString().replace('.000Z', 'Z');

export const HELP_FLAG = { long: '--help', short: '-h', help: 'print this help and exit' } as const satisfies FlagSpec;

export const RUN_FLAGS = [
  { long: '--events', value: '<file>', help: 'write the event chain to <file>', default: 'none, or <name>.events.jsonl by the manifest if save_chain = true' },
  { long: '--chain-format', value: choices(CHAIN_FORMATS), help: 'jsonl: our JSON Lines, one file; theater: Theater\'s chain.json, one per instance', default: 'jsonl' },
  { long: '--instances', value: '<n>', help: `instances of the actor to spawn (at most ${MAX_INSTANCES}), each called with init(state)`, default: '1' },
  { long: '--json', help: 'print the result as one JSON object (else the state, or one line for a fleet)' },
  { long: '--max-live', value: '<n>', help: 'most actors alive at once per process; the rest queue', default: 'by vm.max_map_count and ulimit -v' },
  { long: '--mode', value: choices(MODES), help: 'how an actor waits: jspi suspends it, sync blocks the thread', default: 'auto, jspi where available' },
  { long: '--state', value: '<text>', help: 'init\'s state as UTF-8 text', default: 'the manifest\'s init_state file, else none' },
  { long: '--state-hex', value: '<hex>', help: 'init\'s state as hex bytes', default: 'as --state' },
  { long: '--clock', value: choices(CLOCKS), help: 'real time, or virtual: it jumps to the next deadline when every actor waits', default: 'real' },
  { long: '--start-time', value: '<RFC 3339>', help: 'where the virtual wall clock starts (with --clock virtual)', default: virtualStart },
  { long: '--replay', value: '<chain>', help: 'serve the actor\'s clock and poll calls from a recorded chain; exit 4 if it diverges', default: 'none' },
  { long: '--replay-any-component', help: 'replay even when the chain\'s ActorIdentity names another component (its SHA-256 differs from the manifest\'s)' },
  { long: '--durable', value: '<dir>', help: 'keep one log per actor in <dir>, appended as calls happen, so `resume <dir>` continues after a crash (docs/DURABLE.md)', default: 'the manifest\'s durable key, else none' },
  { long: '--shards', value: '<n>', help: 'processes to run the fleet over (1: this one)', default: 'planned from --instances, --max-live and cores' },
  { long: '--shard-index', value: '<i>', help: 'run only slice <i> (from 0) of --shard-count, for merge', default: '$JOB_COMPLETION_INDEX' },
  { long: '--shard-count', value: '<k>', help: 'slices the fleet is cut into, with --shard-index', default: 'no slicing' },
  { long: '--coarse-timer', help: 'leave deadlines to Node\'s whole-ms timer: no CPU spent waiting, sleeps up to ~1.2 ms late' },
  { long: '--shard-ipc', help: 'internal: set on the shard processes a sharded run starts' },
  HELP_FLAG,
] as const satisfies readonly FlagSpec[];

export const MERGE_FLAGS = [
  { long: '--events', value: '<file.jsonl>', help: 'merge the slices\' chains into one fleet file, in instance order', default: 'no chain' },
  { long: '--json', help: 'print the merged result as one JSON object on stdout (else a summary line)' },
  HELP_FLAG,
] as const satisfies readonly FlagSpec[];

export const RESUME_FLAGS = [
  { long: '--json', help: 'print the result as one JSON object, as run does, with the resumed and finished counts' },
  { long: '--shards', value: '<n>', help: 'processes to resume the run over (1: this one)', default: 'as the run was: its run.json' },
  { long: '--shard-index', value: '<i>', help: 'internal, with --shard-ipc: resume only shard <i> of --shard-count', default: 'the whole folder' },
  { long: '--shard-count', value: '<k>', help: 'internal, with --shard-ipc: shards the run is cut into', default: 'none' },
  { long: '--shard-ipc', help: 'internal: set on the shard processes a sharded durable run starts' },
  HELP_FLAG,
] as const satisfies readonly FlagSpec[];

export const VERIFY_FLAGS = [HELP_FLAG] as const satisfies readonly FlagSpec[];

export const TIMELINE_FLAGS = [
  { long: '--output', short: '-o', value: '<out.html>', help: 'where to write the page; - writes it to stdout', default: 'beside the first chain, as <chain>.timeline.html' },
  HELP_FLAG,
] as const satisfies readonly FlagSpec[];

export const TOP_FLAGS = [
  { long: '--help', short: '-h', help: 'print this overview and exit' },
  { long: '--version', short: '-v', help: 'print the version, with jco\'s and Node\'s, and exit' },
] as const satisfies readonly FlagSpec[];

export type Topic = 'run' | 'resume' | 'merge' | 'verify' | 'timeline';

export interface CommandSpec {
  /** One line: what the command does. */
  readonly summary: string;
  /** The operands, as the usage line shows them. */
  readonly operands: string;
  /** Each operand, explained. */
  readonly operandHelp: ReadonlyArray<readonly [string, string]>;
  readonly flags: readonly FlagSpec[];
  /** The exit codes this command gives. */
  readonly exits: ReadonlyArray<readonly [number, string]>;
}

const RUN_EXITS = [
  [0, 'every init returned ok'],
  [1, 'an init returned err'],
  [2, 'bad invocation, manifest, config or component, or the chain could not be written'],
  [3, 'an actor trapped (or virtual time can never wake it)'],
  [4, 'a replay diverged from its recording (4 wins over 3, 3 over 1, 1 over a failed chain write)'],
] as const;

export const COMMANDS: Readonly<Record<Topic, CommandSpec>> = {
  run: {
    summary: 'spawn instances of a manifest\'s actor and call each one\'s init(state)',
    operands: '<manifest.toml>',
    operandHelp: [['<manifest.toml>', 'the actor\'s manifest: its component, handlers, init_state, save_chain']],
    flags: RUN_FLAGS,
    exits: RUN_EXITS,
  },
  resume: {
    summary: 'continue every unfinished actor of a --durable run after the host died: replay its log, then go on live',
    operands: '<dir>',
    operandHelp: [['<dir>', 'the folder a run --durable <dir> wrote (run.json and actors/<instance>.jsonl)']],
    flags: RESUME_FLAGS,
    exits: [...RUN_EXITS.slice(0, 2), [2, 'bad invocation, a folder that is not a durable run, another component, or a damaged log'], ...RUN_EXITS.slice(3)],
  },
  merge: {
    summary: 'combine the --json results of run --shard-index slices (and their chains) into one run\'s',
    operands: '<results.json>...',
    operandHelp: [['<results.json>...', 'the --json output of every slice 0..k-1 of one fleet, each once']],
    flags: MERGE_FLAGS,
    exits: [...RUN_EXITS.slice(0, 2), [2, 'bad invocation, a results file or chain that cannot be read or does not fit, or the chain could not be written'], RUN_EXITS[3]],
  },
  verify: {
    summary: 'check an event chain: our JSON Lines or Theater\'s chain.json, told apart by content',
    operands: '<events.jsonl | chain.json>',
    operandHelp: [['<events.jsonl | chain.json>', 'the chain to check (a JSON array is Theater\'s, anything else JSON Lines)']],
    flags: VERIFY_FLAGS,
    exits: [[0, 'the chain is valid: a summary by event type on stdout'], [1, 'the chain is invalid: the first bad line or event on stderr'], [2, 'bad invocation, or the file cannot be read']],
  },
  timeline: {
    summary: 'draw chains as one self-contained HTML page',
    operands: '<chain>...',
    operandHelp: [['<chain>...', 'chains in our JSON Lines (fleet files too) or Theater\'s chain.json']],
    flags: TIMELINE_FLAGS,
    exits: [[0, 'the page was written'], [2, 'bad invocation, or a chain or the output cannot be read, parsed or written']],
  },
};

export const TOPICS = Object.keys(COMMANDS) as Topic[];

export const isTopic = (name: string | undefined): name is Topic => (TOPICS as ReadonlyArray<string | undefined>).includes(name);
