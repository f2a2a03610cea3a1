// Renders a bad input for an error message: the value, then its type, e.g.
// `-5 (number)`, `"100" (string)`, `[1,2] (array)`. Long values are cut so a
// message stays on one line.

const MAX_CHARS = 60;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  return typeof value;
}

function render(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || value === undefined) return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return shallow(value);
  }
}

/** A cyclic value, or one too deep for JSON.stringify: String(value), unless that recurses too deep as well (nested arrays). */
function shallow(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

/** JSON.stringify that never throws: a value too deep for it (or cyclic) is shown by its shape. */
export function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return shallow(value);
  }
}

export function describeValue(value: unknown): string {
  let text = render(value).replace(/\s+/g, ' ');
  if (text.length > MAX_CHARS) text = `${text.slice(0, MAX_CHARS - 1)}…`;
  return `${text} (${typeName(value)})`;
}

/** True for `{}`-like tables, including smol-toml's null-prototype objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

// C0 controls, DEL, C1 controls, the Unicode line and paragraph separators and
// the bidirectional overrides: anything that could end a line, move the cursor,
// colour a terminal or reorder what a reader sees.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * Text from a guest or a manifest, made safe to print on one line of ours:
 * every control character becomes a visible escape (`\n`, `\e`, `\x07`,
 * `\u{202e}`), so a guest's string can neither forge an output line nor send
 * terminal escapes. Printable text, backslashes included, is unchanged.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u{${c.charCodeAt(0).toString(16)}}`));
}

// What JSON.stringify leaves raw in a string but a terminal or an editor acts
// on: DEL, the C1 controls (U+009B is a one-byte CSI), the line and paragraph
// separators, and the bidirectional overrides and isolates.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify for what we print (--json): the same JSON, with every
 * JSON_UNSAFE character written as a \u escape. They can only stand inside
 * strings there (JSON.stringify escapes C0 controls itself), so the text still
 * parses to the same value.
 */
export function jsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether `text` is hex digits in pairs (lowercase only unless `anyCase`). A
 * character class and a length check, not `/^([0-9a-f]{2})*$/`: that group
 * backtracks through V8's regexp stack and overflows it ("Maximum call stack
 * size exceeded") past a few million pairs, the hex of a few-MiB state.
 */
export function isHexPairs(text: string, anyCase = false): boolean {
  return text.length % 2 === 0 && (anyCase ? /^[0-9a-fA-F]*$/ : /^[0-9a-f]*$/).test(text);
}
