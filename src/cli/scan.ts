// Splits a command's arguments into flags and operands by its table in
// flags.ts: a flag not in the table is unknown, a value flag takes the next
// argument (or `--flag=value`), a switch takes none. -h/--help anywhere among
// the flags wins over every other problem on the line.
import { UsageError } from './commands.ts';
import type { FlagSpec } from './flags.ts';

/** A flag as given: its long name (its key in the table), the name as typed, and its value ('' for a switch). */
export interface Given<L extends string> {
  long: L;
  typed: string;
  value: string;
}

export interface Scanned<L extends string> {
  options: Array<Given<L>>;
  operands: string[];
  help: boolean;
}

/** The long names a parser applies: every flag in the table but --help, which scan() handles. */
export type LongOf<T extends readonly FlagSpec[]> = Exclude<T[number]['long'], '--help'>;

/** Edit distance, for "did you mean": small strings only (flag names). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

function unknownOption(typed: string, table: readonly FlagSpec[]): string {
  const near = typed.startsWith('--') ? table.find((flag) => distance(typed, flag.long) <= 2) : undefined;
  return `unknown option ${JSON.stringify(typed)}${near === undefined ? '' : ` (did you mean ${near.long}?)`}`;
}

/** `--flag=value` as [flag, value]; anything else as [arg, undefined]. */
function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Throws a UsageError for the first problem, unless --help or -h is among the flags. */
export function scan<const T extends readonly FlagSpec[]>(args: readonly string[], table: T): Scanned<LongOf<T>> {
  const scanned: Scanned<LongOf<T>> = { options: [], operands: [], help: false };
  let problem: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const [typed, inline] = splitInline(args[i]);
    const spec = typed.startsWith('-') ? table.find((flag) => flag.long === typed || flag.short === typed) : undefined;
    if (!typed.startsWith('-')) scanned.operands.push(args[i]);
    else if (spec === undefined) problem ??= unknownOption(typed, table);
    else if (spec.long === '--help') return { ...scanned, help: true };
    else if (spec.value === undefined && inline !== undefined) problem ??= `${typed}: takes no value, got ${JSON.stringify(inline)}`;
    else {
      const value = spec.value === undefined ? '' : inline ?? args[++i];
      if (value === undefined) problem ??= `${typed}: missing value`;
      else scanned.options.push({ long: spec.long as LongOf<T>, typed, value });
    }
  }
  if (problem !== null) throw new UsageError(problem);
  return scanned;
}
