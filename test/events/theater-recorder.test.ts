// TheaterChainRecorder and theaterRecording: a chain.json written as the actor
// runs is byte for byte the chain the batch encoder builds; it is sealed at the
// actor's end and put in place only by commit; a failed write or an abort
// leaves the target as it was, and a guest's call never fails on the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainWriteError } from '../../src/events/chain-file.ts';
import { buildTheaterChain, type TheaterRun } from '../../src/events/theater/encode.ts';
import { formatTheaterChain } from '../../src/events/theater/event.ts';
import { TheaterChainRecorder } from '../../src/events/theater/recorder.ts';
import { verifyTheaterChain } from '../../src/events/theater/verify.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { theaterRecording } from '../../src/cli/theater-output.ts';
import { fullDisk } from '../cli/support.ts';
import { ALL_EVENTS, P3_EVENTS } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-recorder-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RUN: TheaterRun = { imports: ['wasi:io/poll@0.2.0'], state: Uint8Array.of(7), outcome: { status: 'ok', state: Uint8Array.of(104, 105) } };
const record = (recorder: TheaterChainRecorder, events: readonly TimingEvent[]): void => { for (const e of events) recorder.record(e); };

test('streamed, sealed, committed: the same bytes as the batch encoder; nothing at the target before commit', () => {
  const path = join(dir, 'one.json');
  const events = [...ALL_EVENTS, ...P3_EVENTS];
  const recorder = new TheaterChainRecorder(path, RUN.imports, RUN.state);
  record(recorder, events);
  recorder.end(RUN.outcome);
  recorder.record({ type: 'MonotonicClockNow', instant: 1n }); // after the end: dropped
  recorder.end({ status: 'trap', error: 'ignored' });
  assert.not.ok(existsSync(path), 'sealed, not yet in place');
  recorder.commit();
  assert.is(readFileSync(path, 'utf8'), formatTheaterChain(buildTheaterChain(events, RUN)));
  assert.is(recorder.size, buildTheaterChain(events, RUN).length);
  assert.ok(recorder.ended);
});

test('a long chain goes to its temporary file while it grows (memory stays flat), and verifies', () => {
  const path = join(dir, 'long.json');
  const recorder = new TheaterChainRecorder(path, RUN.imports, null);
  const now = (i: number): TimingEvent => ({ type: 'MonotonicClockNow', instant: BigInt(i) * 1_000_000_007n });
  for (let i = 0; i < 2000; i++) recorder.record(now(i));
  assert.ok(readdirSync(dir).some((name) => name.startsWith('.long.json.') && name.endsWith('.tmp')), 'flushed to its temporary file');
  recorder.end({ status: 'trap', error: 'budget' });
  recorder.commit();
  const verdict = verifyTheaterChain(readFileSync(path, 'utf8'));
  assert.ok(verdict.ok, verdict.firstError?.message);
  assert.is(verdict.events, 2003);
});

test('a failed write or an unwritable folder: the guest\'s calls go on, commit throws a ChainWriteError, the target is unchanged', () => {
  const path = join(dir, 'full.json');
  writeFileSync(path, 'old');
  const full = new TheaterChainRecorder(path, RUN.imports, null, fullDisk);
  for (let i = 0; i < 2000; i++) full.record({ type: 'MonotonicClockNow', instant: 1n });
  full.end(RUN.outcome);
  assert.throws(() => full.commit(), (error: unknown) => error instanceof ChainWriteError && /ENOSPC/.test(error.message));
  assert.is(readFileSync(path, 'utf8'), 'old');
  const nowhere = new TheaterChainRecorder(join(dir, 'missing', 'x.json'), RUN.imports, null);
  for (let i = 0; i < 2000; i++) nowhere.record({ type: 'MonotonicClockNow', instant: 1n });
  nowhere.end(RUN.outcome);
  assert.throws(() => nowhere.commit(), /cannot write .*missing\/x\.json \(ENOENT\)/);
});

test('theaterRecording: one file per instance, committed together, counted; abort drops every temporary file', () => {
  const path = join(dir, 'fleet.json');
  const fleet = theaterRecording(path, 2);
  const sinks = [fleet.open(0, RUN), fleet.open(1, RUN)];
  sinks[0].record(ALL_EVENTS[5]);
  sinks[1].record(ALL_EVENTS[5]);
  fleet.close(1, { status: 'err', error: 'no' });
  fleet.close(0, { status: 'ok', state: null });
  fleet.close(0, { status: 'ok', state: null }); // twice: ignored
  assert.is(fleet.events, 8);
  assert.is(fleet.commit(), 8);
  assert.ok(verifyTheaterChain(readFileSync(join(dir, 'fleet.0.json'), 'utf8')).ok);
  assert.match(readFileSync(join(dir, 'fleet.1.json'), 'utf8'), /"event_type":"wasm"/);
  const dropped = theaterRecording(join(dir, 'dropped.json'), 2);
  dropped.open(0, RUN);
  dropped.open(1, RUN);
  dropped.close(0, { status: 'ok', state: null });
  dropped.abort();
  assert.not.ok(readdirSync(dir).some((name) => name.includes('dropped')), 'no file, temporary or final');
  const failing = theaterRecording(join(dir, 'missing', 'f.json'), 1);
  failing.open(0, RUN);
  failing.close(0, { status: 'ok', state: null });
  assert.throws(() => failing.commit(), (error: unknown) => error instanceof ChainWriteError);
});

test.run();
