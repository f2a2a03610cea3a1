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
