import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl, parseChainJsonl } from '../../src/events/chain.ts';
import { formatNsAsMs, formatTimeline } from '../../src/events/timeline.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { ALL_EVENTS } from './fixture.ts';

const ms = suite('formatNsAsMs');

ms('three decimals, truncating below a microsecond, with sign', () => {
  assert.equal([0n, 999n, 1000n, 1_500_000n, 100_000_000n, -2_000_000n, -1_234n].map(formatNsAsMs), ['0.000', '0.000', '0.001', '1.500', '100.000', '-2.000', '-0.001']);
});

ms.run();

const timeline = suite('formatTimeline');

timeline('the whole fixture: relative to the first MonotonicClockNow', () => {
  assert.equal(formatTimeline(buildChain(ALL_EVENTS)), [
    '             HandlerSetupStart',
    '             HandlerSetupSuccess',
    '             LinkerInstanceSuccess',
    '             WallClockNow               seconds=1790000000 nanoseconds=123456789',
    '             WallClockResolution        seconds=0 nanoseconds=1000',
    '+0.000 ms    MonotonicClockNow          instant=5000000000',
    '             MonotonicClockResolution   resolution=1ns',
    '             SleepClamped               requested=0.000ms applied=1.000ms reason=min_sleep_duration',
    '             SubscribeInstant           when=-1000.000 ms pollable=0 deadline=+1.000 ms',
    '             SubscribeDuration          duration=100.000ms pollable=1 deadline=+100.000 ms',
    '             PollableReady              pollable=0 ready=true',
    '             PollableBlock              pollable=1 waited=99.500ms',
    '             PollReady                  pollables=[0,1] ready_count=2 indices=[0,1] waited=0.000ms',
    '             PollableDrop               pollable=0',
    '+18446744068709.551 ms MonotonicClockNow          instant=18446744073709551615',
  ]);
});

timeline('without a monotonic reading, instants stay raw', () => {
  const events: TimingEvent[] = [{ type: 'SubscribeDuration', duration: 5n, pollable: 2, deadline: 77n }];
  assert.equal(formatTimeline(buildChain(events)), ['             SubscribeDuration          duration=5ns pollable=2 deadline=77']);
});

timeline('fleets prefix each line with its instance; works on parsed JSON Lines', () => {
  const events: TimingEvent[] = [{ type: 'MonotonicClockNow', instant: 1_000_000n }, { type: 'MonotonicClockNow', instant: 3_500_000n }];
  const lines = buildChain(events);
  const text = formatChainJsonl(lines, { instance: 0 }) + formatChainJsonl(lines.slice(1), { instance: 1 });
  assert.equal(formatTimeline(parseChainJsonl(text)), [
    '#0 +0.000 ms    MonotonicClockNow          instant=1000000',
    '#0 +2.500 ms    MonotonicClockNow          instant=3500000',
    '#1 +2.500 ms    MonotonicClockNow          instant=3500000',
  ]);
  const mixed = [...lines.slice(0, 1), { ...lines[1], instance: 4 }];
  assert.equal(formatTimeline(mixed)[0].slice(0, 3), '#? ');
  assert.equal(formatTimeline([]), []);
});

timeline.run();
