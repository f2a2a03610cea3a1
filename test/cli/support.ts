// Shared fixtures for the CLI tests: manifests written to a temp folder that
// point at the built test actors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const actorWasm = (name: string): string => join(ROOT, 'test-actors', 'build', `${name}.wasm`);
export const actorManifest = (name: string): string => join(ROOT, 'test-actors', name, 'manifest.toml');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'theater-timing-cli-'));
}

/** Writes a manifest for `actor` with extra TOML lines; returns its path. */
export function writeManifest(dir: string, file: string, body: string): string {
  const path = join(dir, file);
  writeFileSync(path, body);
  return path;
}

export function manifestFor(actor: string, extra = '', handler = '[[handler]]\ntype = "timing"\n'): string {
  return `name = "${actor}"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(actorWasm(actor))}\n${extra}\n${handler}`;
}
