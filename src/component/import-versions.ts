// The component's imports with their versions. jco keys its import object
// without the version ('wasi:io/poll'), but Theater's chain names each host
// call by the interface as the guest imported it ('wasi:io/poll@0.2.0').
// The core modules of the transpiled component still import under the
// versioned names, so they are read from there; a name found nowhere stays
// as jco gave it.
import type { TranspiledComponent } from './transpile.ts';

/** The one WebAssembly call used here (this project's TS libs carry no WebAssembly types). */
interface ModuleApi {
  Module: { new (bytes: Uint8Array): object; imports(module: object): Array<{ module: string }> };
}
const wasm = (globalThis as unknown as { WebAssembly: ModuleApi }).WebAssembly;

export function versionedImportNames(component: TranspiledComponent): string[] {
  const seen = new Set<string>();
  for (const module of component.coreModules.values()) {
    if (!(module instanceof wasm.Module)) continue;
    for (const entry of wasm.Module.imports(module)) seen.add(entry.module);
  }
  return component.importNames.map((key) => [...seen].find((name) => name.startsWith(`${key}@`)) ?? key);
}
