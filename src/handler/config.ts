// TimingHostConfig (what an actor's manifest asks for) and TimingPermissions
// (what its parent grants), in integer milliseconds (and a pollable count), validated at the
// edge. Unknown keys are rejected: a typo such as `max_sleep_duraton` would
// otherwise silently fall back to a default limit.

import type { TimingLimits } from '../wasi/clamp.ts';
import { describeValue, isPlainObject } from '../base/text.ts';
import { NS_PER_MS } from '../base/units.ts';
import { DEFAULT_MAX_HOLD_MS } from '../thread/hold.ts';

export interface TimingHostConfig {
  /** Longest sleep a subscription may ask for, in ms. */
  max_sleep_duration: number;
  /** Shortest sleep a subscription gets, in ms; stops tight polling. */
  min_sleep_duration: number;
  /** Live pollables one actor instance may hold at once (a count, not ms). */
  max_pollables: number;
  /**
   * Events one actor instance may record (its guest calls; setup events and
   * ChainEnd are not counted); the call that would record one more traps the
   * actor. 0: no budget. Matters only when events are recorded.
   */
  max_events: number;
  /** CPU time one call may run, waits not counted, in ms, before the actor traps; 0 = no budget; absent = none (virtual time: VIRTUAL_DEFAULT_CPU_MS). */
  max_cpu_ms?: number;
  /**
   * Most ms the guest may hold the thread in code that cannot yield (its start
   * function, cabi_realloc, post-return) before it traps; 0 = no limit; absent =
   * DEFAULT_MAX_HOLD_MS (200). See thread/hold.ts.
   */
  max_hold_ms?: number;
}

/** A config whose `max_events` may be left out (it then means the default). */
export type TimingLimitsConfig = Omit<TimingHostConfig, 'max_events'> & { max_events?: number };

/**
 * Same fields as the config: the parent grants at most `max_sleep_duration`,
 * `max_pollables` and `max_events` (0 or absent: any) and at least
 * `min_sleep_duration`. `null` = unrestricted.
 */
export type TimingPermissions = TimingLimitsConfig | null;

export const DEFAULT_TIMING_CONFIG: Readonly<TimingHostConfig> = Object.freeze({
  max_sleep_duration: 3_600_000,
  min_sleep_duration: 1,
  max_pollables: 10_000,
  max_events: 1_000_000,
});

const FIELDS = ['max_sleep_duration', 'min_sleep_duration', 'max_pollables', 'max_events', 'max_cpu_ms', 'max_hold_ms'] as const;

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

function parseLimits(input: unknown, path: string, kind: 'timing config' | 'timing permissions'): TimingLimitsConfig {
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
  const limits: TimingLimitsConfig = { max_sleep_duration: max, min_sleep_duration: min, max_pollables: pollables };
  // Absent stays absent (no CPU budget, or for a permission: any).
  if (input.max_cpu_ms !== undefined) limits.max_cpu_ms = readCount(input, 'max_cpu_ms', path, 0, 'milliseconds; 0 = no budget');
  if (input.max_hold_ms !== undefined) limits.max_hold_ms = readCount(input, 'max_hold_ms', path, 0, 'milliseconds; 0 = no limit');
  // A permission that leaves max_events out grants any budget.
  if (kind === 'timing permissions' && input.max_events === undefined) return limits;
  return { ...limits, max_events: readCount(input, 'max_events', path, DEFAULT_TIMING_CONFIG.max_events, 'events; 0 = no budget') };
}

/** Validates a config table; missing fields take the defaults (3 600 000 ms, 1 ms, 10 000 pollables, 1 000 000 events, no CPU budget). */
export function parseTimingHostConfig(input: unknown, path = 'handler.timing'): TimingHostConfig {
  const config = parseLimits(input, path, 'timing config');
  return { ...config, max_events: config.max_events ?? DEFAULT_TIMING_CONFIG.max_events };
}

/** Validates a permissions table; `null` stays `null` (unrestricted). */
export function parseTimingPermissions(input: unknown, path = 'permissions.timing'): TimingPermissions {
  return input === null ? null : parseLimits(input, path, 'timing permissions');
}

/** Throws a ConfigError when `config` asks for more freedom than `permissions` grant. */
export function checkPermissions(config: TimingLimitsConfig, permissions: TimingPermissions, path = 'handler.timing'): void {
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
  const granted = permissions.max_events ?? 0;
  const asked = config.max_events ?? DEFAULT_TIMING_CONFIG.max_events;
  if (granted !== 0 && (asked === 0 || asked > granted)) {
    throw new ConfigError(`${path}.max_events`, `${asked === 0 ? '0 (no budget)' : asked} exceeds the permitted maximum ${granted}`);
  }
  // A permitted CPU budget binds: the config may ask for less per call, never more or none.
  const permittedCpuMs = permissions.max_cpu_ms ?? 0;
  const cpuMs = config.max_cpu_ms ?? 0;
  if (permittedCpuMs !== 0 && (cpuMs === 0 || cpuMs > permittedCpuMs)) {
    throw new ConfigError(`${path}.max_cpu_ms`, `${cpuMs === 0 ? '0 (no budget)' : cpuMs} exceeds the permitted maximum ${permittedCpuMs}`);
  }
  // So does a permitted hold limit (absent in the config: the default, which may exceed it).
  const permittedHoldMs = permissions.max_hold_ms ?? 0;
  const holdMs = config.max_hold_ms ?? DEFAULT_MAX_HOLD_MS;
  if (permittedHoldMs !== 0 && (holdMs === 0 || holdMs > permittedHoldMs)) {
    throw new ConfigError(`${path}.max_hold_ms`, `${holdMs === 0 ? '0 (no limit)' : holdMs} exceeds the permitted maximum ${permittedHoldMs}`);
  }
}

/** The limits the adapters enforce, in ns. Checks permissions first, so the result lies within them. */
export function effectiveLimits(config: TimingLimitsConfig, permissions: TimingPermissions): TimingLimits {
  checkPermissions(config, permissions);
  return {
    minNs: BigInt(config.min_sleep_duration) * NS_PER_MS,
    maxNs: BigInt(config.max_sleep_duration) * NS_PER_MS,
  };
}
