// WIT interface names: `ns:pkg/iface@1.2.3`. jco keys its import object by
// the name WITHOUT the version, so a handler's `provides` list matches a
// component import by name plus a semver-compatible version, the rule
// wasmtime's linker uses:
//   0.x.y   compatible with 0.x.z  (same major AND minor: 0.2.0 ~ 0.2.3, not 0.3.0)
//   M.x.y   compatible with M.z.w  for M >= 1 (same major)
//   a pre-release or build suffix (`0.3.0-rc-2025-09-16`) matches only itself
// A name without a version on either side matches on the name alone.

export interface InterfaceName {
  /** `ns:pkg/iface`, the jco import key. */
  key: string;
  /** `1.2.3` (with any suffix), or null when unversioned. */
  version: string | null;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

export function splitInterfaceName(name: string): InterfaceName {
  const at = name.lastIndexOf('@');
  if (at <= 0) return { key: name, version: null };
  return { key: name.slice(0, at), version: name.slice(at + 1) };
}

/** True when a guest built against `wanted` can use a host providing `provided`. */
export function versionsCompatible(wanted: string | null, provided: string | null): boolean {
  if (wanted === null || provided === null || wanted === provided) return true;
  const a = SEMVER.exec(wanted);
  const b = SEMVER.exec(provided);
  if (a === null || b === null) return false;
  const major = Number(a[1]);
  if (major !== Number(b[1])) return false;
  return major !== 0 || Number(a[2]) === Number(b[2]);
}

/** True when the provided interface satisfies the import (same key, compatible version). */
export function interfaceSatisfies(importName: string, providedName: string): boolean {
  const wanted = splitInterfaceName(importName);
  const provided = splitInterfaceName(providedName);
  return wanted.key === provided.key && versionsCompatible(wanted.version, provided.version);
}
