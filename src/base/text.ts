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
    return String(value);
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
