import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkPermissions,
  ConfigError,
  DEFAULT_TIMING_CONFIG,
  effectiveLimits,
  parseTimingHostConfig,
  parseTimingPermissions,
} from '../../src/handler/config.ts';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const parse = suite('parseTimingHostConfig');

parse('defaults for undefined and for an empty table', () => {
  assert.equal(parseTimingHostConfig(undefined), { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
  assert.equal(parseTimingHostConfig({}), { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
  assert.equal(DEFAULT_TIMING_CONFIG, { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
});

parse('accepts boundaries: zeros, min == max, MAX_SAFE_INTEGER', () => {
  assert.equal(parseTimingHostConfig({ max_sleep_duration: 0, min_sleep_duration: 0, max_pollables: 10_000 }), { max_sleep_duration: 0, min_sleep_duration: 0, max_pollables: 10_000, max_events: 1_000_000 });
  assert.equal(parseTimingHostConfig({ max_sleep_duration: 5, min_sleep_duration: 5, max_pollables: 10_000 }), { max_sleep_duration: 5, min_sleep_duration: 5, max_pollables: 10_000, max_events: 1_000_000 });
  const max = Number.MAX_SAFE_INTEGER;
  assert.equal(parseTimingHostConfig({ max_sleep_duration: max }), { max_sleep_duration: max, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
});

parse('a partial table keeps the other default', () => {
  assert.equal(parseTimingHostConfig({ min_sleep_duration: 10, max_pollables: 10_000 }), { max_sleep_duration: 3_600_000, min_sleep_duration: 10, max_pollables: 10_000, max_events: 1_000_000 });
  assert.equal(parseTimingHostConfig({ max_sleep_duration: 10 }), { max_sleep_duration: 10, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
});

parse('returns a fresh object, not the frozen defaults', () => {
  const config = parseTimingHostConfig(undefined);
  config.max_sleep_duration = 7;
  assert.is(DEFAULT_TIMING_CONFIG.max_sleep_duration, 3_600_000);
});

const badValues: Array<[unknown, string]> = [
  [-1, '-1 (number)'],
  [1.5, '1.5 (number)'],
  ['100', '"100" (string)'],
  [Number.MAX_SAFE_INTEGER + 1, '9007199254740992 (number)'],
  [Number.NaN, 'NaN (number)'],
  [null, 'null (null)'],
  [true, 'true (boolean)'],
  [10n, '10n (bigint)'],
];

for (const [value, shown] of badValues) {
  parse(`rejects max_sleep_duration = ${shown}`, () => {
    const error = configError(() => parseTimingHostConfig({ max_sleep_duration: value }, 'handler[0]'));
    assert.is(error.path, 'handler[0].max_sleep_duration');
    assert.is(error.code, 'ERR_TIMING_CONFIG');
    assert.is(error.message, `handler[0].max_sleep_duration: expected a non-negative safe integer (milliseconds), got ${shown}`);
  });
}

parse('rejects a bad min_sleep_duration with the default path', () => {
  const error = configError(() => parseTimingHostConfig({ min_sleep_duration: -3 }));
  assert.is(error.path, 'handler.timing.min_sleep_duration');
  assert.is(error.detail, 'expected a non-negative safe integer (milliseconds), got -3 (number)');
});

for (const [value, shown] of badValues) {
  parse(`rejects max_pollables = ${shown}`, () => {
    const error = configError(() => parseTimingHostConfig({ max_pollables: value }, 'handler[0]'));
    assert.is(error.message, `handler[0].max_pollables: expected a non-negative safe integer (live pollables), got ${shown}`);
  });
}

parse('max_pollables: 0 and the largest safe integer are accepted', () => {
  assert.is(parseTimingHostConfig({ max_pollables: 0 }).max_pollables, 0);
  assert.is(parseTimingHostConfig({ max_pollables: Number.MAX_SAFE_INTEGER }).max_pollables, Number.MAX_SAFE_INTEGER);
});

parse('rejects min > max, including against a default max', () => {
  let error = configError(() => parseTimingHostConfig({ max_sleep_duration: 10, min_sleep_duration: 11, max_pollables: 10_000 }));
  assert.is(error.message, 'handler.timing.min_sleep_duration: 11 exceeds max_sleep_duration 10');
  error = configError(() => parseTimingHostConfig({ min_sleep_duration: 3_600_001, max_pollables: 10_000 }));
  assert.is(error.message, 'handler.timing.min_sleep_duration: 3600001 exceeds max_sleep_duration 3600000');
});

parse('rejects unknown keys, naming the key and echoing its value', () => {
  const error = configError(() => parseTimingHostConfig({ max_sleep_duraton: 5 }, 'handler[2]'));
  assert.is(error.path, 'handler[2].max_sleep_duraton');
  assert.is(error.message, 'handler[2].max_sleep_duraton: unknown key (known: max_sleep_duration, min_sleep_duration, max_pollables, max_events, max_cpu_ms, max_hold_ms), got 5 (number)');
});

parse('rejects a non-table', () => {
  for (const [value, shown] of [[null, 'null (null)'], [[1], '[1] (array)'], ['x', '"x" (string)'], [new Date(0), '1970-01-01T00:00:00.000Z (date)']] as const) {
    const error = configError(() => parseTimingHostConfig(value));
    assert.is(error.message, `handler.timing: expected a table of timing config, got ${shown}`);
  }
});

parse('accepts null-prototype tables (as smol-toml returns)', () => {
  const table = Object.assign(Object.create(null) as Record<string, unknown>, { max_sleep_duration: 9 });
  assert.equal(parseTimingHostConfig(table), { max_sleep_duration: 9, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
});

parse.run();

const perms = suite('permissions');

perms('parseTimingPermissions: null is unrestricted; tables validate like configs', () => {
  assert.is(parseTimingPermissions(null), null);
  assert.equal(parseTimingPermissions({ max_sleep_duration: 60_000 }), { max_sleep_duration: 60_000, min_sleep_duration: 1, max_pollables: 10_000 });
  const error = configError(() => parseTimingPermissions({ min_sleep_duration: 'x' }));
  assert.is(error.message, 'permissions.timing.min_sleep_duration: expected a non-negative safe integer (milliseconds), got "x" (string)');
});

perms('checkPermissions: null permits anything', () => {
  checkPermissions({ max_sleep_duration: Number.MAX_SAFE_INTEGER, min_sleep_duration: 0, max_pollables: 10_000 }, null);
});

perms('checkPermissions: within, and exactly at, the permitted bounds', () => {
  const granted = { max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 10_000 };
  checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 10_000 }, granted);
  checkPermissions({ max_sleep_duration: 999, min_sleep_duration: 11, max_pollables: 10_000 }, granted);
});

perms('checkPermissions: max above the permitted max, by one', () => {
  const error = configError(() => checkPermissions({ max_sleep_duration: 1001, min_sleep_duration: 10, max_pollables: 10_000 }, { max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 10_000 }, 'handler[0]'));
  assert.is(error.message, 'handler[0].max_sleep_duration: 1001 exceeds the permitted maximum 1000');
});

perms('checkPermissions: max_pollables above the permitted max, by one', () => {
  const granted = { max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 50 };
  checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 50 }, granted);
  const error = configError(() => checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 51 }, granted, 'handler[0]'));
  assert.is(error.message, 'handler[0].max_pollables: 51 exceeds the permitted maximum 50');
});

perms('checkPermissions: min below the permitted min, by one', () => {
  const error = configError(() => checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 9, max_pollables: 10_000 }, { max_sleep_duration: 1000, min_sleep_duration: 10, max_pollables: 10_000 }));
  assert.is(error.path, 'handler.timing.min_sleep_duration');
  assert.is(error.message, 'handler.timing.min_sleep_duration: 9 is below the permitted minimum 10');
});

perms('effectiveLimits: ms to ns, after checking permissions', () => {
  assert.equal(effectiveLimits({ max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000 }, null), { minNs: 1_000_000n, maxNs: 3_600_000_000_000n });
  assert.equal(effectiveLimits({ max_sleep_duration: 50, min_sleep_duration: 0, max_pollables: 10_000 }, { max_sleep_duration: 50, min_sleep_duration: 0, max_pollables: 10_000 }), { minNs: 0n, maxNs: 50_000_000n });
  const max = Number.MAX_SAFE_INTEGER;
  assert.equal(effectiveLimits({ max_sleep_duration: max, min_sleep_duration: 0, max_pollables: 10_000 }, null).maxNs, BigInt(max) * 1_000_000n);
  configError(() => effectiveLimits({ max_sleep_duration: 51, min_sleep_duration: 0, max_pollables: 10_000 }, { max_sleep_duration: 50, min_sleep_duration: 0, max_pollables: 10_000 }));
});

perms('max_events: validated like the others; 0 is no budget; a permission caps it (absent: any)', () => {
  assert.is(parseTimingHostConfig({ max_events: 0 }).max_events, 0);
  assert.is(parseTimingHostConfig({ max_events: 5 }).max_events, 5);
  assert.is(configError(() => parseTimingHostConfig({ max_events: -1 }, 'handler[1]')).message, 'handler[1].max_events: expected a non-negative safe integer (events; 0 = no budget), got -1 (number)');
  assert.is(configError(() => parseTimingHostConfig({ max_events: 1.5 })).path, 'handler.timing.max_events');
  assert.equal(parseTimingPermissions({ max_events: 10 }), { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 10 });
  const base = { max_sleep_duration: 10, min_sleep_duration: 1, max_pollables: 10 };
  checkPermissions({ ...base, max_events: 0 }, base);
  checkPermissions({ ...base, max_events: 10 }, { ...base, max_events: 10 });
  checkPermissions(base, { ...base, max_events: 0 });
  assert.is(configError(() => checkPermissions({ ...base, max_events: 11 }, { ...base, max_events: 10 })).message, 'handler.timing.max_events: 11 exceeds the permitted maximum 10');
  assert.is(configError(() => checkPermissions({ ...base, max_events: 0 }, { ...base, max_events: 10 })).message, 'handler.timing.max_events: 0 (no budget) exceeds the permitted maximum 10');
  assert.is(configError(() => checkPermissions(base, { ...base, max_events: 10 })).message, 'handler.timing.max_events: 1000000 exceeds the permitted maximum 10');
});

perms('max_cpu_ms: validated like the other keys; absent means no budget; permissions bound it', () => {
  assert.equal(parseTimingHostConfig({ max_cpu_ms: 250 }), { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_cpu_ms: 250, max_events: 1_000_000 });
  assert.equal(parseTimingHostConfig({ max_cpu_ms: 0 }).max_cpu_ms, 0);
  assert.is(parseTimingHostConfig({}).max_cpu_ms, undefined);
  for (const bad of [-1, 1.5, '100', Number.MAX_SAFE_INTEGER + 1]) {
    const error = configError(() => parseTimingHostConfig({ max_cpu_ms: bad }, 'handler[0]'));
    assert.is(error.path, 'handler[0].max_cpu_ms');
    assert.match(error.message, /^handler\[0\]\.max_cpu_ms: expected a non-negative safe integer \(milliseconds; 0 = no budget\), got /);
  }
  const granted = { max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10, max_cpu_ms: 200 };
  checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10, max_cpu_ms: 200 }, granted);
  checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10, max_cpu_ms: 1 }, granted);
  checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10, max_cpu_ms: 5000 }, { max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10 });
  assert.is(configError(() => checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10, max_cpu_ms: 201 }, granted)).message,
    'handler.timing.max_cpu_ms: 201 exceeds the permitted maximum 200');
  assert.is(configError(() => checkPermissions({ max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10 }, granted)).message,
    'handler.timing.max_cpu_ms: 0 (no budget) exceeds the permitted maximum 200');
});

perms('max_hold_ms: validated like max_cpu_ms; absent means the default (200); permissions bound it', () => {
  assert.is(parseTimingHostConfig({ max_hold_ms: 50 }).max_hold_ms, 50);
  assert.is(parseTimingHostConfig({}).max_hold_ms, undefined);
  assert.match(configError(() => parseTimingHostConfig({ max_hold_ms: -1 })).message, /^handler\.timing\.max_hold_ms: expected a non-negative safe integer \(milliseconds; 0 = no limit\), got /);
  const base = { max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10 };
  checkPermissions({ ...base, max_hold_ms: 100 }, { ...base, max_hold_ms: 100 });
  checkPermissions(base, { ...base, max_hold_ms: 200 });
  checkPermissions({ ...base, max_hold_ms: 0 }, base);
  assert.is(configError(() => checkPermissions(base, { ...base, max_hold_ms: 100 })).message, 'handler.timing.max_hold_ms: 200 exceeds the permitted maximum 100');
  assert.is(configError(() => checkPermissions({ ...base, max_hold_ms: 0 }, { ...base, max_hold_ms: 100 })).message, 'handler.timing.max_hold_ms: 0 (no limit) exceeds the permitted maximum 100');
});

perms.run();
