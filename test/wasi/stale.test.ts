// Pollables the guest no longer holds, or never held: the adapters trap with
// "wasi trap: pollable used after drop" / "not a pollable of this actor"
// before any table read, so a freed slot that now belongs to another actor is
// never looked at. jco 1.11.2 hands a dropped or forged handle to the host as
// a bare Object.create(Pollable.prototype); these tests build the same objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slotOf } from '../../src/pollables/table.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { TimingHost } from '../../src/wasi/host.ts';
import { timingImports } from '../../src/wasi/imports.ts';
import { Pollable } from '../../src/wasi/poll.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

function setup(mode: 'jspi' | 'sync' = 'jspi') {
  const clock = new FakeClock(0n);
  const sleepSync = (ms: number): void => clock.advanceNs(BigInt(Math.ceil(ms * 1e6)));
  const runtime = new TimingRuntime({ clock, timer: new FakeTimer(clock), sleepSync });
  const table = runtime.pollables;
  const actor = (id: string) => {
    const host = new TimingHost({ runtime, mode, actorId: id });
    const imports = timingImports(host);
    return { host, mono: imports['wasi:clocks/monotonic-clock'], io: imports['wasi:io/poll'] };
  };
  return { table, a: actor('a'), b: actor('b') };
}

const DROPPED = /^wasi trap: pollable used after drop$/;

test('ready, block and poll on a pollable the guest dropped trap, in both modes', () => {
  for (const mode of ['jspi', 'sync'] as const) {
    const { a } = setup(mode);
    const p = a.mono.subscribeDuration(5n * MS);
    p[Symbol.dispose]();
    assert.throws(() => p.ready(), DROPPED, mode);
    assert.throws(() => p.block(), DROPPED, mode);
    assert.throws(() => a.io.poll([a.mono.subscribeDuration(0n), p]), DROPPED, mode);
  }
});

test('the bare objects jco makes for a dropped or forged handle trap, never a TypeError', () => {
  const { a } = setup();
  const bare = Object.create(Pollable.prototype) as Pollable;
  assert.throws(() => bare.ready(), DROPPED);
  assert.throws(() => bare.block(), DROPPED);
  assert.throws(() => a.io.poll([bare]), DROPPED);
});

test('a stale handle whose slot now belongs to another actor traps, and reads nothing of theirs', () => {
  const { table, a, b } = setup();
  const mine = a.mono.subscribeDuration(5n * MS);
  mine[Symbol.dispose]();
  const theirs = b.mono.subscribeDuration(0n); // the freed slot, ready at once
  assert.is(slotOf(theirs.handle), slotOf(mine.handle), 'same slot, new generation');
  assert.throws(() => mine.ready(), DROPPED);
  assert.throws(() => a.io.poll([mine]), DROPPED);
  assert.ok(table.isLive(theirs.handle));
});

test('another actor\'s live pollable in my poll list is not mine', () => {
  const { a, b } = setup();
  const theirs = b.mono.subscribeDuration(0n);
  assert.throws(() => a.io.poll([theirs]), /^wasi trap: poll: the list holds a pollable that is not a pollable of this actor$/);
  assert.throws(() => a.io.poll([{} as Pollable]), /^wasi trap: poll: the list holds an object that is not a pollable \(neither ours nor one with ready\(\) and block\(\)\)$/);
});

test('the host stopping an actor makes its pollables stale too', () => {
  const { a } = setup();
  const p = a.mono.subscribeDuration(5n * MS);
  a.host.dispose();
  assert.throws(() => p.ready(), DROPPED);
});

test.run();
