// Random operations against a sorted-array model. Every advance must fire exactly
// the model's due entries, in deadline order, each once, none after cancel; after
// every operation size, nowTick and nextExpiry() must match the model.
// Re-run a failure with WHEEL_SEED=<seed printed in the message>.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ELAPSED, TimerWheel } from '../../src/wheel/wheel.ts';
import { makeRandom } from '../support/random.ts';

const SEED = Number(process.env.WHEEL_SEED ?? 0x7157ab1e);
const OPERATIONS = 120_000;
const MAX_TICK = 18_446_744_073_710; // u64::MAX ns, rounded up
const SPAN = 2 ** 36;


function fail(message: string): never {
  assert.unreachable(message);
  throw new Error(message);
}

interface ModelEntry { deadlineTick: number; payload: number; handle: number }

class Model {
  /** Sorted by (deadlineTick, payload); payloads increase with scheduling order. */
  readonly entries: ModelEntry[] = [];
  readonly byPayload = new Map<number, ModelEntry>();
  #position(deadlineTick: number, payload: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const entry = this.entries[mid];
      if (entry.deadlineTick < deadlineTick || (entry.deadlineTick === deadlineTick && entry.payload < payload)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
  add(entry: ModelEntry): void {
    this.entries.splice(this.#position(entry.deadlineTick, entry.payload), 0, entry);
    this.byPayload.set(entry.payload, entry);
  }
  remove(entry: ModelEntry): void {
    this.entries.splice(this.#position(entry.deadlineTick, entry.payload), 1);
    this.byPayload.delete(entry.payload);
  }
  nextExpiry(): number {
    return this.entries.length > 0 ? this.entries[0].deadlineTick : Infinity;
  }
}

interface RunStats { fired: number; maxNowTick: number; overflowSchedules: number; firedNearU64Max: number }

/** 'mixed' spreads deadlines over every level; 'far' crowds the overflow heap and rotation edges. */
type Profile = 'mixed' | 'far';

function runProperty(seed: number, profile: Profile, operations: number): RunStats {
  const random = makeRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const wheel = new TimerWheel({ capacity: 4 });
  const model = new Model();
  const deadHandles: number[] = [];
  const pinned = new Set<number>();
  let nowTick = 0;
  let nextPayload = 0;
  let fired = 0;
  let overflowSchedules = 0;
  let firedNearU64Max = 0;
  let op = 0;
  const context = (): string => `seed ${seed} (WHEEL_SEED=${seed}) op ${op} now ${nowTick}`;

  const nextBoundary = (tick: number, maxLevel: number): number => {
    const span = 64 ** (1 + pick(maxLevel));
    return Math.floor(tick / span) * span + span + pick(3) - 1;
  };
  const pickDeadline = (baseTick: number): number => {
    const r = random();
    let deadlineTick: number;
    if (profile === 'far') {
      if (r < 0.2) return baseTick + pick(70) - 2;
      if (r < 0.4) return (Math.floor(baseTick / SPAN) + 1 + pick(3)) * SPAN + pick(3) - 1;
      return baseTick + SPAN - 3 + pick(2 ** (36 + pick(6)));
    }
    if (r < 0.3) deadlineTick = baseTick + pick(70) - 2;
    else if (r < 0.45) deadlineTick = baseTick + 64 ** (1 + pick(6)) + pick(3) - 1;
    else if (r < 0.6) deadlineTick = nextBoundary(baseTick, 6);
    else if (r < 0.75) deadlineTick = baseTick + 1 + pick(64 ** 3);
    else if (r < 0.87) deadlineTick = baseTick + 1 + pick(SPAN);
    else if (r < 0.97) deadlineTick = baseTick + SPAN + pick(2 ** 40);
    else deadlineTick = Math.max(baseTick + 1, MAX_TICK - pick(3));
    return deadlineTick;
  };
  const schedule = (baseTick: number): void => {
    const deadlineTick = pickDeadline(baseTick);
    const payload = nextPayload++ >>> 0;
    const handle = wheel.schedule(deadlineTick, payload);
    if (deadlineTick <= wheel.nowTick) {
      if (handle !== ELAPSED) fail(`${context()}: deadline ${deadlineTick} should be ELAPSED`);
      return;
    }
    if (handle < 0) fail(`${context()}: deadline ${deadlineTick} got ${handle}`);
    // Keep most u64::MAX deadlines alive until time gets there.
    if (deadlineTick >= MAX_TICK - 2 && random() < 0.8) pinned.add(payload);
    if (Math.floor(deadlineTick / SPAN) !== Math.floor(wheel.nowTick / SPAN)) overflowSchedules++;
    model.add({ deadlineTick, payload, handle });
  };
  const cancelRandom = (): void => {
    const r = random();
    if (r < 0.7 && model.entries.length > 0) {
      const entry = model.entries[pick(model.entries.length)];
      if (pinned.has(entry.payload)) return;
      if (wheel.deadlineOf(entry.handle) !== entry.deadlineTick) fail(`${context()}: deadlineOf(${entry.handle})`);
      if (!wheel.cancel(entry.handle)) fail(`${context()}: cancel(${entry.handle}) of a pending timer failed`);
      model.remove(entry);
      deadHandles.push(entry.handle);
    } else if (deadHandles.length > 0) {
      const handle = deadHandles[pick(deadHandles.length)];
      if (wheel.cancel(handle) || wheel.deadlineOf(handle) !== -1) fail(`${context()}: stale handle ${handle} still works`);
    }
  };
  let targetTick = 0;
  let callbackFired = 0;
  const onExpire = (payload: number): void => {
    const entry = model.byPayload.get(payload);
    if (entry === undefined) fail(`${context()}: fired unknown, cancelled or already fired payload ${payload}`);
    if (entry.deadlineTick >= MAX_TICK - 2 && entry.deadlineTick <= MAX_TICK) firedNearU64Max++;
    if (entry.deadlineTick > targetTick) fail(`${context()}: fired ${payload} early (deadline ${entry.deadlineTick} > ${targetTick})`);
    if (entry.deadlineTick !== model.nextExpiry()) fail(`${context()}: fired ${payload} at ${entry.deadlineTick} before ${model.nextExpiry()}`);
    if (wheel.nowTick !== entry.deadlineTick) fail(`${context()}: nowTick ${wheel.nowTick} while firing deadline ${entry.deadlineTick}`);
    model.remove(entry);
    deadHandles.push(entry.handle);
    callbackFired++;
    const r = random();
    if (r < 0.05) schedule(wheel.nowTick);
    else if (r < 0.08) cancelRandom();
  };
  const advance = (): void => {
    const r = random();
    if (r < 0.35) targetTick = nowTick + pick(4);
    else if (r < 0.6) targetTick = nowTick + pick(65);
    else if (r < 0.72) targetTick = nowTick + pick(64 ** (2 + pick(2)));
    else if (r < 0.85) targetTick = Math.max(nowTick, Math.min(model.nextExpiry(), nowTick + SPAN) - 1 + pick(2));
    else if (r < 0.95) targetTick = nextBoundary(nowTick, random() < 0.05 ? 6 : 5);
    else if (r < 0.985) targetTick = nowTick + pick(2 ** 32);
    else if (r < 0.997) targetTick = nowTick + pick(SPAN);
    else targetTick = nowTick + pick(2 ** 37);
    callbackFired = 0;
    const count = wheel.advance(targetTick, onExpire);
    if (process.env.WHEEL_STATS && nowTick < MAX_TICK && targetTick >= MAX_TICK) console.log("crossed u64::MAX at op", op);
    nowTick = Math.max(nowTick, targetTick);
    fired += count;
    if (count !== callbackFired) fail(`${context()}: advance returned ${count}, fired ${callbackFired}`);
    if (model.nextExpiry() <= nowTick) fail(`${context()}: missed deadline ${model.nextExpiry()}`);
  };

  for (op = 0; op < operations; op++) {
    const pending = model.entries.length;
    const r = random();
    if (r < (pending > 3000 ? 0.2 : 0.5)) schedule(nowTick);
    else if (r < 0.7) cancelRandom();
    else advance();
    if (deadHandles.length > 4096) deadHandles.splice(0, 2048);
    if (wheel.size !== model.entries.length || wheel.nowTick !== nowTick || wheel.nextExpiry() !== model.nextExpiry()) {
      fail(`${context()}: size ${wheel.size}/${model.entries.length}, nowTick ${wheel.nowTick}, nextExpiry ${wheel.nextExpiry()}/${model.nextExpiry()}`);
    }
  }
  return { fired, maxNowTick: nowTick, overflowSchedules, firedNearU64Max };
}

test(`${OPERATIONS} random operations match a sorted-array model (seed ${SEED})`, () => {
  const stats = runProperty(SEED, 'mixed', OPERATIONS);
  if (process.env.WHEEL_STATS) console.log(stats);
  // The run must reach the regions it claims to test.
  assert.ok(stats.fired > 10_000, `fired ${stats.fired}`);
  assert.ok(stats.overflowSchedules > 1_000, `overflow schedules ${stats.overflowSchedules}`);
  assert.ok(stats.firedNearU64Max > 10, `u64::MAX deadlines fired ${stats.firedNearU64Max}`);
});

test('a second seed also matches the model', () => {
  runProperty(SEED ^ 0x5a5a5a5a, 'mixed', 40_000);
});

test('deadlines crowding the overflow heap and rotation edges match the model', () => {
  const stats = runProperty(SEED ^ 0x0f0f0f0f, 'far', 40_000);
  if (process.env.WHEEL_STATS) console.log(stats);
  assert.ok(stats.overflowSchedules > 5_000, `overflow schedules ${stats.overflowSchedules}`);
});

test.run();
