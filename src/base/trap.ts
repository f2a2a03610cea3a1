import { safeText } from './text.ts';
import { MAX_STATE_BYTES } from './units.ts';

/** A guest violated the WASI contract or a host limit: the calling actor traps, nothing else. */
export class WasiTrap extends Error {
  override name = 'WasiTrap';
  constructor(message: string) {
    super(`wasi trap: ${message}`);
  }
}

/** A name (an actor id, from a manifest) inside a trap message: quoted, control characters escaped. */
export function quoted(text: string): string {
  return `"${safeText(text)}"`;
}

/** The trap of an init that returns more than MAX_STATE_BYTES (bytes null: more than a JavaScript string can hold). */
export function tooLargeTrap(what: 'state' | 'err', bytes: number | null): WasiTrap {
  const size = bytes === null ? 'more bytes than a JavaScript string can hold' : `${bytes} bytes`;
  return new WasiTrap(`init returned ${what === 'state' ? 'a state' : 'an err message'} of ${size}; at most ${MAX_STATE_BYTES} (64 MiB) are taken`);
}
