// What recording the wasi handler's answers costs per call (src/handler/wasi-journal.ts):
// a `get-random-u64`, a 16-byte `get-random-bytes` and a 64-byte stdout write through the
// handler's imports, with no chain (nothing journaled), recorded to memory (an
// EventRecorder, as --events records before writing), and answered from a recording
// (a replay). Same process, side by side, in rotated orders; tinybench, median per call.
// Run: node bench/wasi-journal.ts
import { Bench } from 'tinybench';
import { buildChain, formatChainJsonl } from '../src/events/chain.ts';
import { EventRecorder } from '../src/events/recorder.ts';
import type { TimingEvent } from '../src/events/types.ts';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { WASI_CLI_INTERFACES, WasiHandler } from '../src/handler/wasi-handler.ts';
import type { WasiJournal } from '../src/handler/wasi-journal.ts';
import { recordingFromJsonl } from '../src/replay/jsonl.ts';
import { ReplaySession } from '../src/replay/session.ts';
import { replayJournal } from '../src/replay/wasi-journal.ts';

const BATCH = 1000;
const line = new TextEncoder().encode(`${'x'.repeat(63)}\n`);
interface Guest { u64(): bigint; bytes(n: bigint): Uint8Array; write(b: Uint8Array): void }

function guest(events: EventRecorder | null, journal?: () => WasiJournal): Guest {
  const registry = new HandlerRegistry();
  registry.register(new WasiHandler({ max_output_bytes: BATCH * line.length }, { journal }));
  const { imports } = registry.buildImports(WASI_CLI_INTERFACES, { actorId: 'bench#0', events });
  const random = imports['wasi:random/random'] as { getRandomU64(): bigint; getRandomBytes(n: bigint): Uint8Array };
  const stdout = (imports['wasi:cli/stdout'] as { getStdout(): { blockingWriteAndFlush(b: Uint8Array): void } }).getStdout();
  return { u64: () => random.getRandomU64(), bytes: (n) => random.getRandomBytes(n), write: (b) => stdout.blockingWriteAndFlush(b) };
}

type Op = (g: Guest) => void;
const OPS: Array<[string, Op]> = [
  ['get-random-u64', (g) => g.u64()],
  ['get-random-bytes(16)', (g) => g.bytes(16n)],
  ['64-byte stdout write', (g) => g.write(line)],
];

/** A recording of BATCH calls of `op`, for the replay case. */
function recordingOf(op: Op): TimingEvent[] {
  const events = new EventRecorder();
  const g = guest(events);
  for (let i = 0; i < BATCH; i++) op(g);
  return [...events.events];
}

type Case = [string, () => void, (() => void)?];
const cases: Case[] = [];
for (const [name, op] of OPS) {
  // Fresh guests before each sample: every write stays within the output cap, so it is kept (and recorded) in full.
  let plain = guest(null);
  cases.push([`${name}: no chain`, () => { for (let i = 0; i < BATCH; i++) op(plain); }, () => { plain = guest(null); }]);
  let events = new EventRecorder();
  let recorded = guest(events);
  cases.push([`${name}: recorded`, () => { for (let i = 0; i < BATCH; i++) op(recorded); }, () => {
    events = new EventRecorder();
    recorded = guest(events);
  }]);
  const recording = recordingFromJsonl(formatChainJsonl(buildChain(recordingOf(op))));
  let replayed: Guest = guest(null);
  cases.push([`${name}: replayed`, () => { for (let i = 0; i < BATCH; i++) op(replayed); }, () => {
    const session = new ReplaySession(recording, null);
    replayed = guest(null, () => replayJournal(session, { showReplayed: false }));
  }]);
}
// node:crypto's cost drifts over a process's life on this loaded machine (2–12 µs a draw):
// ROUNDS rounds, each in a rotated order, and the median of the rounds' medians.
const ROUNDS = 5;
const medians = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: 150, warmupTime: 30 });
  const order = cases.map((_, i) => cases[(i + round * 3) % cases.length]);
  for (const [name, body, beforeEach] of order) bench.add(name, body, beforeEach === undefined ? {} : { beforeEach });
  await bench.run();
  for (const task of bench.tasks) {
    const p50 = (task.result as { latency?: { p50?: number } } | undefined)?.latency?.p50 ?? NaN;
    medians.set(task.name, [...(medians.get(task.name) ?? []), (p50 * 1000) / BATCH]);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('| call | path | µs per call (median of rounds) | min–max of rounds |\n| --- | --- | ---: | ---: |');
for (const [name] of cases) {
  const [call, path] = name.split(': ');
  const xs = medians.get(name) ?? [];
  console.log(`| ${call} | ${path} | ${median(xs).toFixed(3)} | ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} |`);
}
