// ElementReader: the elements of one JSON array, read from chunks of any size
// (down to one byte), with the errors that stop the reading: no "[", a
// trailing comma, bytes after "]", a file cut inside the array, an element
// too long or not UTF-8. LineReader: lines from chunks, the same way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bufferChunks, fileChunks, type ChunkSource } from '../../src/events/chunks.ts';
import { ElementError, ElementReader, MAX_ELEMENT_BYTES } from '../../src/events/theater/elements.ts';
import { LineReader, MAX_LINE_BYTES } from '../../src/events/lines.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `bytes` in chunks of `size`. */
function pieces(bytes: Uint8Array, size: number): ChunkSource {
  let at = 0;
  return {
    next: () => (at >= bytes.length ? null : Buffer.from(bytes.subarray(at, (at += size)))),
    close() {},
  };
}

function elements(text: string, size = 1 << 20): string[] {
  const reader = new ElementReader(pieces(Buffer.from(text), size));
  const out: string[] = [];
  for (let e = reader.next(); e !== null; e = reader.next()) out.push(e);
  assert.is(reader.next(), null, 'the end stays the end');
  assert.is(reader.count, out.length);
  return out;
}

function failure(text: string, size = 1 << 20): string {
  try {
    elements(text, size);
  } catch (error) {
    assert.instance(error, ElementError);
    return `${(error as ElementError).index}: ${(error as Error).message}`;
  }
  return 'no error';
}

const ARRAY = ' [ {"a":[1,{"b":"]},\\"x"}],"c":"é"} ,\n[1,[2]], "s,]" , 12 ,true,null,{}]\n\t';
const EXPECTED = ['{"a":[1,{"b":"]},\\"x"}],"c":"é"}', '[1,[2]]', '"s,]"', '12', 'true', 'null', '{}'];

test('elements of every kind, with strings holding brackets, commas and escaped quotes, at every chunk size', () => {
  for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) assert.equal(elements(ARRAY, size), EXPECTED, `chunks of ${size}`);
  assert.equal(elements('[]'), []);
  assert.equal(elements(' [\n] '), []);
});

test('what stops the reading, by element index', () => {
  assert.is(failure(''), '0: expected a JSON array of events: the file is empty');
  assert.is(failure('  {"a":1}'), '0: expected a JSON array of events: the file starts with "{"');
  assert.is(failure('\u00ff'), '0: expected a JSON array of events: the file starts with byte 0xc3');
  assert.is(failure('[1,]'), '1: a "," before "]": there is no element after it');
  assert.is(failure('[1 2]'), '1: expected "," or "]" after the element, got "2"');
  assert.is(failure('[1]x'), '1: "x" after the array\'s closing "]"');
  assert.is(failure('[1],'), '1: "," after the array\'s closing "]"');
  for (const cut of ['[', '[1', '[1,', '[{"a":', '["x']) assert.is(failure(cut), `${cut === '[' || cut === '[1' || cut.startsWith('[{') || cut.startsWith('["') ? 0 : 1}: the file ends inside the array (no closing "]"): it was cut short`, cut);
});

test('an element longer than the bound fails without being held', () => {
  const big = `["${'x'.repeat(MAX_ELEMENT_BYTES)}"]`;
  assert.is(failure(big, 1 << 20), `0: element longer than ${MAX_ELEMENT_BYTES} bytes`);
});

test('non-UTF-8 bytes inside a string element fail', () => {
  const reader = new ElementReader(bufferChunks(Uint8Array.of(0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d)));
  assert.throws(() => reader.next(), /not valid UTF-8/);
});

test('LineReader: lines across chunks, the last line with or without "\\n", too long, not UTF-8', () => {
  const read = (bytes: Uint8Array, size: number): { lines: string[]; newline: boolean } => {
    const reader = new LineReader(pieces(bytes, size));
    const lines: string[] = [];
    for (let l = reader.next(); l !== null; l = reader.next()) lines.push('text' in l ? l.text : `!${l.error}`);
    reader.close();
    return { lines, newline: reader.endsWithNewline };
  };
  for (const size of [1, 2, 3, 1 << 20]) {
    assert.equal(read(Buffer.from('a\n\nbé\n'), size), { lines: ['a', '', 'bé'], newline: true });
    assert.equal(read(Buffer.from('a\nb'), size), { lines: ['a', 'b'], newline: false });
  }
  assert.equal(read(Buffer.alloc(0), 4), { lines: [], newline: true });
  assert.equal(read(Uint8Array.of(0x61, 0xff, 0x0a, 0x62, 0x0a), 2).lines, ['!not valid UTF-8', 'b']);
  const long = Buffer.alloc(MAX_LINE_BYTES + 2, 0x61);
  long[long.length - 1] = 0x0a;
  assert.equal(read(Buffer.concat([long, Buffer.from('ok\n')]), 1 << 20).lines, [`!line longer than ${MAX_LINE_BYTES} bytes`, 'ok']);
});

test('fileChunks reads a file in chunks and closes it at the end or on close()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chunks-'));
  try {
    const path = join(dir, 'f');
    writeFileSync(path, 'abcdefg');
    const source = fileChunks(path, 3);
    const got: string[] = [];
    for (let c = source.next(); c !== null; c = source.next()) got.push(c.toString());
    assert.equal(got, ['abc', 'def', 'g']);
    assert.is(source.next(), null);
    const early = fileChunks(path, 3);
    early.close();
    early.close();
    assert.is(early.next(), null);
    const once = bufferChunks(Buffer.from('x'));
    once.close();
    assert.is(once.next(), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
