/*
 * The transpile cache's disk entries: <cacheDir>/<key>/{component.mjs, *.wasm,
 * meta.json}. An entry is written to a temporary directory and renamed into
 * place, so readers never see a partial one, and meta.json stores the SHA-256
 * of the glue and of every core module: a load hashes what it read and refuses
 * an entry whose files do not match (damage, a half-copied cache, an edit that
 * did not also rewrite meta.json). The caller then regenerates and overwrites it.
 * The glue that is run is the text that was hashed, never a second read.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GLUE = 'component.mjs';

export interface EntryMeta {
  key: string;
  jcoVersion: string;
  importNames: string[];
  coreModules: string[];
  /** WASI 0.3 only: the glue fits the core-level clocks (transpile.ts coreClocksFit). */
  coreClocks?: boolean;
  /** SHA-256 (hex) per file name: the glue and every core module. */
  sha256: Record<string, string>;
}

export interface EntryFiles {
  meta: EntryMeta;
  glueSource: string;
  coreFiles: Array<[string, Uint8Array]>;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The entry's files when they are whole and match their hashes; null otherwise (the caller regenerates). */
export function readEntry(dir: string, key: string, jcoVersion: string): EntryFiles | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as EntryMeta;
    if (meta.key !== key || meta.jcoVersion !== jcoVersion || typeof meta.sha256 !== 'object' || meta.sha256 === null) return null;
    const glue = readFileSync(join(dir, GLUE));
    if (sha256Hex(glue) !== meta.sha256[GLUE]) return null;
    const coreFiles: Array<[string, Uint8Array]> = [];
    for (const name of meta.coreModules) {
      const data = new Uint8Array(readFileSync(join(dir, name)));
      if (sha256Hex(data) !== meta.sha256[name]) return null;
      coreFiles.push([name, data]);
    }
    return { meta, glueSource: glue.toString('utf8'), coreFiles };
  } catch {
    return null; // missing or unreadable
  }
}

/** The meta of a new entry, with the hashes of its files. */
export function entryMeta(fields: Omit<EntryMeta, 'sha256'>, glueSource: string, coreFiles: Array<[string, Uint8Array]>): EntryMeta {
  const sha256: Record<string, string> = { [GLUE]: sha256Hex(glueSource) };
  for (const [name, data] of coreFiles) sha256[name] = sha256Hex(data);
  return { ...fields, sha256 };
}

export function writeEntry(dir: string, { meta, glueSource, coreFiles }: EntryFiles): void {
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of coreFiles) writeFileSync(join(tmp, name), data);
    writeFileSync(join(tmp, GLUE), glueSource);
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch {
    // The cache is an optimisation: an unwritable directory, or another process
    // renaming the same entry first, leaves this process on its in-memory copy.
    rmSync(tmp, { recursive: true, force: true });
  }
}
