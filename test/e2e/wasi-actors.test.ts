// End-to-end: real components, transpiled by jco, run against our adapters in
// both execution modes. Real time is used here only, with wide bounds: never
// early, and less than 1 s late.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseChainJsonl } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { nodeTimer } from '../../src/clock/clock.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { CountingTimer } from '../support/fake-time.ts';
import { runFleet } from '../../src/runtime/fleet.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const manifest = (name: string) => loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml'));
const LATE_BOUND_NS = 1_000_000_000n;
const text = (state: Uint8Array | null): string => new TextDecoder().decode(state ?? new Uint8Array());

for (const mode of ['jspi', 'sync'] as const) {
  test(`${mode}: wasi-clocks-test passes every check of the seed actor and ours`, async () => {
    const fleet = await runFleet(manifest('wasi-clocks-test'), { mode });
    assert.is(fleet.mode, mode);
    const { outcome } = fleet.results[0];
    assert.equal(outcome, { status: 'ok', state: outcome.status === 'ok' ? outcome.state : null });
    assert.is(outcome.status === 'ok' ? text(outcome.state) : outcome.error, 'wasi-clocks-test: all checks passed');
    // The actor sleeps ≥ 50 ms (poll on a 50 ms duration) plus 5, 20 and 10 ms blocks: never early, bounded late.
    assert.ok(fleet.runMs >= 80, `ran ${fleet.runMs} ms`);
    assert.ok(fleet.runMs < 80 + 1000, `ran ${fleet.runMs} ms`);
  });

  test(`${mode}: a guest built against wasi 0.2.0 is served by the same host`, async () => {
    const fleet = await runFleet(manifest('wasi-clocks-v020'), { mode });
    const { outcome } = fleet.results[0];
    assert.is(outcome.status, 'ok', outcome.status === 'ok' ? '' : outcome.error);
    assert.is(outcome.status === 'ok' ? text(outcome.state) : '', 'wasi-clocks-v020: all checks passed');
  });

  test(`${mode}: poll on an empty list traps the actor, not the host`, async () => {
    const fleet = await runFleet(manifest('poll-empty'), { mode });
    const { outcome } = fleet.results[0];
    assert.is(outcome.status, 'trap');
    assert.is(outcome.status === 'trap' ? outcome.error : '', 'wasi trap: poll: attempt to poll on an empty list');
  });
}

test('jspi: 200 sleepers wake never early and less than 1 s late; one host timer serves them all', async () => {
  const durationNs = 30_000_000n;
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, durationNs, true);
  const timer = new CountingTimer(nodeTimer());
  const runtime = new TimingRuntime({ timer });
  const fleet = await runFleet(manifest('sleeper'), { runtime, instances: 200, state });
  const { maxArmed } = timer;
  assert.is(fleet.ok, 200);
  let firstNs = -1n;
  let lastNs = -1n;
  for (const { outcome } of fleet.results) {
    if (outcome.status !== 'ok' || outcome.state === null) throw new Error('sleeper failed');
    const view = new DataView(outcome.state.buffer, outcome.state.byteOffset, 24);
    const [before, after, duration] = [0, 8, 16].map((at) => view.getBigUint64(at, true));
    assert.is(duration, durationNs);
    if (firstNs < 0n || before < firstNs) firstNs = before;
    if (before > lastNs) lastNs = before;
    assert.ok(after - before >= duration, `early by ${duration - (after - before)} ns`);
    assert.ok(after - before < duration + LATE_BOUND_NS, `late by ${after - before - duration} ns`);
  }
  assert.ok(maxArmed <= 1, `armed timers seen: ${maxArmed}`);
  // The one timer is armed once per distinct deadline tick (plus a retry when Node fires
  // early), never once per sleeper: the deadlines span (last - first) ms of subscriptions.
  const spanMs = Number((lastNs - firstNs) / 1_000_000n);
  const { arms } = timer;
  assert.ok(arms <= 2 * (spanMs + 3), `armed ${arms} times for deadlines spanning ${spanMs} ms`);
  assert.is(runtime.pollables.live, 0, 'every stopped actor released its pollables');
});

test('the seed scenario through the manifest and the CLI: a verified chain with the expected event counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'theater-timing-e2e-'));
  try {
    const events = join(dir, 'seed.jsonl');
    const bin = join(ROOT, 'dist', 'theater-timing.js');
    const run = spawnSync(process.execPath, [bin, 'run', join(ROOT, 'test-actors', 'wasi-clocks-test', 'manifest.toml'), '--events', events], { encoding: 'utf8' });
    assert.is(run.status, 0, run.stderr);
    const chain = readFileSync(events, 'utf8');
    const verdict = verifyChain(chain);
    assert.ok(verdict.ok, verdict.firstError?.message);
    // One event per guest call: these are the calls the actor's WAT makes (test-actors/wasi-clocks-test).
    // It calls ready() once per index its first poll reports: one, or two when that poll woke late.
    const firstPoll = parseChainJsonl(chain).find((l) => l.event.type === 'PollReady')?.event as { ready_count: number };
    assert.equal(verdict.countsByType, {
      HandlerSetupStart: 1,
      HandlerSetupSuccess: 1,
      LinkerInstanceSuccess: 1,
      MonotonicClockNow: 13,
      MonotonicClockResolution: 1,
      SubscribeInstant: 3,
      SleepClamped: 2,
      SubscribeDuration: 6,
      PollableReady: 5 + firstPoll.ready_count,
      PollReady: 5,
      PollableBlock: 3,
      WallClockNow: 1,
      WallClockResolution: 1,
      PollableDrop: 9,
      ChainEnd: 1,
      ActorIdentity: 1,
    });
    // Every pollable subscribed is dropped; every block and poll waited no less than its deadline required.
    const lines = parseChainJsonl(chain);
    const subscribed = lines.filter((l) => l.event.type === 'SubscribeInstant' || l.event.type === 'SubscribeDuration').length;
    assert.is(lines.filter((l) => l.event.type === 'PollableDrop').length, subscribed);
    const deadlines = new Map<number, bigint>();
    let checked = 0;
    lines.forEach((line, i) => {
      const e = line.event as { type: string; pollable?: number; deadline?: string; instant?: string };
      if (e.type === 'SubscribeInstant' || e.type === 'SubscribeDuration') deadlines.set(e.pollable as number, BigInt(e.deadline as string));
      if (e.type !== 'PollableBlock') return;
      const next = lines.slice(i).find((l) => l.event.type === 'MonotonicClockNow')?.event as { instant: string };
      const deadline = deadlines.get(e.pollable as number) as bigint;
      assert.ok(BigInt(next.instant) >= deadline, `block on pollable ${e.pollable} returned before its deadline`);
      assert.ok(BigInt(next.instant) < deadline + LATE_BOUND_NS, `block on pollable ${e.pollable} returned > 1 s late`);
      checked++;
    });
    assert.is(checked, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
