import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChain, chainEnd, formatChainJsonl, fleetHeader } from '../../src/events/chain.ts';
import { BUCKET_INSTANCES, ChainMergeError, mergeChainFiles, type ChainSink } from '../../src/events/merge-chains.ts';
import { verifyChain } from '../../src/events/verify.ts';
import type { TimingEvent } from '../../src/events/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-merge-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const events = (instance: number): TimingEvent[] => {
  const list = Array.from({ length: 1 + (instance % 3) }, (_, i) => ({ type: 'MonotonicClockNow', instant: BigInt(instance * 100 + i) }) as TimingEvent);
  return [...list, chainEnd(list, 'ok')];
};
const chain = (i: number): string[] => formatChainJsonl(buildChain(events(i)), { instance: i }).trimEnd().split('\n').map((l) => `${l}\n`);
const inOrder = (instances: number[]): string => instances.map((i) => chain(i).join('')).join('');
/** A shard's file: the header, then its chains' lines interleaved round-robin, as they happen. */
function interleaved(total: number, instances: number[]): string {
  const queues = instances.map(chain);
  let text = fleetHeader(total);
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) text += q.shift();
  return text;
}
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const sink = (): ChainSink & { text: string } => {
  const s = { text: '', write(t: string) { s.text += t; } };
  return s;
};

async function rejects(run: () => Promise<unknown>, check: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof ChainMergeError || check.test(String(error)), String(error));
    assert.match(String(error), check);
    return;
  }
  assert.unreachable('expected a rejection');
}

test('interleaved shard files come out as one fleet file in instance order, byte for byte, and verify', async () => {
  const a = file('a.jsonl', interleaved(10, [0, 3, 4, 9]));
  const b = file('b.jsonl', `${interleaved(10, [1, 2, 5])}\n`);
  const c = file('c.jsonl', interleaved(10, [6, 7, 8]));
  const out = sink();
  const written = await mergeChainFiles([c, a, b], out, 10);
  const expected = fleetHeader(10) + inOrder([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(out.text, expected);
  assert.is(written, expected.trim().split('\n').length - 1);
  assert.ok(verifyChain(expected).ok, JSON.stringify(verifyChain(expected)).slice(0, 300));
});

test('more instances than one bucket, and instances no input holds get the chain `missing` gives', async () => {
  const total = BUCKET_INSTANCES * 2 + 5;
  const held = Array.from({ length: total }, (_, i) => i).filter((i) => i % 7 !== 3);
  const out = sink();
  await mergeChainFiles([file('big.jsonl', interleaved(total, held))], out, total, (i) => ({ outcome: 'trap', message: `lost ${i}` }));
  const result = verifyChain(out.text);
  assert.ok(result.ok, JSON.stringify(result).slice(0, 300));
  const lines = out.text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { instance: number; event: { type: string; message?: string } });
  assert.equal([...new Set(lines.map((l) => l.instance))], Array.from({ length: total }, (_, i) => i));
  const lost = lines.find((l) => l.instance === 3);
  assert.equal(lost?.event, { type: 'ChainEnd', events: 0, outcome: 'trap', message: 'lost 3' });
  await rejects(() => mergeChainFiles([file('gap.jsonl', interleaved(3, [0, 2]))], sink(), 3), /instance 1: no input holds its chain/);
});

test('inputs that are not one fleet\'s shards are refused, naming the file and line', async () => {
  const x = file('x.jsonl', interleaved(4, [0, 1]));
  await rejects(() => mergeChainFiles([x, file('y.jsonl', interleaved(4, [1, 2, 3]))], sink(), 4), /instance 1 appears in both .*x\.jsonl and .*y\.jsonl/);
  await rejects(() => mergeChainFiles([file('h.jsonl', interleaved(5, [0]))], sink(), 4), /h\.jsonl:1: the fleet header says 5 instances, expected 4/);
  await rejects(() => mergeChainFiles([file('u.jsonl', formatChainJsonl(buildChain(events(0))))], sink(), 4), /u\.jsonl:1: a line without "instance": not a fleet file/);
  await rejects(() => mergeChainFiles([file('r.jsonl', interleaved(9, [7]).replace(fleetHeader(9), fleetHeader(4)))], sink(), 4), /r\.jsonl:2: instance 7 is out of range: the fleet has 4/);
  await rejects(() => mergeChainFiles([join(dir, 'missing.jsonl')], sink(), 4), /ENOENT/);
});

test.run();
