// 100 000 pending pollables: bytes each in the wheel and the pollable table
// (heap + external delta under --expose-gc, handles kept in a preallocated
// Float64Array so only the structures count), and whether dropping them all
// frees them all. A fake timer keeps anything from firing.
import { PollableTable } from '../src/pollables/table.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import type { HostTimer, MonotonicClock } from '../src/clock/clock.ts';
import { TimeSource } from '../src/clock/time-source.ts';

/** A clock that stands at 0: these measurements are about memory, not time. */
const stillClock: MonotonicClock = { nowNs: () => 0n };
import { makeRandom } from './harness.ts';
import { target } from './support.ts';

export { run };

const PENDING = 100_000;
const TARGET_BYTES = 32;
const idleTimer: HostTimer = { set: () => 0, clear() {}, keepAlive() {} };
/** A timer that never fires and keeps what is armed on it (the table keeps its scheduler to itself). */
function countingIdleTimer(): { timer: HostTimer; armed: Set<number> } {
  const armed = new Set<number>();
  let next = 0;
  return {
    armed,
    timer: { set: () => { armed.add(++next); return next; }, clear: (handle) => { armed.delete(handle as number); }, keepAlive() {} },
  };
}

function collect(): void {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
}
const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().external;

function fill(table: PollableTable, handles: Float64Array): void {
  const owner = table.createOwner(PENDING);
  const random = makeRandom(5);
  for (let i = 0; i < PENDING; i++) handles[i] = table.subscribeTimer(owner, BigInt(1 + Math.floor(random() * 3_600_000)) * 1_000_000n, 0n);
}

function measure(presize: boolean): { bytes: number; liveAfterDrop: number; wheelAfterDrop: number; armedAfterDrop: number; reuseBytes: number } {
  const handles = new Float64Array(PENDING);
  collect();
  const before = used();
  const { timer, armed } = countingIdleTimer();
  const table = new PollableTable({ time: new TimeSource(stillClock), timer, capacity: presize ? PENDING : 1024 });
  fill(table, handles);
  collect();
  const bytes = (used() - before) / PENDING;
  for (let i = 0; i < PENDING; i++) table.drop(handles[i]);
  const result = { liveAfterDrop: table.live, wheelAfterDrop: table.pendingTimers, armedAfterDrop: armed.size };
  // Refilling reuses the freed entries: no growth the second time.
  collect();
  const beforeRefill = used();
  fill(table, handles);
  collect();
  return { bytes, ...result, reuseBytes: (used() - beforeRefill) / PENDING };
}

/** The wheel alone: the same deadlines filed straight into a presized Scheduler. */
function wheelOnlyBytes(): number {
  const random = makeRandom(5);
  collect();
  const before = used();
  const scheduler = new Scheduler({ time: new TimeSource(stillClock), onExpire: () => {}, timer: idleTimer, capacity: PENDING });
  for (let i = 0; i < PENDING; i++) scheduler.schedule(1 + Math.floor(random() * 3_600_000), i);
  collect();
  const bytes = (used() - before) / PENDING;
  if (scheduler.pending !== PENDING) throw new Error('unreachable: keeps the scheduler alive until measured');
  return bytes;
}

async function run(): Promise<string> {
  measure(true); // warm-up: compile fill() so its code is not counted
  wheelOnlyBytes();
  const wheelBytes = wheelOnlyBytes();
  const rows = [['presized', measure(true)], ['grown by doubling from 1 024', measure(false)]] as const;
  const lines = [
    `### ${PENDING.toLocaleString('en-US')} pending pollables: memory`,
    '',
    'Bytes per pending pollable in the wheel (24 B entries) plus the pollable table (generation, wheel handle, owner, owner-list links, ready and external bits), '
      + 'as the heap + external delta under forced GC.',
    '',
    '| tables | B / pollable | target | verdict | after dropping all: live / wheel / armed timers | refill after drop, B / pollable |',
    '| --- | ---: | ---: | --- | --- | ---: |',
  ];
  for (const [name, r] of rows) {
    lines.push(`| ${name} | ${r.bytes.toFixed(1)} | ≤ ${TARGET_BYTES} | ${r.bytes <= TARGET_BYTES ? 'meets' : 'misses'} | ${r.liveAfterDrop} / ${r.wheelAfterDrop} / ${r.armedAfterDrop} | ${r.reuseBytes.toFixed(1)} |`);
  }
  const presized = rows[0][1].bytes;
  const tableBytes = presized - wheelBytes;
  const freed = rows.every(([, r]) => r.liveAfterDrop === 0 && r.wheelAfterDrop === 0 && r.armedAfterDrop === 0 && r.reuseBytes < 1);
  lines.push(
    '',
    `Per structure (presized): the wheel ${wheelBytes.toFixed(1)} B per entry, the pollable table ${tableBytes.toFixed(1)} B per entry. `
      + 'By layout (typed arrays only): a wheel entry is 24 B (f64 deadline tick, two i32 slot links, u32 generation, u32 payload); '
      + 'a table entry is 24.25 B (u32 generation, f64 wheel handle, i32 owner, two i32 owner-list links, a ready bit and an external bit). '
      + (Math.abs(wheelBytes - 24) < 2 && Math.abs(tableBytes - 24.25) < 2
        ? 'The measured deltas match the layouts: nothing else is allocated per pollable.'
        : 'The measured deltas differ from the layouts by more than 2 B: something else is allocated per pollable.'),
    '',
    '| target | measured | verdict |',
    '| --- | ---: | --- |',
    target('pollable-bytes', `≤ ${TARGET_BYTES} B per pending pollable, wheel + tables summed (100 000, presized)`, `${presized.toFixed(1)} B`, presized <= TARGET_BYTES),
    target('pollable-bytes-each', `≤ ${TARGET_BYTES} B per pending pollable in each structure (wheel / table)`, `${wheelBytes.toFixed(1)} / ${tableBytes.toFixed(1)} B`, wheelBytes <= TARGET_BYTES && tableBytes <= TARGET_BYTES),
    target('pollable-free', 'dropping all 100 000 frees them all (live, wheel size, armed timers 0; refill grows nothing)',
      rows.map(([name, r]) => `${name}: ${r.liveAfterDrop} / ${r.wheelAfterDrop} / ${r.armedAfterDrop}, refill ${r.reuseBytes.toFixed(1)} B`).join('; '), freed),
    '',
  );
  return lines.join('\n');
}

if (import.meta.main) console.log(await run());
