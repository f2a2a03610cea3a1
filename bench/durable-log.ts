// Per-record cost of the durable log (records written per guest turn: here one
// long turn, so a write(2) per 64 KiB, as the chain file)
// against the chain file (64 KiB buffered writes), the same events, in one run.
// Run: node bench/durable-log.ts [records]   (docs/DURABLE.md quotes it)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainFile } from '../src/events/chain-file.ts';
import { ChainRecorder } from '../src/events/chain-recorder.ts';
import { DurableLog, GroupCommit } from '../src/events/durable-log.ts';
import type { TimingEvent } from '../src/events/types.ts';

const records = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'theater-timing-durable-bench-'));
const event = (i: number): TimingEvent => ({ type: 'MonotonicClockNow', instant: BigInt(i) * 1000n });

function time(label: string, body: () => void): number {
  const start = process.hrtime.bigint();
  body();
  const ns = Number(process.hrtime.bigint() - start) / records;
  console.log(`${label.padEnd(44)} ${(ns / 1000).toFixed(2)} µs/record  ${(1e9 / ns / 1000).toFixed(0)}k records/s`);
  return ns;
}

try {
  const chainNs = time('chain file (ChainRecorder, buffered)', () => {
    const file = new ChainFile(join(dir, 'c.jsonl'));
    const recorder = new ChainRecorder(file);
    for (let i = 0; i < records; i++) recorder.record(event(i));
    recorder.end('ok', '');
    file.commit();
  });
  const group = new GroupCommit(100);
  const durableNs = time('durable log (one long turn: a write per 64 KiB)', () => {
    const log = new DurableLog(join(dir, 'd.jsonl'), group);
    for (let i = 0; i < records; i++) log.record(event(i));
    log.end('ok', '');
  });
  await group.settle();
  const overheadUs = (durableNs - chainNs) / 1000;
  console.log(`durable overhead: ${overheadUs < 0 ? '−' : '+'}${Math.abs(overheadUs).toFixed(2)} µs per record; fdatasync calls: ${group.syncs}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
