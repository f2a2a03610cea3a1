// How `run` shows an actor's returned state: as text, or as hex. The rule is
// explicit (not "whatever happens to decode"), so a binary state never prints
// as text by chance: see showState.

// Controls other than tab and newline (and DEL, C1, the Unicode separators and bidi overrides).
const NOT_PLAIN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * The returned state as text, or as hex. The rule: text when the bytes are valid
 * UTF-8 AND hold no control character other than tab and newline; anything else
 * is binary and printed as hex. (A u64 under 2^56 always has a 0x00 byte, so the
 * sleeper's readings are always hex.)
 */
export function showState(state: Uint8Array | null): { text: string; encoding: 'utf8' | 'hex' } | null {
  if (state === null) return null;
  let text: string | null;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(state);
  } catch {
    text = null;
  }
  if (text !== null && !NOT_PLAIN_TEXT.test(text)) return { text, encoding: 'utf8' };
  return { text: Buffer.from(state).toString('hex'), encoding: 'hex' };
}
