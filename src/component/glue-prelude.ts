/*
 * A lighter instantiate for jco 1.11.2's glue: its `instantiate` opens with a
 * prelude of helpers (the ComponentError class, a TextDecoder, resource-table
 * functions, Symbol.for constants) that it re-creates for every instance,
 * though none of them holds per-instance state. A fleet keeps every instance's
 * copy alive: a class (its map and prototype), a decoder and a handful of
 * closures per actor. hoistPrelude moves exactly those, and nothing else, to the
 * module's top level, where every instance shares one.
 *
 * What stays per instance, because it is state: the handle tables and
 * `handleTables`, `curResourceBorrows`, the DataView cache (`dv`, `dataView`),
 * and `symbolRscHandle`, a fresh Symbol per instance that marks the resources
 * of this instance (shared, one actor's pollable would pass for another's).
 *
 * The rewrite is all-or-nothing on a shape: the glue's first line as jco 1.11.2
 * writes it and a prelude that ends where the core modules are first asked
 * for. Any other glue (another jco, the p3 transpiler's) is returned as it is.
 * Applied when the glue is imported, after the cache entry was verified, so
 * the disk cache keeps jco's text.
 */

export { hoistPrelude, HOISTED };

const HEADER = 'export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {\n';
const PRELUDE_END = '\n  if (!getCoreModule) getCoreModule';

/** The declarations that are shared, by their first line: pure functions, constants, a stateless decoder. */
const HOISTED: readonly RegExp[] = [
  /^ {2}class ComponentError extends Error \{$/,
  /^ {2}const T_FLAG = 1 << 30;$/,
  /^ {2}function rscTableCreateOwn \(table, rep\) \{$/,
  /^ {2}function rscTableRemove \(table, handle\) \{$/,
  /^ {2}const symbolCabiDispose = Symbol\.for\('cabiDispose'\);$/,
  /^ {2}const symbolRscRep = Symbol\.for\('cabiRep'\);$/,
  /^ {2}const symbolDispose = Symbol\.dispose \|\| Symbol\.for\('dispose'\);$/,
  /^ {2}const toUint64 = val => BigInt\.asUintN\(64, BigInt\(val\)\);$/,
  /^ {2}const utf8Decoder = new TextDecoder\(\);$/,
  /^ {2}const utf8Encoder = new TextEncoder\(\);$/,
  /^ {2}const isNode = typeof process !== 'undefined' && process\.versions && process\.versions\.node;$/,
  /^ {2}let _fs;\s*$/,
  /^ {2}async function fetchCompile \(url\) \{$/,
];

/** A declaration at the prelude's own level starts a block; the lines under it belong to it. */
const BLOCK_START = /^ {2}(?:const|let|function|async function|class) /;

/** The glue with its shared prelude hoisted, or `source` unchanged when it does not have the expected shape. */
function hoistPrelude(source: string): string {
  if (!source.startsWith(HEADER)) return source;
  const end = source.indexOf(PRELUDE_END, HEADER.length);
  if (end < 0) return source;
  const blocks: string[][] = [];
  for (const line of source.slice(HEADER.length, end).split('\n')) {
    if (BLOCK_START.test(line) || blocks.length === 0) blocks.push([]);
    blocks[blocks.length - 1]!.push(line);
  }
  const shared: string[] = [];
  const kept: string[] = [];
  for (const block of blocks) {
    const hoist = HOISTED.some((pattern) => pattern.test(block[0]!));
    (hoist ? shared : kept).push(...(hoist ? block.map((line) => line.replace(/^ {2}/, '')) : block));
  }
  if (shared.length === 0) return source;
  return `${shared.join('\n')}\n${HEADER}${kept.join('\n')}${source.slice(end)}`;
}
