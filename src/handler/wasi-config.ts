// WasiHandlerConfig: what a manifest's `[[handler]] type = "wasi"` table grants
// an actor beyond timing. Deny by default: a key left out grants nothing.
//
//   [[handler]]
//   type = "wasi"
//   env = ["LANG", "TZ"]          # these host variables, as the host has them (absent ones left out)
//   # env = { MODE = "test" }     # or exactly these names and values
//   max_output_bytes = 65536      # stdout + stderr bytes kept per actor instance; the rest counted, dropped
//
// Without `env`, wasi:cli/environment.get-environment traps naming the grant.
// The host filesystem and sockets cannot be granted by this host: a
// `filesystem`, `preopens` or `sockets`/`network` key is an error saying so.
import { describeValue, isPlainObject } from '../base/text.ts';
import { ConfigError } from './config.ts';

export interface WasiHandlerConfig {
  /** Granted environment: names to copy from the host's, or fixed values; null: none granted. */
  env: readonly string[] | Readonly<Record<string, string>> | null;
  /** stdout + stderr bytes one actor instance may write that are shown; the rest are counted and dropped. */
  max_output_bytes: number;
}

/** 64 KiB per actor instance: a fleet of 1 000 that each overflow holds at most this much per live actor. */
export const DEFAULT_MAX_OUTPUT_BYTES = 65_536;
/** The most `max_output_bytes` may grant: 16 MiB per instance. */
export const MAX_OUTPUT_BYTES_LIMIT = 16 * 1024 * 1024;

const KEYS = ['env', 'max_output_bytes'] as const;
const UNGRANTABLE: Readonly<Record<string, string>> = {
  filesystem: 'wasi:filesystem',
  preopens: 'wasi:filesystem',
  sockets: 'wasi:sockets',
  network: 'wasi:sockets',
};
const ENV_NAME = /^[^=\u0000]+$/;

function parseEnv(value: unknown, path: string): WasiHandlerConfig['env'] {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const names = value as unknown[];
    names.forEach((name, i) => {
      if (typeof name !== 'string' || !ENV_NAME.test(name)) {
        throw new ConfigError(`${path}.env[${i}]`, `expected a variable name (non-empty, no "=" or NUL), got ${describeValue(name)}`);
      }
    });
    return [...new Set(names as string[])];
  }
  if (isPlainObject(value)) {
    const vars: Record<string, string> = {};
    for (const [name, text] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) throw new ConfigError(`${path}.env`, `expected variable names without "=" or NUL, got ${JSON.stringify(name)}`);
      if (typeof text !== 'string' || text.includes('\u0000')) throw new ConfigError(`${path}.env.${name}`, `expected a string without NUL, got ${describeValue(text)}`);
      vars[name] = text;
    }
    return vars;
  }
  throw new ConfigError(`${path}.env`, `expected an array of variable names or a table of values, got ${describeValue(value)}`);
}

/** Validates a `type = "wasi"` table (without its `type`); unknown keys are errors. */
export function parseWasiHandlerConfig(input: unknown, path = 'handler.wasi'): WasiHandlerConfig {
  if (input === undefined) return { env: null, max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES };
  if (!isPlainObject(input)) throw new ConfigError(path, `expected a table, got ${describeValue(input)}`);
  for (const key of Object.keys(input)) {
    const capability = UNGRANTABLE[key];
    if (capability !== undefined) {
      throw new ConfigError(`${path}.${key}`, `${capability} cannot be granted by this host (no host files or sockets for an actor); remove the key`);
    }
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${path}.${key}`, `unknown key (known: ${KEYS.join(', ')}), got ${describeValue(input[key])}`);
    }
  }
  const cap = input.max_output_bytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (typeof cap !== 'number' || !Number.isSafeInteger(cap) || cap < 0 || cap > MAX_OUTPUT_BYTES_LIMIT) {
    throw new ConfigError(`${path}.max_output_bytes`, `expected an integer from 0 to ${MAX_OUTPUT_BYTES_LIMIT} (bytes), got ${describeValue(cap)}`);
  }
  return { env: parseEnv(input.env, path), max_output_bytes: cap };
}

/** The environment an actor sees: the granted names with the host's values (absent ones left out), or the fixed table. */
export function grantedEnvironment(env: WasiHandlerConfig['env'], host: Readonly<Record<string, string | undefined>>): Array<[string, string]> | null {
  if (env === null) return null;
  if (Array.isArray(env)) {
    const names = env as readonly string[];
    return names.flatMap((name): Array<[string, string]> => {
      const value = host[name];
      return value === undefined ? [] : [[name, value]];
    });
  }
  return Object.entries(env);
}
