// duplicateKey: the first key seen twice in one object, at any depth, keys
// compared by value; keys of different objects, strings that look like keys,
// and array items never count.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duplicateKey } from '../../src/base/json-keys.ts';

test('no duplicate: distinct keys, the same key in sibling or nested objects, keys spelled inside strings and arrays', () => {
  for (const text of ['{}', '[]', '1', '"a"', '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', '{"a":"\\"a\\":1","b":["a","a"]}', '[{"k":1},{"k":2}]', '{"a":{},"b":[]}']) {
    assert.is(duplicateKey(text), null, text);
  }
});

test('a duplicate at the top, nested in an object, in an array\'s object, after an escaped quote, and spelled with an escape', () => {
  assert.is(duplicateKey('{"a":1,"a":2}'), 'a');
  assert.is(duplicateKey('{"x":{"b":1,"c":[1,2],"b":3}}'), 'b');
  assert.is(duplicateKey('[1,{"k":{"z":1},"k":2}]'), 'k');
  assert.is(duplicateKey('{"q\\"":1,"q\\"":2}'), 'q"');
  assert.is(duplicateKey('{"a":1,"\\u0061":2}'), 'a');
  assert.is(duplicateKey(' { "s" : "}" , "s" : 0 } '), 's');
});

test('text cut inside a string (not JSON: the callers parse first) ends the scan without a verdict', () => {
  assert.is(duplicateKey('{"a":1,"b'), null);
});

test.run();
