// parseJsonExact: integers beyond 2^53 come back exact as bigint; text with no
// 16-digit run takes plain JSON.parse, which reads any nesting depth.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseJsonExact } from '../../src/base/exact-json.ts';

test('an unsafe integer is a bigint, digit for digit; safe ones and strings stay as JSON.parse makes them', () => {
  assert.equal(parseJsonExact('{"a":18446744073709551615,"b":-9007199254740993,"c":9007199254740991,"d":"12345678901234567890","e":1.5e300}'),
    { a: 18446744073709551615n, b: -9007199254740993n, c: 9007199254740991, d: '12345678901234567890', e: 1.5e300 });
});

test('nesting 100 000 deep without long integers parses; with one, a too-deep text throws a RangeError (one line for callers)', () => {
  const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
  let value = parseJsonExact(deep);
  let depth = 0;
  while (Array.isArray(value)) { value = value[0]; depth++; }
  assert.is(depth, 100_000);
  assert.is(value, 1);
  assert.throws(() => parseJsonExact(`${'['.repeat(100_000)}18446744073709551615${']'.repeat(100_000)}`), (error: unknown) => error instanceof RangeError);
});

test.run();
