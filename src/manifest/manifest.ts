// Actor manifests, in Theater's TOML shape:
//
//   name = "wasi-clocks-test"
//   version = "0.1.0"
//   package = "./wasi_clocks_test.wasm"     # or `component`, its older name; relative to the manifest file
//   init_state = "./state.json"             # optional: its bytes are init's state
//   description = "..."                     # optional
//   save_chain = true                       # optional, default false
//   fairness_pass = false                   # optional, default true: see below
//   durable = "./state"                     # optional: run durably, logs in this folder (docs/DURABLE.md)
//   hibernate_after = 60000                 # optional, ms: a durable actor waiting longer is dropped and rebuilt
//   [[handler]]
//   type = "timing"
//   max_sleep_duration = 3600000            # optional, ms
//   min_sleep_duration = 1                  # optional, ms
//   max_pollables = 10000                   # optional, live pollables per actor
//   max_cpu_ms = 1000                       # optional, ms of running per call; 0 = none (virtual time: 5000 when absent)
//   max_hold_ms = 200                       # optional, ms the guest may hold the thread where it cannot yield; 0 = none
//   [[handler]]                             # optional: the rest of WASI (stdio, random...), deny by default
//   type = "wasi"
//   env = ["LANG"]                          # optional: granted host variables (or a table of values)
//   max_output_bytes = 65536                # optional: stdout + stderr bytes shown per instance
//
// Every error is a ManifestError with a one-line message "<file>: <field>: <why>".
// Paths resolve against the manifest's folder (Theater resolves them against
// its server's working directory). Unknown top-level keys are not errors
// (Theater manifests carry more fields); they are returned in `warnings`.
// Handler tables: see handlers.ts.
// fairness_pass = false transpiles the component without the fairness pass
// (src/component/instrument.ts): the actor can then hold the thread while it
// computes, and max_cpu_ms is not enforced inside a call. For guests the pass
// slows beyond use: StarlingMonkey (componentize-js), see docs/TOOLCHAINS.md.

import { readFileSync, statSync } from 'node:fs';
import { MAX_STATE_BYTES } from '../base/units.ts';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { describeValue } from '../base/text.ts';
import { fileProblem, ManifestError, reason } from './errors.ts';
import { parseHandler, unservedWarning, type HandlerSpec } from './handlers.ts';

export { ManifestError } from './errors.ts';
export { KNOWN_HANDLER_TYPES, THEATER_ONLY_HANDLER_TYPES, type HandlerSpec, type ReplayHandlerSpec, type TimingHandlerSpec, type UnservedHandlerSpec, type WasiHandlerSpec } from './handlers.ts';

/** The bytes of the manifest's `init_state` file, read when the manifest is loaded. */
export interface InitStateFile {
  /** Absolute path, resolved against the manifest's folder. */
  path: string;
  bytes: Uint8Array;
}

export interface ActorManifest {
  name: string;
  version: string;
  /** Absolute path of the component (`package`, or the older `component`), resolved against the manifest's folder. */
  component: string;
  /** The initial state passed to init, from `init_state`; null when the manifest has none. */
  init_state: InitStateFile | null;
  description?: string;
  save_chain: boolean;
  /** False: run the component without the fairness pass (absent: with it). */
  fairness_pass?: boolean;
  /** `durable = "<dir>"`: run durably, keeping per-actor logs in <dir> (resolved against the manifest's folder); null when absent. */
  durable: string | null;
  /** `hibernate_after` (ms): in a durable run, an actor waiting longer than this is dropped from memory and rebuilt by replay before its deadline; null: never. */
  hibernate_after: number | null;
  handlers: HandlerSpec[];
  /** Absolute folder of the manifest file. */
  dir: string;
  /** Absolute path of the manifest file. */
  path: string;
  /** Non-fatal findings, e.g. unknown top-level keys. */
  warnings: string[];
}

const KNOWN_KEYS = new Set(['name', 'version', 'component', 'package', 'init_state', 'description', 'save_chain', 'fairness_pass', 'durable', 'hibernate_after', 'handler']);

const firstLine = (text: string): string => text.split('\n', 1)[0];

function readToml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ManifestError(file, null, `cannot read manifest (${reason(error)})`);
  }
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error; // smol-toml reports syntax errors only as TomlError
    const detail = firstLine(error.message).replace(/^Invalid TOML document: /, '');
    throw new ManifestError(file, null, `invalid TOML: ${detail}`, { line: error.line, column: error.column });
  }
}

type ReadString = (field: string, required: boolean) => string | undefined;

/** `package` (Theater's name since January 2026) or `component`; exactly one of them. */
function componentPath(file: string, dir: string, str: ReadString): string {
  const pkg = str('package', false);
  const old = str('component', false);
  if (pkg !== undefined && old !== undefined) {
    throw new ManifestError(file, 'package, component', 'both given; they name the same thing (Theater renamed component to package), keep one');
  }
  const field = pkg !== undefined ? 'package' : 'component';
  const given = pkg ?? old;
  if (given === undefined) throw new ManifestError(file, 'package', 'missing required field (or its older name, component)');
  const component = resolve(dir, given);
  const problem = fileProblem(component);
  if (problem !== null) throw new ManifestError(file, field, `cannot read ${JSON.stringify(component)} (${problem})`);
  return component;
}

function initState(file: string, dir: string, given: string | undefined): InitStateFile | null {
  if (given === undefined) return null;
  const path = resolve(dir, given);
  const problem = fileProblem(path);
  if (problem !== null) throw new ManifestError(file, 'init_state', `cannot read ${JSON.stringify(path)} (${problem})`);
  // Checked before it is read: init's state is bounded both ways (base/units.ts).
  const size = statSync(path).size;
  if (size > MAX_STATE_BYTES) throw new ManifestError(file, 'init_state', `${JSON.stringify(path)} is ${size} bytes; a state is at most ${MAX_STATE_BYTES} (64 MiB)`);
  try {
    const bytes = readFileSync(path);
    return { path, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  } catch (error) {
    throw new ManifestError(file, 'init_state', `cannot read ${JSON.stringify(path)} (${reason(error)})`);
  }
}

export function loadManifest(path: string): ActorManifest {
  const absolute = resolve(path);
  const dir = dirname(absolute);
  const doc = readToml(path);
  const str: ReadString = (field, required) => {
    const value = doc[field];
    if (value === undefined && !required) return undefined;
    if (value === undefined) throw new ManifestError(path, field, 'missing required field');
    if (typeof value !== 'string' || value === '') throw new ManifestError(path, field, `expected a non-empty string, got ${describeValue(value)}`);
    return value;
  };
  const name = str('name', true) as string;
  const version = str('version', true) as string;
  const description = str('description', false);
  const component = componentPath(path, dir, str);
  const init_state = initState(path, dir, str('init_state', false));
  const saveChain = doc.save_chain ?? false;
  if (typeof saveChain !== 'boolean') throw new ManifestError(path, 'save_chain', `expected a boolean, got ${describeValue(saveChain)}`);
  const fairness = doc.fairness_pass ?? true;
  if (typeof fairness !== 'boolean') throw new ManifestError(path, 'fairness_pass', `expected a boolean, got ${describeValue(fairness)}`);
  const durableKey = doc.durable ?? null;
  if (durableKey !== null && (typeof durableKey !== 'string' || durableKey === '')) throw new ManifestError(path, 'durable', `expected a folder path, got ${describeValue(durableKey)}`);
  const hibernateAfter = doc.hibernate_after ?? null;
  if (hibernateAfter !== null && (typeof hibernateAfter !== 'number' || !Number.isSafeInteger(hibernateAfter) || hibernateAfter < 1)) {
    throw new ManifestError(path, 'hibernate_after', `expected a positive integer (ms), got ${describeValue(hibernateAfter)}`);
  }
  const tables = doc.handler ?? [];
  if (!Array.isArray(tables)) throw new ManifestError(path, 'handler', `expected an array of tables ([[handler]]), got ${describeValue(tables)}`);
  const handlers = (tables as unknown[]).map((table, index) => parseHandler(path, dir, table, index));
  const seen = handlers.findIndex((h, index) => handlers.findIndex((other) => other.type === h.type) !== index);
  if (seen !== -1) {
    const firstAt = handlers.findIndex((other) => other.type === handlers[seen].type);
    throw new ManifestError(path, `handler[${seen}].type`, `duplicate handler type "${handlers[seen].type}" (already at handler[${firstAt}])`);
  }
  const warnings = Object.keys(doc)
    .filter((key) => !KNOWN_KEYS.has(key))
    .map((key) => `${path}: ${key}: unknown field, ignored`);
  const unserved = unservedWarning(path, handlers);
  if (unserved !== null) warnings.push(unserved);
  const manifest: ActorManifest = { name, version, component, init_state, save_chain: saveChain, durable: durableKey === null ? null : resolve(dir, durableKey), hibernate_after: hibernateAfter, handlers, dir, path: absolute, warnings };
  if (description !== undefined) manifest.description = description;
  if (!fairness) manifest.fairness_pass = false;
  return manifest;
}
