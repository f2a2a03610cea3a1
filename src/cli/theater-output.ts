// `run --chain-format theater`: each instance's chain as Theater's chain.json,
// one file per instance (names: theaterChainPath). Every file goes through
// writeTheaterChainFile, the one place a chain file is written.
import { buildTheaterChain } from '../events/theater/encode.ts';
import { theaterChainPath, writeTheaterChainFile } from '../events/theater/file.ts';
import type { FleetResult } from '../runtime/fleet.ts';
import type { CliIo } from './io.ts';

/** Theater's chain.json: one file per instance (see theaterChainPath), host calls only. */
export async function writeTheaterEvents(path: string, fleet: FleetResult, io: CliIo): Promise<void> {
  const { results } = fleet;
  let written = 0;
  for (const r of results) {
    const chain = buildTheaterChain(r.events, { imports: fleet.imports, state: fleet.state, outcome: r.outcome });
    await writeTheaterChainFile(theaterChainPath(path, r.instance, results.length), chain, io.chainFs);
    written += chain.length;
  }
  const where = results.length === 1 ? path : `${theaterChainPath(path, 0, results.length)} … ${theaterChainPath(path, results.length - 1, results.length)}`;
  io.stderr(`theater-timing: wrote ${written} events (${results.length} Theater chain${results.length === 1 ? '' : 's'}) to ${where}\n`);
}
