// Bundles the library and the CLI with esbuild (runtime dependencies stay
// external), and emits the type declarations to dist/types with tsc.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
} as const;

// The library and the `--map` drop-in modules, built together with code splitting:
// dist/index.js, dist/wasi/clocks.js and dist/wasi/io.js share their modules through
// dist/chunks/, so a program that imports several of them holds ONE copy of the
// state (defaultTiming, the Pollable class, the hand-off guard).
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: 'src/index.ts', 'wasi/clocks': 'src/dropin/clocks.ts', 'wasi/io': 'src/dropin/io.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// The CLI: one file of its own (a separate process).
const cli = { entry: 'src/cli/main.ts', out: 'dist/theater-timing.js' };
if (existsSync(join(root, cli.entry))) {
  await build({ ...common, entryPoints: [cli.entry], outfile: cli.out, banner: { js: '#!/usr/bin/env node' } });
  chmodSync(join(root, cli.out), 0o755);
}

// Declarations: tsc emits dist/types from src; the jco declarations the adapters
// are checked against are inputs, not outputs, so they are copied alongside.
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(join(root, 'src', 'wasi', 'jco'), join(root, 'dist', 'types', 'wasi', 'jco'), { recursive: true });
