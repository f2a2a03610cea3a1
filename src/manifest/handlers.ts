// The [[handler]] tables of a manifest: which types exist, and what each one's
// table must hold.
//
// - `timing`: served here; its keys are validated strictly (handler/config.ts), since a
//   typo would silently loosen a limit.
// - `replay`: `chain = "<path>"`, resolved against the manifest's folder and
//   checked readable here. Whether this build serves it is decided in one place,
//   registryFor (src/runtime/handlers.ts).
// - Theater's other handler types: known, so a manifest written for Theater
//   loads, but not served by this host; their tables are Theater's business and
//   are not read. The caller warns once, naming them.
// - Anything else is an error naming the field and the known types.

import { resolve } from 'node:path';
import { ConfigError, parseTimingHostConfig, type TimingHostConfig } from '../handler/config.ts';
import { describeValue, isPlainObject } from '../base/text.ts';
import { fileProblem, ManifestError } from './errors.ts';

export interface TimingHandlerSpec {
  type: 'timing';
  config: TimingHostConfig;
}

export interface ReplayHandlerSpec {
  type: 'replay';
  /** Absolute path of the recorded chain, resolved against the manifest's folder. */
  chain: string;
}

/** A Theater handler type that this host knows by name but does not serve. */
export interface UnservedHandlerSpec {
  type: TheaterOnlyHandlerType;
}

export type HandlerSpec = TimingHandlerSpec | ReplayHandlerSpec | UnservedHandlerSpec;

export const THEATER_ONLY_HANDLER_TYPES = [
  'runtime', 'message-server', 'supervisor', 'store', 'filesystem', 'http-client',
  'http-framework', 'process', 'environment', 'random', 'wasi-http',
] as const;
export type TheaterOnlyHandlerType = (typeof THEATER_ONLY_HANDLER_TYPES)[number];

export const KNOWN_HANDLER_TYPES: readonly string[] = ['timing', 'replay', ...THEATER_ONLY_HANDLER_TYPES];
const REPLAY_KEYS = ['chain'];

const isTheaterOnly = (type: string): type is TheaterOnlyHandlerType => (THEATER_ONLY_HANDLER_TYPES as readonly string[]).includes(type);

function parseReplay(file: string, dir: string, at: string, rest: Record<string, unknown>): ReplayHandlerSpec {
  const extra = Object.keys(rest).find((key) => !REPLAY_KEYS.includes(key));
  if (extra !== undefined) throw new ManifestError(file, `${at}.${extra}`, `unknown key (known: ${REPLAY_KEYS.join(', ')}), got ${describeValue(rest[extra])}`);
  const { chain } = rest;
  if (chain === undefined) throw new ManifestError(file, `${at}.chain`, 'missing required field (the recorded chain to replay)');
  if (typeof chain !== 'string' || chain === '') throw new ManifestError(file, `${at}.chain`, `expected a non-empty string, got ${describeValue(chain)}`);
  const path = resolve(dir, chain);
  const problem = fileProblem(path);
  if (problem !== null) throw new ManifestError(file, `${at}.chain`, `cannot read ${JSON.stringify(path)} (${problem})`);
  return { type: 'replay', chain: path };
}

export function parseHandler(file: string, dir: string, table: unknown, index: number): HandlerSpec {
  const at = `handler[${index}]`;
  if (!isPlainObject(table)) throw new ManifestError(file, at, `expected a table, got ${describeValue(table)}`);
  const { type, ...rest } = table;
  if (type === undefined) throw new ManifestError(file, `${at}.type`, `missing (known: ${KNOWN_HANDLER_TYPES.join(', ')})`);
  if (type === 'replay') return parseReplay(file, dir, at, rest);
  if (typeof type === 'string' && isTheaterOnly(type)) return { type };
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

/** The one warning line for handler types this host does not serve, or null when there are none. */
export function unservedWarning(file: string, handlers: readonly HandlerSpec[]): string | null {
  const unserved = handlers.filter((h) => isTheaterOnly(h.type)).map((h) => h.type);
  if (unserved.length === 0) return null;
  return `${file}: handler: ${unserved.join(', ')}: Theater handler type${unserved.length === 1 ? '' : 's'} not served by this host, ignored `
    + '(an actor that imports their interfaces will not start)';
}
