// Virtual time as a unit: hosts on a virtual runtime, no component, no real
// time. Wake order is checked against a sorted model (seed printed on failure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimingHost } from '../../src/wasi/host.ts';
import { timingImports } from '../../src/wasi/imports.ts';
import { Pollable } from '../../src/wasi/poll.ts';
import { NS_PER_MS } from '../../src/base/units.ts';
import { VIRTUAL_EPOCH_NS, VIRTUAL_START_NS, VirtualClock, virtualRuntime } from '../../src/timing/virtual.ts';
import { makeRandom } from '../../bench/harness.ts';

function actor(runtime: ReturnType<typeof virtualRuntime>, actorId: string, mode: 'jspi' | 'sync' = 'jspi') {
  const host = new TimingHost({ runtime, mode, actorId });
  return { host, ...timingImports(host) };
}

test('the clocks start at fixed instants and stand still while nothing waits', async () => {
  const runtime = virtualRuntime({ startWallNs: VIRTUAL_EPOCH_NS + 5n });
  const a = actor(runtime, 'a');
  assert.is(a['wasi:clocks/monotonic-clock'].now(), VIRTUAL_START_NS);
  assert.equal(a['wasi:clocks/wall-clock'].now(), { seconds: VIRTUAL_EPOCH_NS / 1_000_000_000n, nanoseconds: 5 });
  assert.is(a['wasi:clocks/monotonic-clock'].resolution(), 1n);
  a['wasi:clocks/monotonic-clock'].subscribeDuration(10n * NS_PER_MS); // nobody waits on it
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.is(a['wasi:clocks/monotonic-clock'].now(), VIRTUAL_START_NS, 'time moves only for a waiter');
  const clock = new VirtualClock(10n);
  clock.advanceTo(5n);
  assert.is(clock.nowNs(), 10n, 'never backward');
});

test('a three-hour sleep ends at once, exactly on its deadline; wall and monotonic move together', async () => {
  const runtime = virtualRuntime();
  const a = actor(runtime, 'a');
  const mono = a['wasi:clocks/monotonic-clock'];
  const threeHoursNs = 3n * 3_600_000n * NS_PER_MS;
  const started = performance.now();
  await mono.subscribeDuration(threeHoursNs).block();
  assert.ok(performance.now() - started < 1000);
  assert.is(mono.now(), VIRTUAL_START_NS + threeHoursNs);
  assert.equal(a['wasi:clocks/wall-clock'].now(), { seconds: VIRTUAL_EPOCH_NS / 1_000_000_000n + 3n * 3600n, nanoseconds: 0 });
});

test('sync mode sleeps move the virtual clock to the deadline tick', () => {
  const runtime = virtualRuntime();
  const a = actor(runtime, 's', 'sync');
  const mono = a['wasi:clocks/monotonic-clock'];
  assert.is(mono.subscribeDuration(2_500_000n).block(), undefined);
  assert.is(mono.now(), VIRTUAL_START_NS + 3n * NS_PER_MS, 'a sub-ms deadline wakes at its tick, as the wheel rounds up');
});

test('nothing can wake the waiters: each waiting call traps, naming every actor and what it waits on', async () => {
  const runtime = virtualRuntime();
  const a = actor(runtime, 'reader#0');
  const b = actor(runtime, 'reader#1');
  const pa = new Pollable(a.host, a.host.createExternal());
  const pb = new Pollable(b.host, b.host.createExternal());
  const failures = await Promise.allSettled([pa.block(), b['wasi:io/poll'].poll([pb, pb])]);
  for (const f of failures) {
    assert.is(f.status, 'rejected');
    const message = (f as PromiseRejectedResult).reason.message as string;
    assert.match(message, /^wasi trap: virtual time cannot advance: every live actor waits and no timer is pending/);
    assert.match(message, /reader#0 waits on external pollable 0; reader#1 waits on external pollable 1, external pollable 1/);
  }
});

test('a stall names five actors and counts the rest', async () => {
  const runtime = virtualRuntime();
  const waits = Array.from({ length: 7 }, (_, i) => {
    const { host } = actor(runtime, `x#${i}`);
    return new Pollable(host, host.createExternal()).block();
  });
  const [first] = await Promise.allSettled(waits);
  assert.match((first as PromiseRejectedResult).reason.message, /x#4 waits on external pollable 4; and 2 more\)$/);
});

test('property: virtual time wakes actors in exactly the order of a sorted model, on their deadline ticks', async () => {
  const seed = Number(process.env.VIRTUAL_SEED ?? Date.now() % 1_000_000);
  const random = makeRandom(seed);
  for (let round = 0; round < 20; round++) {
    const runtime = virtualRuntime();
    const { time } = runtime;
    const actors = 1 + Math.floor(random() * 12);
    const plans = Array.from({ length: actors }, () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
      const r = random();
      // Sub-ms, whole ms, and long sleeps; ties between actors are likely.
      return r < 0.3 ? BigInt(Math.floor(random() * 2_000_000)) : r < 0.8 ? BigInt(1 + Math.floor(random() * 20)) * NS_PER_MS : BigInt(Math.floor(random() * 1e12));
    }));
    // The model: each sleep wakes at the start of the tick its deadline rounds up to.
    const model: Array<{ atNs: bigint; who: number }> = [];
    plans.forEach((plan, who) => {
      let nowNs = time.originNs;
      for (const d of plan) {
        nowNs = d === 0n ? nowNs : time.tickStartNs(time.deadlineToTick(nowNs + d));
        model.push({ atNs: nowNs, who });
      }
    });
    model.sort((x, y) => (x.atNs < y.atNs ? -1 : x.atNs > y.atNs ? 1 : x.who - y.who));
    const seen: Array<{ atNs: bigint; who: number }> = [];
    await Promise.all(plans.map(async (plan, who) => {
      const a = actor(runtime, `p${who}`);
      const mono = a['wasi:clocks/monotonic-clock'];
      for (const d of plan) {
        const p = mono.subscribeDuration(d);
        await p.block();
        p[Symbol.dispose]();
        seen.push({ atNs: mono.now(), who });
      }
    }));
    // Within one tick the wheel's order is its own; across ticks it must be the model's.
    const key = (e: { atNs: bigint; who: number }) => `${e.atNs}:${e.who}`;
    const bySlot = (list: typeof seen) => list.map(key).sort().join(' ');
    for (let i = 1; i < seen.length; i++) {
      if (seen[i].atNs < seen[i - 1].atNs) assert.unreachable(`seed ${seed} round ${round}: wake ${i} went back in time`);
    }
    if (bySlot(seen) !== bySlot(model) || seen.map((e) => e.atNs).join() !== model.map((e) => e.atNs).join()) {
      assert.unreachable(`seed ${seed} round ${round}: woke ${seen.map(key).join(' ')}, model ${model.map(key).join(' ')}`);
    }
  }
});

test.run();
