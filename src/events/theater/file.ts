// Where Theater-format chains go on disk. One chain per file, as Theater keeps
// one chain.json per actor: a single instance writes exactly the path given;
// with several, instance i writes the path with ".<i>" before its extension
// (chain.json -> chain.0.json, chain.1.json, …; no extension: chain.0, …).
// Every write goes through writeTheaterChainFile (a plain write today).

import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatTheaterChain, type TheaterEvent } from './event.ts';

export function theaterChainPath(path: string, instance: number, instances: number): string {
  if (instances === 1) return path;
  const ext = extname(basename(path));
  const stem = basename(path).slice(0, basename(path).length - ext.length);
  return join(dirname(path), `${stem}.${instance}${ext}`);
}

export async function writeTheaterChainFile(path: string, events: readonly TheaterEvent[]): Promise<void> {
  await writeFile(path, formatTheaterChain(events));
}
