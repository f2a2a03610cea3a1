// verifyChainFile (streamed, byte-exact) and a fuzz loop: every mutation of a
// valid chain file's bytes must fail verification.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, chainEnd, fleetHeader, formatChainJsonl } from '../../src/events/chain.ts';
import { MAX_LINE_BYTES, verifyChainFile } from '../../src/events/verify-file.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { ALL_EVENTS } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'verify-file-'));
const whole = (events = ALL_EVENTS, instance?: number): string => formatChainJsonl(buildChain([...events, chainEnd(events, 'ok')]), { instance });
const write = (name: string, data: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

const file = suite('verifyChainFile');

file('agrees with verifyChain on whole files, lines split across read chunks included', async () => {
  const text = whole();
  assert.equal(await verifyChainFile(write('a.jsonl', text)), verifyChain(text));
  // 3 000 chains of 16 lines: ~4 MB, many 64 KiB chunks, lines cut at chunk edges.
  let fleet = fleetHeader(3000);
  for (let i = 0; i < 3000; i++) fleet += whole(ALL_EVENTS, i);
  const result = await verifyChainFile(write('fleet.jsonl', fleet));
  assert.ok(result.ok, result.firstError?.message);
  assert.is(result.chains.length, 3000);
});

file('an empty file, a cut file, bytes that are not UTF-8, CRLF line ends all fail', async () => {
  assert.equal((await verifyChainFile(write('empty.jsonl', ''))).firstError, { line: 1, message: 'no chain: the file is empty' });
  const text = whole();
  assert.is((await verifyChainFile(write('cut.jsonl', text.slice(0, 1000)))).ok, false);
  assert.equal((await verifyChainFile(write('nonl.jsonl', text.trimEnd()))).firstError?.message, 'the last line has no "\\n": the file was cut short');
  const bytes = Buffer.from(text);
  bytes[40] = 0xff;
  assert.equal((await verifyChainFile(write('latin.jsonl', bytes))).firstError, { line: 1, message: 'not valid UTF-8' });
  assert.is((await verifyChainFile(write('crlf.jsonl', text.replaceAll('\n', '\r\n')))).ok, false);
});

file('a line longer than MAX_LINE_BYTES fails without being held, in the middle or at the end', async () => {
  const huge = 'x'.repeat(MAX_LINE_BYTES + 10);
  const text = whole();
  const middle = await verifyChainFile(write('huge.jsonl', `${huge}\n${text}`));
  assert.equal([middle.firstError, middle.lines], [{ line: 1, message: `line longer than ${MAX_LINE_BYTES} bytes` }, 17]);
  const end = await verifyChainFile(write('huge-end.jsonl', `${text}${huge}`));
  assert.equal(end.firstError, { line: 17, message: `line longer than ${MAX_LINE_BYTES} bytes` });
});

file.run();

const instanceOf = (row: string): string => /"instance":(\d+)\}$/.exec(row)?.[1] ?? 'none';

const fuzz = suite('verify fuzz');
fuzz.after(() => rmSync(dir, { recursive: true, force: true }));

fuzz('any change to the bytes of a valid file fails: flip, insert, delete, duplicate, swap, truncate', () => {
  const seed = Number(process.env.VERIFY_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let state = seed;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const original = fleetHeader(2) + whole(ALL_EVENTS, 0) + whole(ALL_EVENTS.slice(0, 5), 1);
  assert.ok(verifyChain(original).ok);
  const mutations: Array<(t: string) => string> = [
    (t) => { const i = rand(t.length); return t.slice(0, i) + String.fromCharCode(32 + rand(95)) + t.slice(i + 1); },
    (t) => { const i = rand(t.length); return t.slice(0, i) + ' ,:"{}\\0a'[rand(9)] + t.slice(i); },
    (t) => { const i = rand(t.length); return t.slice(0, i) + t.slice(i + 1); },
    (t) => { const rows = t.split('\n'); const i = rand(rows.length - 1); rows.splice(i, 0, rows[i]); return rows.join('\n'); },
    // Lines of different instances may interleave in any order (only each chain's own order is hashed): swap within one.
    (t) => {
      const rows = t.split('\n');
      const i = rand(rows.length - 2);
      if (instanceOf(rows[i]) !== instanceOf(rows[i + 1])) return t;
      [rows[i], rows[i + 1]] = [rows[i + 1], rows[i]];
      return rows.join('\n');
    },
    (t) => t.slice(0, rand(t.length)),
    (t) => { const rows = t.split('\n'); rows.splice(rand(rows.length - 1), 1); return rows.join('\n'); },
  ];
  try {
    for (let round = 0; round < 3000; round++) {
      const kind = rand(mutations.length);
      const mutated = mutations[kind](original);
      if (mutated === original) continue;
      assert.is(verifyChain(mutated).ok, false, `mutation ${kind} in round ${round} went unseen`);
    }
  } catch (error) {
    console.error(`verify fuzz failed: VERIFY_SEED=${seed}`);
    throw error;
  }
});

fuzz.run();
