// Bundles the library and the CLI with esbuild. Runtime dependencies stay external.
import { build } from 'esbuild';
import { existsSync, chmodSync } from 'node:fs';
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
