// End-to-end, real time: the seed's rule that min_sleep_duration stops
// tight-loop polling. The sleeper actor subscribes a zero duration and blocks
// on it, reporting its own monotonic readings around the sleep. Bounds are
// wide: never early, and less than 1 s late; "at once" is well under the minimum.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseChainJsonl } from '../../src/events/chain.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'theater-timing.js');
const MS = 1_000_000n;
const dir = mkdtempSync(join(tmpdir(), 'theater-timing-min-sleep-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The state from `run --json`: the CLI prints it as text when it happens to be valid UTF-8, else as hex. */
function jsonState(stdout: string): Buffer {
  const { state, stateEncoding } = JSON.parse(stdout) as { state: string; stateEncoding: 'utf8' | 'hex' };
  return Buffer.from(state, stateEncoding);
}

/** Runs the sleeper for subscribe-duration(0) + block under `min` ms; returns how long the guest saw it sleep, and its chain. */
function sleepZero(min: number): { sleptNs: bigint; events: Array<Record<string, unknown>> } {
  const manifest = join(dir, `min-${min}.toml`);
  writeFileSync(manifest, `name = "zero"\nversion = "1"\npackage = ${JSON.stringify(join(ROOT, 'test-actors', 'build', 'sleeper.wasm'))}\n`
    + `[[handler]]\ntype = "timing"\nmin_sleep_duration = ${min}\n`);
  const events = join(dir, `min-${min}.jsonl`);
  const r = spawnSync(process.execPath, [BIN, 'run', manifest, '--state-hex', '0000000000000000', '--events', events, '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const state = jsonState(r.stdout);
  assert.is(state.length, 24);
  return {
    sleptNs: state.readBigUInt64LE(8) - state.readBigUInt64LE(0),
    events: parseChainJsonl(readFileSync(events, 'utf8')).map((line) => line.event as Record<string, unknown>),
  };
}

test('min_sleep_duration = 50: subscribe-duration(0) waits at least 50 ms, with its SleepClamped', () => {
  const { sleptNs, events } = sleepZero(50);
  assert.ok(sleptNs >= 50n * MS, `slept ${sleptNs} ns`);
  assert.ok(sleptNs < 50n * MS + 1000n * MS, `slept ${sleptNs} ns`);
  assert.equal(events.find((e) => e.type === 'SleepClamped'), { type: 'SleepClamped', requested: '0', applied: String(50n * MS), reason: 'min_sleep_duration' });
});

test('min_sleep_duration = 0: subscribe-duration(0) is ready at once, as WASI says', () => {
  const { sleptNs, events } = sleepZero(0);
  assert.ok(sleptNs < 200n * MS, `slept ${sleptNs} ns`); // no wait at all; the bound only absorbs a loaded machine
  assert.not.ok(events.some((e) => e.type === 'SleepClamped'));
  const subscribed = events.find((e) => e.type === 'SubscribeDuration') as { pollable: number; deadline: string };
  const block = events.find((e) => e.type === 'PollableBlock') as { pollable: number; waited: string };
  assert.is(block.pollable, subscribed.pollable);
  assert.ok(BigInt(block.waited) < 200n * MS, `block waited ${block.waited} ns`);
});

/** The zero-spinner loops `turns` times on poll([subscribe-duration(0)]) under `min` ms; returns the loop's time by the guest's clock. */
function spin(min: number, turns: number): bigint {
  const manifest = join(dir, `spin-${min}.toml`);
  writeFileSync(manifest, `name = "spin"\nversion = "1"\npackage = ${JSON.stringify(join(ROOT, 'test-actors', 'build', 'zero-spinner.wasm'))}\n`
    + `[[handler]]\ntype = "timing"\nmin_sleep_duration = ${min}\n`);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(turns);
  const r = spawnSync(process.execPath, [BIN, 'run', manifest, '--state-hex', count.toString('hex'), '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const state = jsonState(r.stdout);
  assert.is(state.length, 16);
  assert.is(state.readBigUInt64LE(8), BigInt(turns));
  return state.readBigUInt64LE(0);
}

test('a poll([subscribe-duration(0)]) loop sleeps the minimum every turn; with 0 it spins', () => {
  const sleptNs = spin(50, 10);
  assert.ok(sleptNs >= 10n * 50n * MS, `10 turns took ${sleptNs} ns`);
  assert.ok(sleptNs < 10n * 50n * MS + 2000n * MS, `10 turns took ${sleptNs} ns`);
  const spunNs = spin(0, 10);
  assert.ok(spunNs < 250n * MS, `10 turns took ${spunNs} ns`);
});

test.run();
