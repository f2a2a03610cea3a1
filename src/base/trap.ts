import { safeText } from './text.ts';

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
