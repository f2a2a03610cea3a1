// No silent non-sleep: a wait's Promise that the caller does not consume traps the
// guest's next call (see src/wasi/handoff.ts). Fake time only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { TimingHost } from '../../src/wasi/host.ts';
import { timingImports } from '../../src/wasi/imports.ts';
import { NOT_AWAITED } from '../../src/wasi/handoff.ts';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

function setup(mode: 'jspi' | 'sync' = 'jspi', runtime?: TimingRuntime) {
  const clock = new FakeClock();
  const timer = new FakeTimer(clock);
  runtime ??= new TimingRuntime({ clock, timer, sleepSync: (ms) => clock.advanceNs(BigInt(Math.ceil(ms * 1e6))) });
  const host = new TimingHost({ runtime, mode, actorId: 'a' });
  const imports = timingImports(host);
  return { clock, timer, runtime, host, mono: imports['wasi:clocks/monotonic-clock'], wall: imports['wasi:clocks/wall-clock'], io: imports['wasi:io/poll'] };
}
const TRAP = `wasi trap: ${NOT_AWAITED}`;

test('the message names every JSPI flag and the sync alternative', () => {
  for (const part of ["--async-mode jspi", "--async-imports 'wasi:io/poll#poll'", "--async-imports 'wasi:io/poll#[method]pollable.block'", '--async-exports', "mode 'sync'"]) {
    assert.ok(NOT_AWAITED.includes(part), part);
  }
});

const calls: Array<[string, (s: ReturnType<typeof setup>) => unknown]> = [
  ['monotonic now', (s) => s.mono.now()],
  ['monotonic resolution', (s) => s.mono.resolution()],
  ['subscribe-duration', (s) => s.mono.subscribeDuration(MS)],
  ['subscribe-instant', (s) => s.mono.subscribeInstant(0n)],
  ['wall now', (s) => s.wall.now()],
  ['wall resolution', (s) => s.wall.resolution()],
];
for (const [name, call] of calls) {
  test(`a block whose Promise is thrown away traps the next call: ${name}; the call after works`, () => {
    const s = setup();
    const p = s.mono.subscribeDuration(5n * MS);
    assert.instance(p.block(), Promise);
    assert.throws(() => call(s), (e: Error) => e.message === TRAP);
    call(s);
  });
}

test('a thrown-away poll traps the next ready, block, poll and drop alike', () => {
  const s = setup();
  const p = s.mono.subscribeDuration(5n * MS);
  for (const next of [() => p.ready(), () => p.block(), () => s.io.poll([p]), () => p[Symbol.dispose]()]) {
    assert.instance(s.io.poll([p]), Promise);
    assert.throws(next, (e: Error) => e.message === TRAP);
  }
});

test('awaited (or .then) hand-offs never trap, however many guests wait at once', async () => {
  const a = setup();
  const b = setup('jspi', a.runtime);
  const pa = a.mono.subscribeDuration(2n * MS);
  const pb = b.mono.subscribeDuration(3n * MS);
  const waits: Array<Promise<unknown>> = [];
  waits.push((pa.block() as Promise<unknown>).then(() => 'a'));
  waits.push(Promise.resolve(b.io.poll([pb])));
  a.mono.now();
  b.mono.now();
  a.clock.advanceNs(3n * MS);
  a.timer.fireDue();
  assert.equal((await Promise.all(waits))[0], 'a');
  await (pa.block() as unknown);
  assert.is(a.mono.now(), a.clock.ns);
});

test('a hand-off another guest threw away traps that guest only', () => {
  const a = setup();
  const b = setup('jspi', a.runtime);
  const pa = a.mono.subscribeDuration(5n * MS);
  pa.block();
  // b's call finds a's hand-off unconsumed: a is marked, b goes on.
  assert.is(b.mono.now(), b.clock.ns);
  assert.throws(() => a.mono.now(), (e: Error) => e.message === TRAP);
  assert.is(a.mono.now(), a.clock.ns);
});

test('sync mode hands out no Promise; its now() is the clock read itself', () => {
  const s = setup('sync');
  assert.is(s.mono.now, s.host.nowNs);
  const p = s.mono.subscribeDuration(5n * MS);
  assert.is(p.block(), undefined);
  assert.is(s.mono.now(), s.clock.ns);
});

test('a wait that was the last call (the export returned unawaited) is said once, on stderr, and the guest\'s next call traps', () => {
  // A fresh process: the warning is once per process.
  const src = (f: string) => JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', '..', 'src', f)).href);
  const script = `
    import { TimingRuntime } from ${src('timing/timing-runtime.ts')};
    import { TimingHost } from ${src('wasi/host.ts')};
    import { timingImports } from ${src('wasi/imports.ts')};
    const host = new TimingHost({ runtime: new TimingRuntime(), mode: 'jspi', actorId: 'a' });
    const mono = timingImports(host)['wasi:clocks/monotonic-clock'];
    // 60 s: never ready by the time block() reads the clock (1 ms was, under a loaded coverage
    // run, and then block() returned at once with nothing to hand off).
    mono.subscribeDuration(60000000000n).block(); // thrown away, and the guest's last call
    await Promise.resolve(); // the end check's microtask
    let trapped = false;
    try { mono.now(); } catch (e) { trapped = /did not await/.test(e.message); }
    mono.subscribeDuration(60000000000n).block(); // again: said once only
    await Promise.resolve();
    console.log(JSON.stringify({ trapped }));
    setImmediate(() => process.exit(0)); // after the warning is written; the 60 s timer would keep the process alive
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(JSON.parse(r.stdout.trim()), { trapped: true }, r.stderr);
  assert.match(r.stderr, /THEATER_TIMING_NOT_AWAITED/);
  assert.match(r.stderr, /the export returned without waiting/);
  assert.is(r.stderr.split('THEATER_TIMING_NOT_AWAITED').length - 1, 1, 'said once');
});

test('JSPI glue consumes its hand-off at once: the end check finds nothing, the next call works', async () => {
  const t = setup();
  const p = t.mono.subscribeDuration(0n).block() as Promise<unknown>;
  await p;
  await Promise.resolve();
  assert.is(t.mono.now(), t.clock.ns);
});

test.run();
