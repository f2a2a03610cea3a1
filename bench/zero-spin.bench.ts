// What a guest looping on poll([subscribe-duration(0)]) does to the other
// actors of the process (issue 10). One zero-spinner (test-actors/zero-spinner)
// and 100 sleepers (20 ms each) share one TimingHandler: the sleepers start
// first and suspend, then the spinner runs its loop. Sleeper lateness comes
// from each guest's own monotonic readings (after - before - duration).
//
//   min_sleep_duration = 0   WASI's ready-at-once: a ready poll returns without
//                            suspending, so the loop never yields the thread
//   min_sleep_duration = 1   the default: every zero delay is raised to 1 ms,
//                            so each turn of the loop suspends
//   0 turns                  the baseline: the same sleepers, the spinner idle
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { Actor, type InitOutcome } from '../src/runtime/actor.ts';
import { actorComponent, percentile, sleepState } from './support.ts';

export { run };

const SLEEPERS = 100;
const SLEEP_NS = 20_000_000n;
const RUNS = 3;
const CASES = [
  { min: 0, iterations: 100_000 },
  { min: 1, iterations: 100 },
  { min: 1, iterations: 0 },
] as const;

const u64At = (state: Uint8Array, at: number): bigint => new DataView(state.buffer, state.byteOffset, state.byteLength).getBigUint64(at, true);
const okState = (outcome: InitOutcome): Uint8Array => {
  if (outcome.status !== 'ok' || outcome.state === null) throw new Error(`zero-spin bench: init failed: ${JSON.stringify(outcome)}`);
  return outcome.state;
};

async function once(min: number, iterations: number): Promise<{ spinMs: number; latenessMs: number[] }> {
  const [sleeper, spinner] = await Promise.all([actorComponent('sleeper', 'jspi'), actorComponent('zero-spinner', 'jspi')]);
  const registry = new HandlerRegistry();
  registry.register(new TimingHandler({ min_sleep_duration: min }, null, { mode: 'jspi' }));
  const sleepers = Array.from({ length: SLEEPERS }, (_, i) => Actor.spawn(sleeper, registry, { id: `sleeper#${i}`, record: false }));
  const spin = Actor.spawn(spinner, registry, { id: 'spinner', record: false });
  const count = new Uint8Array(4);
  new DataView(count.buffer).setUint32(0, iterations, true);
  const slept = sleepers.map((a) => a.init(sleepState(SLEEP_NS)));
  const spun = spin.init(count);
  const [spinOutcome, ...sleepOutcomes] = await Promise.all([spun, ...slept]);
  for (const a of [...sleepers, spin]) a.stop();
  const latenessMs = sleepOutcomes.map((o) => {
    const state = okState(o);
    return Number(u64At(state, 8) - u64At(state, 0) - u64At(state, 16)) / 1e6;
  }).sort((a, b) => a - b);
  return { spinMs: Number(u64At(okState(spinOutcome), 0)) / 1e6, latenessMs };
}

async function run(): Promise<string> {
  const rows: string[] = [];
  for (const { min, iterations } of CASES) {
    for (let r = 0; r < RUNS; r++) {
      const { spinMs, latenessMs } = await once(min, iterations);
      const perTurn = iterations === 0 ? '–' : `${(spinMs * 1000 / iterations).toFixed(2)} µs`;
      rows.push(`| ${min} | ${iterations.toLocaleString('en-US')} | ${spinMs.toFixed(1)} ms | ${perTurn} `
        + `| ${percentile(latenessMs, 50).toFixed(1)} ms | ${(latenessMs.at(-1) ?? Number.NaN).toFixed(1)} ms |`);
    }
  }
  return [
    '### A guest spinning on `poll([subscribe-duration(0)])` (issue 10)',
    '',
    `One zero-spinner and ${SLEEPERS} sleepers (${Number(SLEEP_NS) / 1e6} ms each) in one process, one handler; ${RUNS} runs per row. `
      + 'Lateness is each sleeper\'s wake-up past its deadline, by its own clock.',
    '',
    '| min_sleep_duration (ms) | loop turns | spinner loop took | per turn | sleeper lateness p50 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
