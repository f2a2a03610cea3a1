// JSON.parse that keeps integers beyond 2^53 exact. Theater writes u64 values
// (monotonic instants, deadlines) as bare JSON numbers, which JSON.parse would
// round. Integer literals of 16 or more digits outside strings are quoted
// first, so they parse as decimal strings; readers accept either form.

const DIGITS_MIN = 16;

function isNumberChar(code: number): boolean {
  // 0-9 . e E + -
  return (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45;
}

export function parseJsonExact(text: string): unknown {
  let out = '';
  let copiedTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92) i++; // a backslash escapes the next character
      else if (code === 34) inString = false;
      continue;
    }
    if (code === 34) {
      inString = true;
      continue;
    }
    if ((code >= 48 && code <= 57) || code === 45) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const literal = text.slice(i, end);
      if (literal.length >= DIGITS_MIN && /^[0-9]+$/.test(literal)) {
        out += `${text.slice(copiedTo, i)}"${literal}"`;
        copiedTo = end;
      }
      i = end - 1;
    }
  }
  return JSON.parse(copiedTo === 0 ? text : out + text.slice(copiedTo));
}
