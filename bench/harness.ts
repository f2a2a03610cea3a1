// Shared plumbing for bench/*.bench.ts: run timed cases side by side with
// tinybench, and render one markdown section per operation. Each case times
// only its own region (setup and cleanup stay outside) and reports it to
// tinybench as overriddenDuration, so one sample covers a whole batch of ops.

import { Bench } from 'tinybench';
// mulberry32, one home for tests and benches, so every run benchmarks the same deadlines.
import { makeRandom } from '../test/support/random.ts';

export { type MeasureOptions, type TimedCase, type Row, makeRandom, randomDeadlines, measure, formatRate, renderTable };

interface TimedCase {
  implementation: string;
  pending: number;
  /** Operations (or expirations) inside one timed region. */
  opsPerIteration: number;
  setup(): void;
  /** Runs one iteration and returns the milliseconds of its timed region. */
  iteration(): number | Promise<number>;
  teardown(): void;
}

interface Row {
  implementation: string;
  pending: number;
  /** Median throughput over the samples. */
  opsPerSecond: number;
  /** Relative margin of error of the mean latency, in percent. */
  rmePercent: number;
  samples: number;
}


/** `count` deadline ticks uniform over [1, spreadTicks], the same for a given seed. */
function randomDeadlines(count: number, seed: number, spreadTicks: number): Float64Array {
  const random = makeRandom(seed);
  const deadlines = new Float64Array(count);
  for (let i = 0; i < count; i++) deadlines[i] = 1 + Math.floor(random() * spreadTicks);
  return deadlines;
}

interface MeasureOptions {
  /** Time budget per case for samples, in ms. */
  timeMs?: number;
  /** Warm-up budget per case, in ms: long enough for V8 to optimize the timed code. */
  warmupMs?: number;
  /** Minimum warm-up iterations per case. */
  warmupIterations?: number;
}

async function measure(cases: TimedCase[], options: MeasureOptions = {}): Promise<Row[]> {
  const { timeMs = 500, warmupMs = 200, warmupIterations = 5 } = options;
  const rows: Row[] = [];
  // One Bench per case, so each case's setup lives only while it runs.
  for (const timedCase of cases) {
    const bench = new Bench({ time: timeMs, warmupTime: warmupMs, iterations: 10, warmupIterations, throws: true });
    bench.add(
      `${timedCase.implementation} @ ${timedCase.pending}`,
      async () => ({ overriddenDuration: await timedCase.iteration() }),
      { async: true, beforeAll: () => timedCase.setup(), afterAll: () => timedCase.teardown() },
    );
    const [task] = await bench.run();
    const result = task.result;
    if (!('latency' in result)) throw new Error(`${task.name}: ${result.state}`);
    rows.push({
      implementation: timedCase.implementation,
      pending: timedCase.pending,
      opsPerSecond: timedCase.opsPerIteration / (result.latency.p50 / 1000),
      rmePercent: result.latency.rme,
      samples: result.latency.samplesCount,
    });
  }
  return rows;
}

function formatRate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(1)} M`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(0)} k`;
  return opsPerSecond.toFixed(0);
}

/** A markdown table: one row per case, compared with the wheel at the same size and with the target. */
function renderTable(rows: Row[], unit: string, targetPerSecond: number): string {
  const lines = [
    `| implementation | pending | ${unit} (median) | ± mean | samples | vs wheel | target | verdict |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const wheel = rows.find((other) => other.pending === row.pending && other.implementation.startsWith('TimerWheel'));
    const ratio = wheel ? `${(row.opsPerSecond / wheel.opsPerSecond).toFixed(2)}x` : '';
    const meets = row.opsPerSecond >= targetPerSecond;
    lines.push(
      `| ${row.implementation} | ${row.pending.toLocaleString('en-US')} | ${formatRate(row.opsPerSecond)} | ${row.rmePercent.toFixed(1)}% | ${row.samples} | ${ratio} | ≥ ${formatRate(targetPerSecond)} | ${meets ? 'meets' : 'misses'} |`,
    );
  }
  return lines.join('\n');
}
