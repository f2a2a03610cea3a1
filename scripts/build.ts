// Bundles the library and the CLI with esbuild (runtime dependencies stay
// external), and emits the type declarations to dist/types with tsc.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const entries = [
  { entry: 'src/index.ts', out: 'dist/index.js', banner: '' },
  { entry: 'src/cli/main.ts', out: 'dist/theater-timing.js', banner: '#!/usr/bin/env node' },
];
for (const { entry, out, banner } of entries) {
  if (!existsSync(join(root, entry))) continue;
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    banner: banner ? { js: banner } : undefined,
    logLevel: 'warning',
  });
  if (banner) chmodSync(join(root, out), 0o755);
}

// Declarations: tsc emits dist/types from src; the jco declarations the adapters
// are checked against are inputs, not outputs, so they are copied alongside.
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(join(root, 'src', 'wasi', 'jco'), join(root, 'dist', 'types', 'wasi', 'jco'), { recursive: true });
