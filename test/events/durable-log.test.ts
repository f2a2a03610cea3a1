// The durable log: records written before the answer, group commit, the good
// prefix on read, and the torn-write fuzz: a log cut at every byte offset of its
// last record reads back as the records before it (seeded, seed printed), while
// damage before the last record is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableLog, DurableLogError, GroupCommit, openDurableLog, readDurableLog } from '../../src/events/durable-log.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { hashEventJson } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-timing-durable-log-'));
const seed = Number(process.env.THEATER_TIMING_TORN_SEED ?? Date.now() % 1_000_000);
console.log(`torn-write fuzz seed ${seed}`);

const EVENTS: TimingEvent[] = [
  { type: 'ActorIdentity', name: 'a', version: '1', instance: 0, component_sha256: 'a'.repeat(64), handlers: '[]', limits: '{}', mode: 'jspi', clock: 'real', init_state_sha256: '', init_state_source: 'none', init_state: '' },
  { type: 'HandlerSetupStart' },
  { type: 'MonotonicClockNow', instant: 5n },
  { type: 'SubscribeDuration', duration: 10n, pollable: 0, deadline: 15n },
];

function writeLog(path: string, events: readonly TimingEvent[], group = new GroupCommit(5)): DurableLog {
  const log = new DurableLog(path, group);
  for (const event of events) log.record(event);
  return log;
}

test('the records of one turn are written together when it ends; end closes the chain, which verifies', async () => {
  const path = join(dir, 'a.jsonl');
  const group = new GroupCommit(1000);
  const log = writeLog(path, EVENTS, group);
  assert.is(readFileSync(path, 'utf8'), '', 'not yet: the turn goes on');
  await Promise.resolve(); // the turn ends: the microtask writes them, one write(2)
  assert.is(readFileSync(path, 'utf8').split('\n').length - 1, EVENTS.length, 'written before any sync');
  assert.is(log.size, EVENTS.length);
  log.end('ok', '');
  log.end('ok', ''); // idempotent
  log.record({ type: 'HandlerSetupStart' }); // dropped after the end
  assert.ok(log.ended);
  assert.is(group.closing, 1, 'the ended log waits for the commit');
  await group.settle();
  assert.ok(group.syncs >= 1, 'the end synced');
  assert.is(group.closing, 0);
  assert.ok(verifyChain(readFileSync(path, 'utf8')).ok);
  const read = readDurableLog(path);
  assert.is(read.ended, true);
  assert.is(read.hashes.length, EVENTS.length + 1);
  assert.is(read.tornBytes, 0);
});

test('an OutputWrite is written at once (before its bytes leave the process), and so is a turn past 64 KiB', () => {
  const path = join(dir, 'out.jsonl');
  const log = new DurableLog(path, new GroupCommit(1000));
  log.record(EVENTS[0]!);
  assert.is(readFileSync(path, 'utf8'), '');
  log.record({ type: 'OutputWrite', stream: 'stdout', length: 2n, bytes: '6869' });
  assert.is(readFileSync(path, 'utf8').split('\n').length - 1, 2, 'the output and what came before it');
  for (let i = 0; i < 1000; i++) log.record({ type: 'MonotonicClockNow', instant: BigInt(i) });
  const lines = readFileSync(path, 'utf8').split('\n').length - 1;
  assert.ok(lines > 2 && lines < 1002, `written in 64 KiB pieces within the turn (${lines} lines so far)`);
  log.close(false);
  assert.is(readFileSync(path, 'utf8').split('\n').length - 1, 1002, 'close writes the rest');
});

test('a write that fails at the end of a turn is thrown at the log\'s next use, naming the log', async () => {
  const log = new DurableLog('/dev/full', new GroupCommit(1000));
  log.record(EVENTS[0]!);
  await Promise.resolve(); // the end-of-turn write fails (ENOSPC): nothing is thrown into the microtask queue
  assert.throws(() => log.record(EVENTS[1]!), (e: unknown) => e instanceof DurableLogError && e.message === "/dev/full: cannot write the actor's log (ENOSPC)");
  assert.throws(() => log.record(EVENTS[1]!), /cannot write the actor's log \(ENOSPC\)/, 'and at every use after it: the log cannot go on');
  log.close(false); // the failed turn's records are not tried again: the error above said they were lost
});

/** node:fs, counting; its fdatasync and close complete when `release()` is called (the thread pool, by hand). */
function heldFs() {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  const commitFs = {
    fdatasync: (fd: number, done: (e: NodeJS.ErrnoException | null) => void) => { calls.push(`sync ${fd}`); pending.push(() => { try { fs.fdatasyncSync(fd); done(null); } catch (e) { done(e as NodeJS.ErrnoException); } }); },
    fdatasyncSync: (fd: number) => { calls.push(`syncSync ${fd}`); fs.fdatasyncSync(fd); },
    close: (fd: number, done: (e: NodeJS.ErrnoException | null) => void) => { calls.push(`close ${fd}`); fs.closeSync(fd); done(null); },
    closeSync: (fd: number) => { calls.push(`closeSync ${fd}`); fs.closeSync(fd); },
  };
  return { calls, commitFs, release: () => { for (const run of pending.splice(0)) run(); } };
}

test('group commit: one timer for all dirty logs; commits run off the loop, one at a time; released logs are synced, then closed', async () => {
  // The commit timer is driven by hand: armed once for all dirty logs, fired here.
  const armed: Array<{ callback: () => void; ms: number; cancelled: boolean }> = [];
  const held = heldFs();
  const group = new GroupCommit(5, (callback, ms) => { const a = { callback, ms, cancelled: false }; armed.push(a); return () => { a.cancelled = true; }; }, held.commitFs);
  const a = writeLog(join(dir, 'g.jsonl'), EVENTS, group);
  const b = writeLog(join(dir, 'h.jsonl'), EVENTS, group);
  await Promise.resolve(); // the end of the turn writes both
  assert.equal(armed.map((x) => x.ms), [5], 'one timer for the group, at its interval');
  armed[0].callback();
  assert.is(held.calls.length, 2, 'both logs synced in one commit');
  assert.is(group.syncs, 0, 'not done until the pool answers');
  a.close(true); // released while a commit runs: it waits for the next one
  const second = group.commit();
  assert.is(held.calls.length, 2, 'a second commit does not start while one runs');
  assert.is(armed.length, 2, 'it re-arms the timer instead');
  held.release();
  await second;
  assert.is(group.syncs, 2);
  assert.is(group.closing, 1);
  armed[1].callback();
  held.release();
  await group.commit();
  assert.ok(held.calls.includes(`close ${held.calls.at(-1)?.split(' ')[1]}`), 'synced, then closed');
  assert.is(group.closing, 0);
  b.record({ type: 'HandlerSetupSuccess' });
  b.close(true);
  await group.settle();
  assert.equal(held.calls.slice(-2).map((c) => c.split(' ')[0]), ['syncSync', 'closeSync'], 'settle syncs and closes at once');
  const c = writeLog(join(dir, 'i.jsonl'), EVENTS, group);
  c.close(false);
  c.close(false);
  group.dirty(12345); // a closed descriptor: the commit ignores the error
  const failing = group.commit();
  held.release();
  await failing;
  group.dirty(12345);
  await group.settle();
});

test('on resume the records already in the log are checked, not rewritten; a different one is refused', () => {
  const path = join(dir, 'r.jsonl');
  writeLog(path, EVENTS).close(true);
  const read = readDurableLog(path);
  const resumed = new DurableLog(path, new GroupCommit(), { expected: read.hashes });
  for (const event of EVENTS) resumed.record(event);
  assert.ok(resumed.caughtUp);
  resumed.record({ type: 'PollableBlock', pollable: 0, waited: 10n });
  resumed.end('ok', '');
  const text = readFileSync(path, 'utf8');
  assert.is(text.split('\n').length - 1, EVENTS.length + 2);
  assert.ok(verifyChain(text).ok);
  const other = new DurableLog(path, new GroupCommit(), { expected: read.hashes });
  assert.throws(() => other.record({ type: 'HandlerSetupStart' }), (e: unknown) => e instanceof DurableLogError && /record 0 replayed differently/.test(e.message));
  other.close();
});

test('a log this process wrote and closed reads the same without the per-record checks (own)', async () => {
  const path = join(dir, 'own.jsonl');
  const group = new GroupCommit(1000);
  const log = writeLog(path, EVENTS, group);
  log.close(true);
  assert.equal(readDurableLog(path, { own: true }), readDurableLog(path));
  const ended = writeLog(join(dir, 'own2.jsonl'), EVENTS, group);
  ended.end('ok', '');
  await group.settle();
  const own = readDurableLog(join(dir, 'own2.jsonl'), { own: true });
  assert.equal(own, readDurableLog(join(dir, 'own2.jsonl')));
  assert.is(own.ended, true);
  assert.is(readDurableLog(join(dir, 'never.jsonl'), { own: true }).hashes.length, 0);
});

test('a missing log is empty; an unreadable one and an unopenable one name the path', () => {
  assert.equal(readDurableLog(join(dir, 'none.jsonl')), { text: '', hashes: [], ended: false, tornBytes: 0, goodBytes: 0 });
  assert.throws(() => readDurableLog(dir), (e: unknown) => e instanceof DurableLogError && e.message.startsWith(`${dir}: cannot read`));
  assert.throws(() => new DurableLog(join(dir, 'no', 'such', 'x.jsonl'), new GroupCommit()), /cannot open the actor's log \(ENOENT\)/);
  const created = openDurableLog(join(dir, 'none.jsonl')); // a missing log: created, empty
  assert.equal(created.contents, { text: '', hashes: [], ended: false, tornBytes: 0, goodBytes: 0 });
  closeSync(created.fd);
  assert.throws(() => openDurableLog(join(dir, 'no', 'such', 'x.jsonl')), /cannot open the actor's log \(ENOENT\)/);
  assert.throws(() => openDurableLog(dir), (e: unknown) => e instanceof DurableLogError && e.message === `${dir}: cannot open the actor's log (EISDIR)`);
});

test('torn-write fuzz: cut at every byte offset of the last record, the log reads as the records before it', () => {
  const path = join(dir, 'fuzz.jsonl');
  writeLog(path, EVENTS).close(true);
  const full = readFileSync(path);
  const lastStart = full.subarray(0, full.length - 1).lastIndexOf(0x0a) + 1;
  let rng = seed >>> 0;
  const next = (): number => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng;
  };
  for (let cut = lastStart; cut < full.length; cut++) {
    // Also a seeded flip of one byte in the kept part of the torn record: still torn, still dropped.
    const bytes = Buffer.from(full.subarray(0, cut));
    if (cut > lastStart && next() % 2 === 0) bytes[lastStart + (next() % (cut - lastStart))] ^= 0x20;
    writeFileSync(path, bytes);
    const read = readDurableLog(path);
    assert.is(read.hashes.length, EVENTS.length - 1, `cut at ${cut}`);
    assert.is(read.goodBytes, lastStart, `cut at ${cut}`);
    assert.is(read.tornBytes, cut - lastStart, `cut at ${cut}`);
    assert.is(read.ended, false);
    const opened = openDurableLog(path); // the same prefix, and the torn tail cut off
    assert.equal(opened.contents, read);
    closeSync(opened.fd);
    assert.is(readFileSync(path).length, lastStart);
  }
  // Damage before the last record is not a tear: refused, naming the record.
  const damaged = Buffer.from(full);
  damaged[10] ^= 0x01;
  writeFileSync(path, damaged);
  assert.throws(() => readDurableLog(path), (e: unknown) => e instanceof DurableLogError && /record 0 \(byte 0\): .*damaged before its last record/.test(e.message));
  const lines = full.toString('utf8').split('\n');
    // The checks are verify's (events/verify.ts), so the messages are too.
  for (const [bad, why] of [['[1]', 'expected a JSON object'], ['{"seq":7}', 'parent: expected null or a hex SHA-256'], [lines[1].replace(/"parent":"[0-9a-f]+"/, '"parent":null'), 'parent null does not match the previous hash'], [lines[1].replace('HandlerSetupStart', 'Nope'), 'unknown event type'], [lines[1].replace(/"hash":"[0-9a-f]/, '"hash":"x'), 'hash: expected a hex SHA-256'], [lines[1].replace('{"seq":1,', '{"seq":1, '), 'not the canonical serialisation']] as const) {
    writeFileSync(path, `${lines[0]}\n${bad}\n${lines.slice(2).join('\n')}`);
    assert.throws(() => readDurableLog(path), new RegExp(why), bad);
  }
  writeFileSync(path, Buffer.concat([full, full.subarray(0, lastStart)]));
  assert.throws(() => readDurableLog(path), /seq 0, expected 4/);
  writeFileSync(path, Buffer.from([0xff, 0x0a, 0x41, 0x0a]));
  assert.throws(() => readDurableLog(path), /not valid UTF-8/);
});

test('a record after ChainEnd is refused', () => {
  const path = join(dir, 'after.jsonl');
  const log = writeLog(path, EVENTS);
  log.end('ok', '');
  const text = readFileSync(path, 'utf8');
  const read = readDurableLog(path);
  const parent = read.hashes.at(-1) as string;
  const eventJson = '{"type":"HandlerSetupStart"}';
  const extra = `{"seq":${read.hashes.length},"parent":"${parent}","hash":"${hashEventJson(parent, eventJson)}","handler":"timing","event":${eventJson}}\n`;
  writeFileSync(path, `${text}${extra}torn`);
  assert.throws(() => readDurableLog(path), /a record after ChainEnd/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
