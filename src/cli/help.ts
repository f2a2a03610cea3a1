// The text of `theater-timing --help` and `theater-timing <command> --help`,
// printed from the flag tables in flags.ts (so help and parser cannot drift),
// and the line a usage error ends with.
import { COMMANDS, isTopic, TOP_FLAGS, TOPICS, type FlagSpec, type Topic } from './flags.ts';

const INDENT = '  ';

/** `-o, --output <out.html>`, with room for a short name so the long names line up. */
function flagName(flag: FlagSpec): string {
  const names = flag.short === undefined ? `    ${flag.long}` : `${flag.short}, ${flag.long}`;
  return flag.value === undefined ? names : `${names} ${flag.value}`;
}

/** Two columns: each left cell padded to the widest, then its text. */
function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, text]) => `${INDENT}${left.padEnd(width)}  ${text}`);
}

function flagLines(flags: readonly FlagSpec[]): string[] {
  return columns(flags.map((flag) => [flagName(flag), flag.default === undefined ? flag.help : `${flag.help} [default: ${flag.default}]`]));
}

function exitLines(exits: ReadonlyArray<readonly [number, string]>): string[] {
  return columns(exits.map(([code, text]) => [String(code), text]));
}

/** `theater-timing <command> --help`. */
export function commandHelp(topic: Topic): string {
  const spec = COMMANDS[topic];
  return [
    `theater-timing ${topic}: ${spec.summary}`,
    '',
    `usage: theater-timing ${topic} ${spec.operands} [options]`,
    '',
    'arguments:',
    ...columns(spec.operandHelp),
    '',
    'options:',
    ...flagLines(spec.flags),
    '',
    'exit codes:',
    ...exitLines(spec.exits),
  ].join('\n');
}

/** `theater-timing --help`: the commands, the top-level flags and where to read more. */
export function overview(): string {
  return [
    'theater-timing: run Theater actors (WebAssembly components) under WASI clocks and poll, and check their event chains',
    '',
    'usage: theater-timing <command> [arguments] [options]',
    '',
    'commands:',
    ...columns([...TOPICS.map((topic) => [topic, COMMANDS[topic].summary] as const), ['help', 'print this overview, or help <command>: that command\'s options']]),
    '',
    'options:',
    ...flagLines(TOP_FLAGS),
    '',
    'see: theater-timing <command> --help for each command\'s arguments, options and exit codes',
  ].join('\n');
}

/** The line after a usage error in `theater-timing <command> …`: that command's --help, else the overview. */
export function seeLine(command: string | undefined): string {
  return `see: theater-timing ${isTopic(command) ? `${command} ` : ''}--help`;
}
