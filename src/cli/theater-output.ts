// `run --chain-format theater`: each instance's chain as Theater's chain.json,
// one file per instance (names: theaterChainPath, numbered across the whole
// fleet, so the shards of one run each write their own instances' files in
// place). Every file goes through writeTheaterChainFile, the one place a chain
// file is written.
import { buildTheaterChain } from '../events/theater/encode.ts';
import { theaterChainPath, writeTheaterChainFile } from '../events/theater/file.ts';
import type { FleetResult } from '../runtime/fleet.ts';

/** Writes one Theater chain.json per instance of `fleet`, a part of a fleet of `total`; returns the events written. */
export async function writeTheaterChains(path: string, fleet: FleetResult, total: number): Promise<number> {
  let written = 0;
  for (const r of fleet.results) {
    const chain = buildTheaterChain(r.events, { imports: fleet.imports, state: fleet.state, outcome: r.outcome });
    await writeTheaterChainFile(theaterChainPath(path, r.instance, total), chain);
    written += chain.length;
  }
  return written;
}

/** Where a run's Theater chains went, for the "wrote" line. */
export function theaterChainsWhere(path: string, total: number): string {
  return total === 1 ? path : `${theaterChainPath(path, 0, total)} … ${theaterChainPath(path, total - 1, total)}`;
}
