import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeValue, isHexPairs, isPlainObject, jsonOf, jsonText, safeText } from '../../src/base/text.ts';

const describe = suite('describeValue');

describe('value then type, one line, cut when long', () => {
  assert.equal(
    [-5, 'a\nb', [1, 2], { a: 1 }, null, undefined, true, 3n, { n: 3n }, new Date(0)].map(describeValue),
    ['-5 (number)', '"a\\nb" (string)', '[1,2] (array)', '{"a":1} (object)', 'null (null)', 'undefined (undefined)', 'true (boolean)', '3n (bigint)', '{"n":"3n"} (object)', '1970-01-01T00:00:00.000Z (date)'],
  );
  assert.is(describeValue('x'.repeat(100)), `"${'x'.repeat(58)}… (string)`);
  assert.is(describeValue(() => 1), '() => 1 (function)');
  assert.is(describeValue(Symbol('s')), 'Symbol(s) (symbol)');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.is(describeValue(cyclic), '[object Object] (object)');
});

describe('isPlainObject', () => {
  assert.equal([{}, Object.create(null), [], null, new Date(), 'x', new Map()].map(isPlainObject), [true, true, false, false, false, false, false]);
});

describe.run();

const safe = suite('safeText');

safe('safeText: every control character becomes a visible escape; printable text and backslashes stay', () => {
  assert.is(safeText('plain text, ünïcode, back\\slash'), 'plain text, ünïcode, back\\slash');
  assert.is(safeText('a\nb\r\tc\u001b[31md\u0007\u0000'), 'a\\nb\\r\\tc\\e[31md\\x07\\x00');
  assert.is(safeText('\u007f\u0085\u2028\u2029\u202e\u2066'), '\\x7f\\x85\\u{2028}\\u{2029}\\u{202e}\\u{2066}');
  assert.not.match(safeText(String.fromCharCode(...Array.from({ length: 0xa0 }, (_, i) => i))), /[\u0000-\u001f\u007f-\u009f]/);
});

safe.run();

const json = suite('jsonText and deep values');

json('describeValue: a value too deep for JSON.stringify is shown by its shape, never a RangeError', () => {
  const deepArray = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
  const deepObject = JSON.parse(`${'{"a":'.repeat(20_000)}0${'}'.repeat(20_000)}`) as unknown;
  assert.is(describeValue(deepArray), '[…] (array)');
  assert.is(describeValue(deepObject), '[object Object] (object)');
  const throwing = { toString(): string { throw new RangeError('too deep'); } };
  Object.defineProperty(throwing, 'toJSON', { value: (): never => { throw new RangeError('too deep'); } });
  assert.is(describeValue(throwing), '{…} (object)');
});

json('jsonText: DEL, C1 controls, separators and bidi characters become \\u escapes; the JSON parses to the same value', () => {
  const text = 'a\u007f\u0085\u009b2J\u2028\u2029\u202a\u202e\u2066\u2069z "\\ \n';
  const out = jsonText({ text });
  assert.is(out, '{"text":"a\\u007f\\u0085\\u009b2J\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069z \\"\\\\ \\n"}');
  assert.not.match(out, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.equal(JSON.parse(out), { text });
  assert.is(jsonText(undefined), 'null');
});

json('jsonOf: JSON text that never throws (a cyclic value is shown as String shows it)', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal([jsonOf({ a: [1] }), jsonOf(undefined), jsonOf(cyclic)], ['{"a":[1]}', 'undefined', '[object Object]']);
});

json.run();

const hex = suite('isHexPairs');

hex('hex digits in pairs, lowercase unless any case is asked for; millions of pairs without a stack overflow', () => {
  for (const good of ['', '00', '0a1b', 'ff'.repeat(3)]) assert.ok(isHexPairs(good), good);
  for (const bad of ['0', 'abc', 'zz', '0A', ' 00', '00\n']) assert.not.ok(isHexPairs(bad), bad);
  assert.ok(isHexPairs('0A', true));
  assert.not.ok(isHexPairs('0G', true));
  assert.ok(isHexPairs('00'.repeat(10_000_000)), 'twenty million digits');
});

hex.run();
