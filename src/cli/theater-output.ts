// `run --chain-format theater`: each instance's chain as Theater's chain.json,
// one file per instance (names: theaterChainPath, numbered across the whole
// fleet, so the shards of one run each write their own instances' files in
// place). Every file goes through writeTheaterChainFile, the one place a chain
// file is written.
import type { ChainFs } from '../events/chain-file.ts';
import { buildTheaterChain } from '../events/theater/encode.ts';
import { theaterChainPath, writeTheaterChainFile } from '../events/theater/file.ts';
import type { FleetResult } from '../runtime/fleet.ts';
import type { CliIo } from './io.ts';

/** Writes one Theater chain.json per instance of `fleet`, a part of a fleet of `total`; returns the events written. */
export async function writeTheaterChains(path: string, fleet: FleetResult, total: number, fileSystem?: ChainFs): Promise<number> {
  let written = 0;
  for (const r of fleet.results) {
    const chain = buildTheaterChain(r.events, { imports: fleet.imports, state: fleet.state, outcome: r.outcome });
    await writeTheaterChainFile(theaterChainPath(path, r.instance, total), chain, fileSystem);
    written += chain.length;
  }
  return written;
}

/** Where a run's Theater chains went, for the "wrote" line. */
export function theaterChainsWhere(path: string, total: number): string {
  return total === 1 ? path : `${theaterChainPath(path, 0, total)} … ${theaterChainPath(path, total - 1, total)}`;
}

/** Theater's chain.json for a whole fleet run in this process, and the "wrote" line. */
export async function writeTheaterEvents(path: string, fleet: FleetResult, io: CliIo): Promise<void> {
  const total = fleet.results.length;
  const written = await writeTheaterChains(path, fleet, total, io.chainFs);
  io.stderr(`theater-timing: wrote ${written} events (${total} Theater chain${total === 1 ? '' : 's'}) to ${theaterChainsWhere(path, total)}\n`);
}
