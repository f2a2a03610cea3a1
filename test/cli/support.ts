// Shared fixtures for the CLI tests: manifests written to a temp folder that
// point at the built test actors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ChainFs } from '../../src/events/chain-file.ts';
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

/** node:fs with a disk that is already full: every write fails with ENOSPC. */
export const fullDisk: ChainFs = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: () => { throw Object.assign(new Error('no space'), { code: 'ENOSPC' }); },
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (path) => fs.unlinkSync(path),
};

/** The bundled CLI, as a user runs it. */
export const BIN = join(ROOT, 'dist', 'theater-timing.js');

/** Runs the bundled CLI to its end (two minutes at most). */
export function bin(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
