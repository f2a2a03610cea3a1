// Actor manifests, in Theater's TOML shape:
//
//   name = "wasi-clocks-test"
//   version = "0.1.0"
//   component = "./wasi_clocks_test.wasm"   # relative to the manifest file
//   description = "..."                     # optional
//   save_chain = true                       # optional, default false
//   [[handler]]
//   type = "timing"
//   max_sleep_duration = 3600000            # optional, ms
//   min_sleep_duration = 1                  # optional, ms
//   max_cpu_ms = 1000                       # optional, ms of running per call; 0 = none
//
// Every error is a ManifestError with a one-line message "<file>: <field>: <why>".
// Unknown top-level keys are not errors (Theater manifests carry more fields,
// such as init_state); they are returned in `warnings`. Unknown keys inside a
// [[handler]] table are errors, since a typo there would loosen a limit.

import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError, parseTimingHostConfig, type TimingHostConfig } from '../handler/config.ts';
import { describeValue, isPlainObject } from '../handler/describe.ts';

export interface TimingHandlerSpec {
  type: 'timing';
  config: TimingHostConfig;
}

export type HandlerSpec = TimingHandlerSpec;

export interface ActorManifest {
  name: string;
  version: string;
  /** Absolute path of the component, resolved against the manifest's folder. */
  component: string;
  description?: string;
  save_chain: boolean;
  handlers: HandlerSpec[];
  /** Absolute folder of the manifest file. */
  dir: string;
  /** Absolute path of the manifest file. */
  path: string;
  /** Non-fatal findings, e.g. unknown top-level keys. */
  warnings: string[];
}

export class ManifestError extends Error {
  readonly code = 'ERR_MANIFEST';
  readonly file: string;
  /** The field at fault, e.g. `handler[1].type`, or null for file-level errors. */
  readonly path: string | null;
  /** Position in the file, when the TOML parser gives one. */
  readonly line: number | null;
  readonly column: number | null;
  constructor(file: string, path: string | null, detail: string, position?: { line: number; column: number }) {
    const where = position === undefined ? file : `${file}:${position.line}:${position.column}`;
    super(`${where}: ${path === null ? '' : `${path}: `}${detail}`);
    this.name = 'ManifestError';
    this.file = file;
    this.path = path;
    this.line = position?.line ?? null;
    this.column = position?.column ?? null;
  }
}

export const KNOWN_HANDLER_TYPES: readonly string[] = ['timing'];
const KNOWN_KEYS = new Set(['name', 'version', 'component', 'description', 'save_chain', 'handler']);

const firstLine = (text: string): string => text.split('\n', 1)[0];
const reason = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? firstLine((error as Error).message);

function componentProblem(file: string): string | null {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile() ? null : 'not a file';
  } catch (error) {
    return reason(error);
  }
}

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

function parseHandler(file: string, table: unknown, index: number): HandlerSpec {
  const at = `handler[${index}]`;
  if (!isPlainObject(table)) throw new ManifestError(file, at, `expected a table, got ${describeValue(table)}`);
  const { type, ...rest } = table;
  if (type === undefined) throw new ManifestError(file, `${at}.type`, `missing (known: ${KNOWN_HANDLER_TYPES.join(', ')})`);
  if (type !== 'timing') {
    const shown = typeof type === 'string' ? JSON.stringify(type) : describeValue(type);
    throw new ManifestError(file, `${at}.type`, `unknown handler type ${shown} (known: ${KNOWN_HANDLER_TYPES.join(', ')})`);
  }
  try {
    return { type, config: parseTimingHostConfig(rest, at) };
  } catch (error) {
    throw error instanceof ConfigError ? new ManifestError(file, error.path, error.detail) : error;
  }
}

export function loadManifest(path: string): ActorManifest {
  const absolute = resolve(path);
  const dir = dirname(absolute);
  const doc = readToml(path);
  const str = (field: string, required: boolean): string | undefined => {
    const value = doc[field];
    if (value === undefined && !required) return undefined;
    if (value === undefined) throw new ManifestError(path, field, 'missing required field');
    if (typeof value !== 'string' || value === '') throw new ManifestError(path, field, `expected a non-empty string, got ${describeValue(value)}`);
    return value;
  };
  const name = str('name', true) as string;
  const version = str('version', true) as string;
  const description = str('description', false);
  const component = resolve(dir, str('component', true) as string);
  const unreadable = componentProblem(component);
  if (unreadable !== null) throw new ManifestError(path, 'component', `cannot read ${JSON.stringify(component)} (${unreadable})`);
  const saveChain = doc.save_chain ?? false;
  if (typeof saveChain !== 'boolean') throw new ManifestError(path, 'save_chain', `expected a boolean, got ${describeValue(saveChain)}`);
  const tables = doc.handler ?? [];
  if (!Array.isArray(tables)) throw new ManifestError(path, 'handler', `expected an array of tables ([[handler]]), got ${describeValue(tables)}`);
  const handlers = (tables as unknown[]).map((table, index) => parseHandler(path, table, index));
  const seen = handlers.findIndex((h, index) => handlers.findIndex((other) => other.type === h.type) !== index);
  if (seen !== -1) {
    const firstAt = handlers.findIndex((other) => other.type === handlers[seen].type);
    throw new ManifestError(path, `handler[${seen}].type`, `duplicate handler type "${handlers[seen].type}" (already at handler[${firstAt}])`);
  }
  const warnings = Object.keys(doc)
    .filter((key) => !KNOWN_KEYS.has(key))
    .map((key) => `${path}: ${key}: unknown field, ignored`);
  const manifest: ActorManifest = { name, version, component, save_chain: saveChain, handlers, dir, path: absolute, warnings };
  if (description !== undefined) manifest.description = description;
  return manifest;
}
