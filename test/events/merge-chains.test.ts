import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import { ChainMergeError, mergeChainFiles } from '../../src/events/merge-chains.ts';
import { verifyChain } from '../../src/events/verify.ts';
import type { TimingEvent } from '../../src/events/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-merge-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const events = (instance: number): TimingEvent[] => Array.from({ length: 1 + (instance % 3) }, (_, i) => ({ type: 'MonotonicClockNow', instant: BigInt(instance * 100 + i) }) as TimingEvent);
const chains = (instances: number[]): string => instances.map((i) => formatChainJsonl(buildChain(events(i)), { instance: i })).join('');
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function rejects(run: () => Promise<unknown>, check: RegExp | ((e: unknown) => boolean)): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(typeof check === 'function' ? check(error) : check.test(String(error)), String(error));
    return;
  }
  assert.unreachable('expected a rejection');
}

test('interleaved inputs come out in instance order, byte for byte, and verify', async () => {
  const a = file('a.jsonl', chains([0, 3, 4, 9]));
  const b = file('b.jsonl', `\n${chains([1, 2, 5])}`);
  const c = file('c.jsonl', chains([6, 7, 8]));
  const empty = file('empty.jsonl', '');
  const out = join(dir, 'out.jsonl');
  const written = await mergeChainFiles([c, empty, a, b], out);
  const expected = chains([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(readFileSync(out, 'utf8'), expected);
  assert.is(written, expected.trim().split('\n').length);
  assert.ok(verifyChain(expected).ok);
  assert.not.ok(readdirSync(dir).some((name) => name.includes('.merging-')), 'no temporary file left');
});

test('lines without an instance stay with the chain they follow', async () => {
  const a = file('u.jsonl', `${chains([1])}{"note":"after one"}\n${chains([3])}`);
  const b = file('v.jsonl', chains([2]));
  const out = join(dir, 'uv.jsonl');
  await mergeChainFiles([a, b], out);
  assert.is(readFileSync(out, 'utf8'), `${chains([1])}{"note":"after one"}\n${chains([2, 3])}`);
});

test('an input out of instance order, or an instance in two inputs, is refused and leaves no output', async () => {
  const out = join(dir, 'bad.jsonl');
  const backwards = file('backwards.jsonl', chains([2, 1]));
  await rejects(() => mergeChainFiles([backwards], out), (e: unknown) => e instanceof ChainMergeError
    && /backwards\.jsonl:\d+: instance 1 after instance 2; chains must be in instance order/.test(e.message));
  const x = file('x.jsonl', chains([0, 1]));
  const y = file('y.jsonl', chains([1, 2]));
  await rejects(() => mergeChainFiles([x, y], out), (e: unknown) => e instanceof ChainMergeError
    && /instance 1 appears in both .*x\.jsonl and .*y\.jsonl/.test(e.message));
  assert.not.ok(existsSync(out));
  await rejects(() => mergeChainFiles([join(dir, 'missing.jsonl')], out), /ENOENT/);
  assert.not.ok(readdirSync(dir).some((name) => name.includes('.merging-')));
});

test.run();
