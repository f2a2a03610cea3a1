// The import-direction check: every import in src/ goes down (or stays in its own
// folder). The layer order is written here once; docs/DESIGN.md draws it.
// Exit 1, naming each upward import, when one appears. Run by `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Bottom first. A folder imports only from itself and the folders before it. */
export const LAYERS = [
  'base', 'events', 'wheel', 'clock', 'scheduler', 'thread', 'pollables', 'timing',
  'wasi', 'wasi3', 'handler', 'dropin', 'manifest', 'replay', 'timeline', 'component', 'runtime', 'cli',
] as const;

const src = resolve(import.meta.dirname, '..', 'src');
const IMPORT = /(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+['"](\.[^'"]+)['"]/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The layer of a file under src/: its first folder; the package entry (src/index.ts) is above all. */
function layerOf(file: string): number {
  const top = relative(src, file).split(sep)[0]!;
  if (top.endsWith('.ts')) return LAYERS.length;
  const index = (LAYERS as readonly string[]).indexOf(top);
  if (index < 0) throw new Error(`check-layers: src/${top}/ is not in LAYERS (scripts/check-layers.ts)`);
  return index;
}

export function upwardImports(): string[] {
  const found: string[] = [];
  for (const file of files(src)) {
    const from = layerOf(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) continue;
      const to = layerOf(target);
      if (to > from) found.push(`src/${relative(src, file)} (${LAYERS[from] ?? 'index'}) imports ${spec} (${LAYERS[to] ?? 'index'})`);
    }
  }
  return found;
}

if (import.meta.main) {
  const up = upwardImports();
  for (const line of up) console.error(`upward import: ${line}`);
  console.log(`check-layers: ${up.length} upward imports in src/ (${LAYERS.join(' < ')})`);
  process.exit(up.length === 0 ? 0 : 1);
}
