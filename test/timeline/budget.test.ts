// The drawing budget: routine marks go first, kind by kind, then the bars that
// woke least late; clamps and run ends always stay; the page says what went.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { applyBudget } from '../../src/timeline/budget.ts';
import { buildTimeline } from '../../src/timeline/build.ts';
import { renderTimeline } from '../../src/timeline/render.ts';
import { withChainEnd } from './fixtures.ts';

function sleeps(n: number): string {
  const events: TimingEvent[] = [];
  let t = 1_000_000_000n;
  for (let i = 0; i < n; i++) {
    events.push(
      { type: 'MonotonicClockNow', instant: t },
      { type: 'SubscribeDuration', duration: 0n, pollable: 0, deadline: t + 1_000n },
      { type: 'SleepClamped', requested: 0n, applied: 1_000n, reason: 'min_sleep_duration' },
      { type: 'PollableBlock', pollable: 0, waited: 1_000n + BigInt(i) },
      { type: 'PollableDrop', pollable: 0 },
    );
    t += 10_000n;
  }
  return withChainEnd(formatChainJsonl(buildChain(events)), 'trap', 'wasi trap: late');
}

const kinds = (model: ReturnType<typeof buildTimeline>): Record<string, number> => {
  const out: Record<string, number> = { bars: model.lanes[0].bars.length };
  for (const m of model.lanes[0].marks) out[m.kind] = (out[m.kind] ?? 0) + 1;
  return out;
};

test('under budget nothing is left out', () => {
  const model = buildTimeline([{ name: 's.jsonl', text: sleeps(10) }]);
  assert.equal(model.omitted, []);
  assert.equal(kinds(model), { bars: 10, clock: 10, clamp: 10, block: 10, drop: 10, trap: 1 });
});

test('over budget: routine marks by kind, then the least-late bars; clamps and the trap stay', () => {
  const model = buildTimeline([{ name: 's.jsonl', text: sleeps(3000) }]); // 3 000 × 5 events: 15 001 marks and bars
  assert.equal(model.omitted, [{ what: 'clock marks', count: 3000 }, { what: 'drop marks', count: 3000 }]);
  assert.equal(kinds(model), { bars: 3000, clamp: 3000, block: 3000, trap: 1 });
  const lanes = model.lanes;
  const omitted = applyBudget(lanes, 3500);
  assert.equal(omitted, [{ what: 'block marks', count: 3000 }, { what: 'pollable bars (those that woke least late)', count: 2501 }]);
  assert.equal(lanes[0].bars.map((b) => b.pollable).length, 499);
  assert.ok(lanes[0].bars.every((b) => (b.latenessNs ?? 0) >= 2501), 'the latest-waking bars stay');
  assert.match(renderTimeline(model), /draws at most 10,000 marks and bars; left out: 3,000 clock marks, 3,000 drop marks/);
});

test.run();
