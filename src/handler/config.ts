// TimingHostConfig (what an actor's manifest asks for) and TimingPermissions
// (what its parent grants), in integer milliseconds (and a pollable count), validated at the
// edge. Unknown keys are rejected: a typo such as `max_sleep_duraton` would
// otherwise silently fall back to a default limit.

import type { TimingLimits } from '../wasi/clamp.ts';
import { describeValue, isPlainObject } from './describe.ts';
import { NS_PER_MS } from '../time/units.ts';

export interface TimingHostConfig {
  /** Longest sleep a subscription may ask for, in ms. */
  max_sleep_duration: number;
  /** Shortest sleep a subscription gets, in ms; stops tight polling. */
  min_sleep_duration: number;
  /** Live pollables one actor instance may hold at once (a count, not ms). */
  max_pollables: number;
}

/** Same fields as the config: the parent grants at most `max` and at least `min`. `null` = unrestricted. */
export type TimingPermissions = TimingHostConfig | null;

export const DEFAULT_TIMING_CONFIG: Readonly<TimingHostConfig> = Object.freeze({
  max_sleep_duration: 3_600_000,
  min_sleep_duration: 1,
  max_pollables: 10_000,
});

const FIELDS = ['max_sleep_duration', 'min_sleep_duration', 'max_pollables'] as const;

export class ConfigError extends Error {
  readonly code = 'ERR_TIMING_CONFIG';
  /** Where the bad value sits, e.g. `handler[0].max_sleep_duration`. */
  readonly path: string;
  /** The message without its path prefix. */
  readonly detail: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'ConfigError';
    this.path = path;
    this.detail = detail;
  }
}

function readCount(table: Record<string, unknown>, field: string, path: string, fallback: number, unit: string): number {
  const value = table[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`${path}.${field}`, `expected a non-negative safe integer (${unit}), got ${describeValue(value)}`);
  }
  return value;
}

function parseLimits(input: unknown, path: string, kind: string): TimingHostConfig {
  if (input === undefined) return { ...DEFAULT_TIMING_CONFIG };
  if (!isPlainObject(input)) throw new ConfigError(path, `expected a table of ${kind}, got ${describeValue(input)}`);
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ConfigError(`${path}.${key}`, `unknown key (known: ${FIELDS.join(', ')}), got ${describeValue(input[key])}`);
    }
  }
  const max = readCount(input, 'max_sleep_duration', path, DEFAULT_TIMING_CONFIG.max_sleep_duration, 'milliseconds');
  const min = readCount(input, 'min_sleep_duration', path, DEFAULT_TIMING_CONFIG.min_sleep_duration, 'milliseconds');
  const pollables = readCount(input, 'max_pollables', path, DEFAULT_TIMING_CONFIG.max_pollables, 'live pollables');
  if (min > max) {
    throw new ConfigError(`${path}.min_sleep_duration`, `${min} exceeds max_sleep_duration ${max}`);
  }
  return { max_sleep_duration: max, min_sleep_duration: min, max_pollables: pollables };
}

/** Validates a config table; missing fields take the defaults (3 600 000 ms, 1 ms, 10 000 pollables). */
export function parseTimingHostConfig(input: unknown, path = 'handler.timing'): TimingHostConfig {
  return parseLimits(input, path, 'timing config');
}

/** Validates a permissions table; `null` stays `null` (unrestricted). */
export function parseTimingPermissions(input: unknown, path = 'permissions.timing'): TimingPermissions {
  return input === null ? null : parseLimits(input, path, 'timing permissions');
}

/** Throws a ConfigError when `config` asks for more freedom than `permissions` grant. */
export function checkPermissions(config: TimingHostConfig, permissions: TimingPermissions, path = 'handler.timing'): void {
  if (permissions === null) return;
  if (config.max_sleep_duration > permissions.max_sleep_duration) {
    throw new ConfigError(
      `${path}.max_sleep_duration`,
      `${config.max_sleep_duration} exceeds the permitted maximum ${permissions.max_sleep_duration}`,
    );
  }
  if (config.min_sleep_duration < permissions.min_sleep_duration) {
    throw new ConfigError(
      `${path}.min_sleep_duration`,
      `${config.min_sleep_duration} is below the permitted minimum ${permissions.min_sleep_duration}`,
    );
  }
  if (config.max_pollables > permissions.max_pollables) {
    throw new ConfigError(`${path}.max_pollables`, `${config.max_pollables} exceeds the permitted maximum ${permissions.max_pollables}`);
  }
}

/** The limits the adapters enforce, in ns. Checks permissions first, so the result lies within them. */
export function effectiveLimits(config: TimingHostConfig, permissions: TimingPermissions): TimingLimits {
  checkPermissions(config, permissions);
  return {
    minNs: BigInt(config.min_sleep_duration) * NS_PER_MS,
    maxNs: BigInt(config.max_sleep_duration) * NS_PER_MS,
  };
}
