/*
 * Which WASI a component was built for, from the interface names it carries:
 * `wasi:<pkg>/<iface>@0.2.x` is WASI 0.2 (preview 2), `@0.3.x` WASI 0.3. The
 * names are read from the component's bytes (its import section spells them
 * out in UTF-8), so no parser is needed and nothing is instantiated.
 *
 * p2 components go to jco 1.11.2 (its fast glue), p3 ones to jco-transpile
 * 0.15.0 (transpile.ts). One component with both is refused in one line: the
 * two transpilers each read one of them (docs/P3.md).
 */
export type WasiPreview = 'p2' | 'p3';

const WASI_NAME = /wasi:[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*@0\.([23])\.\d+(?:-rc[a-z0-9.-]*)?/g;

export class MixedWasiError extends Error {
  override name = 'MixedWasiError';
}

/** The WASI 0.2 and 0.3 interface names in `bytes`, each list sorted and without repeats. */
export function wasiNames(bytes: Uint8Array): { p2: string[]; p3: string[] } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const p2 = new Set<string>();
  const p3 = new Set<string>();
  for (const match of text.matchAll(WASI_NAME)) (match[1] === '3' ? p3 : p2).add(match[0]);
  return { p2: [...p2].sort(), p3: [...p3].sort() };
}

/** 'p3' when the component names WASI 0.3 interfaces, else 'p2'; throws MixedWasiError when it names both. */
export function wasiPreview(bytes: Uint8Array): WasiPreview {
  const { p2, p3 } = wasiNames(bytes);
  if (p3.length === 0) return 'p2';
  if (p2.length === 0) return 'p3';
  throw new MixedWasiError(
    `the component imports both WASI 0.2 (${p2.join(', ')}) and WASI 0.3 (${p3.join(', ')}); one component must use one WASI version (rebuild it for 0.3, or for 0.2)`,
  );
}
