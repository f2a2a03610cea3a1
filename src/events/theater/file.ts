// Where Theater-format chains go on disk. One chain per file, as Theater keeps
// one chain.json per actor: a single instance writes exactly the path given;
// with several, instance i writes the path with ".<i>" before its extension
// (chain.json -> chain.0.json, chain.1.json, …; no extension: chain.0, …).
// Every write goes through writeTheaterChainFile: a temporary file, fsync,
// rename (ChainFile), so a failed write never replaces an existing chain.

import { basename, dirname, extname, join } from 'node:path';
import { ChainFile, type ChainFs } from '../chain-file.ts';
import { formatTheaterChain, type TheaterEvent } from './event.ts';

export function theaterChainPath(path: string, instance: number, instances: number): string {
  if (instances === 1) return path;
  return join(dirname(path), theaterChainName(basename(path), instance));
}

/** The file name (no folder) of an instance's chain in a fleet, for the file name given: chain.json -> chain.<instance>.json. */
export function theaterChainName(file: string, instance: number): string {
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.${instance}${ext}`;
}

/** Writes the chain whole or not at all; throws a ChainWriteError naming `path`. */
export async function writeTheaterChainFile(path: string, events: readonly TheaterEvent[], fileSystem?: ChainFs): Promise<void> {
  await Promise.resolve();
  const file = new ChainFile(path, fileSystem);
  try {
    file.write(formatTheaterChain(events));
    file.commit();
  } finally {
    file.abort();
  }
}
