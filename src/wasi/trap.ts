/** A guest violated the WASI contract or a host limit: the calling actor traps, nothing else. */
export class WasiTrap extends Error {
  override name = 'WasiTrap';
  constructor(message: string) {
    super(`wasi trap: ${message}`);
  }
}
