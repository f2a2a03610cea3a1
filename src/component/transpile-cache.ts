/*
 * The transpile cache's disk entries: <cacheDir>/<key>/{component.mjs, *.wasm,
 * meta.json}. An entry is written to a temporary directory (0700, files 0600)
 * and renamed into place, so readers never see a partial one. meta.json carries
 * an HMAC-SHA-256, under the folder's key (cache-folder.ts: a 0600 file beside
 * the entries, not in them), of the entry's key, its meta fields, the glue and
 * every core module, each with its name and length. A load recomputes it from
 * what it read and refuses an entry that does not match: one file rewritten,
 * files swapped between entries, an entry copied from another folder or made
 * by an older version. The caller then regenerates and overwrites it. The glue
 * that is run is the text that was checked, never a second read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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
}

export interface EntryFiles {
  meta: EntryMeta;
  glueSource: string;
  coreFiles: Array<[string, Uint8Array]>;
}

/** The entry's MAC: its meta fields, then each file as name, length and bytes (so no two entries' inputs run together). */
export function entryMac(secret: Uint8Array, fields: EntryMeta, glue: Uint8Array | string, coreFiles: Array<[string, Uint8Array]>): string {
  const { key, jcoVersion, importNames, coreModules, coreClocks } = fields;
  const hmac = createHmac('sha256', secret).update(JSON.stringify([key, jcoVersion, importNames, coreModules, coreClocks ?? null]));
  for (const [name, data] of [[GLUE, typeof glue === 'string' ? Buffer.from(glue) : glue] as const, ...coreFiles]) {
    hmac.update(`\n${JSON.stringify(name)} ${data.length}\n`).update(data);
  }
  return hmac.digest('hex');
}

const sameMac = (a: string, b: unknown): boolean => typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The entry's files when they are whole and match their MAC; null otherwise (the caller regenerates). */
export function readEntry(dir: string, key: string, jcoVersion: string, secret: Uint8Array): EntryFiles | null {
  try {
    // meta.json: the EntryMeta fields, and `mac`, the HMAC-SHA-256 (hex) of them and of every file.
    const { mac, ...meta } = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as EntryMeta & { mac: unknown };
    if (meta.key !== key || meta.jcoVersion !== jcoVersion || !Array.isArray(meta.coreModules)) return null;
    const glue = readFileSync(join(dir, GLUE));
    const coreFiles: Array<[string, Uint8Array]> = meta.coreModules.map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]);
    if (!sameMac(entryMac(secret, meta, glue, coreFiles), mac)) return null;
    return { meta, glueSource: glue.toString('utf8'), coreFiles };
  } catch {
    return null; // missing, unreadable or malformed
  }
}

/** Writes the entry, its meta.json carrying the MAC under `secret`. */
export function writeEntry(dir: string, { meta, glueSource, coreFiles }: EntryFiles, secret: Uint8Array): void {
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    for (const [name, data] of coreFiles) writeFileSync(join(tmp, name), data, { mode: 0o600 });
    writeFileSync(join(tmp, GLUE), glueSource, { mode: 0o600 });
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ ...meta, mac: entryMac(secret, meta, glueSource, coreFiles) }), { mode: 0o600 });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch {
    // The cache is an optimisation: an unwritable directory, or another process
    // renaming the same entry first, leaves this process on its in-memory copy.
    rmSync(tmp, { recursive: true, force: true });
  }
}
