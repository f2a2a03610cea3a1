// The renderer: one self-contained page (no network reference of any kind),
// escaped text, accessible titles and labels, and a script that compiles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import { buildTimeline } from '../../src/timeline/build.ts';
import { renderTimeline } from '../../src/timeline/render.ts';
import { fleetChainText, hostCall, theaterChain, withChainEnd } from './fixtures.ts';

const T = 9_000_000_000n;
const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0;
const scripts = (html: string): string[] => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);

function assertSelfContained(html: string): void {
  assert.not.match(html, /\b(src|href)\s*=/i, 'no src or href attributes');
  assert.not.match(html, /url\(\s*['"]?(https?:|\/\/)/i, 'no remote url() in CSS');
  assert.not.match(html, /@import|<link\b|<iframe\b|fetch\(|XMLHttpRequest|import\(/, 'nothing that loads');
  for (const script of scripts(html)) new Function(script); // the page's script compiles
  assert.is(scripts(html).length, 1);
}

test('a trapped actor: lane, bars, marks with labels, the trap in the header, text escaped', () => {
  const text = withChainEnd(formatChainJsonl(buildChain([
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: 2_000_000n, pollable: 0, deadline: T + 2_000_000n },
    { type: 'PollableBlock', pollable: 0, waited: 2_100_000n },
    { type: 'SubscribeDuration', duration: 0n, pollable: 1, deadline: T + 3_100_000n },
    { type: 'SleepClamped', requested: 0n, applied: 1_000_000n, reason: 'min_sleep_duration' },
    { type: 'PollableReady', pollable: 1, ready: false },
  ])), 'trap', 'wasi trap: </script><b>"bad"</b> & more');
  const html = renderTimeline(buildTimeline([{ name: 'x<y>.jsonl', text }]));
  assertSelfContained(html);
  assert.match(html, /<title>Timeline: x&#60;y&#62;\.jsonl<\/title>/);
  assert.is(count(html, /<g class="lane[^"]*"/g), 1);
  assert.match(html, /<g class="lane failed" role="listitem" data-outcome="trap"/);
  assert.is(count(html, /<g class="bar hit"/g), 2);
  assert.is(count(html, /class="late" data-t0/g), 1);
  assert.is(count(html, /class="requested" data-t0/g), 0, 'a zero requested delay has no outline');
  assert.match(html, /Trapped: wasi trap: &#60;\/script&#62;&#60;b&#62;&#34;bad&#34;&#60;\/b&#62; &#38; more/);
  assert.not.match(html, /<b>"bad"/);
  assert.match(html, /aria-label="PollableBlock · chain index 2, line 3\nt = \+2\.100 ms \(start \+ waited\)\npollable = 0\nwaited = 2\.100 ms"/);
  assert.match(html, /aria-label="pollable 0: \+0 ns → \+2\.100 ms \(block returned\)\nrequested 2\.000 ms · applied 2\.000 ms\ndeadline \+2\.000 ms · woke 100\.000 µs after it/);
  assert.match(html, /aria-label="SleepClamped · chain index 4[^"]*"/);
  assert.match(html, /deadline = \+3\.100 ms \(9003100000 ns\)/);
  assert.match(html, /<title id="plot-title">/);
  assert.match(html, /@media print/);
  assert.not.match(html, /class="fleet"/);
});

test('a fleet page: histogram with its title, heat strip, lane selection, data for the script', () => {
  const html = renderTimeline(buildTimeline([{ name: 'fleet.jsonl', text: fleetChainText(250) }]));
  assertSelfContained(html);
  assert.is(count(html, /<g class="lane[^"]*"/g), 50);
  assert.match(html, /<svg class="histogram" role="img" aria-labelledby="hist-title"/);
  assert.match(html, /<title id="hist-title">Wake-up lateness of 250 wake-ups: p50 /);
  assert.match(html, /<g id="heat" role="img" aria-label="Heat strip: 250 wake-ups over time"/);
  assert.match(html, /50 of 250 actors have lanes/);
  const data = JSON.parse(/<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}') as { heat: { timesNs: number[]; weight: number } };
  assert.is(data.heat.timesNs.length, 250);
});

test("Theater's chain.json page, and a chain with no clock value", () => {
  const theater = theaterChain([
    hostCall('wasi:clocks/monotonic-clock@0.2.3', 'now', '{"Tuple":[]}', `{"U64":${T}}`),
    hostCall('wasi:io/poll@0.2.3', 'poll', '{"List":[]}', '{"List":[]}'),
  ]);
  const html = renderTimeline(buildTimeline([{ name: 'actor.chain.json', text: theater }]));
  assertSelfContained(html);
  assert.match(html, /Theater&#39;s chain\.json/);
  assert.match(html, /wasi:io\/poll@0\.2\.3\/poll · chain index 1\n/);
  const none = renderTimeline(buildTimeline([{ name: 'n.jsonl', text: formatChainJsonl(buildChain([{ type: 'HandlerSetupStart' }])) }]));
  assert.match(none, /No clock value in the input: every event is drawn at x = 0/);
  assert.match(none, /no ChainEnd record 1/);
});



test('every mark kind, clamp outlines, unnoticed readiness, long labels cut, a replay divergence in the header', async () => {
  const { histogramSvg } = await import('../../src/timeline/render-fleet.ts');
  const text = withChainEnd(formatChainJsonl(buildChain([
    { type: 'HandlerSetupStart' },
    { type: 'MonotonicClockNow', instant: T },
    { type: 'WallClockNow', seconds: 1_790_000_000n, nanoseconds: 0 },
    { type: 'SubscribeDuration', duration: 9_000_000_000n, pollable: 0, deadline: T + 1_000_000n },
    { type: 'SleepClamped', requested: 9_000_000_000n, applied: 1_000_000n, reason: 'max_sleep_duration' },
    { type: 'MonotonicClockNow', instant: T + 3_000_000n },
    { type: 'PollableReady', pollable: 0, ready: true },
    { type: 'SubscribeInstant', when: T - 5n, pollable: 1, deadline: T + 3_000_000n },
    { type: 'PollableDrop', pollable: 0 },
  ])), 'diverged', `event 9: the replayed guest called poll where the recording has ${'x'.repeat(80)}`);
  const html = renderTimeline(buildTimeline([{ name: 'a-rather-long-chain-file-name.events.jsonl', text }]));
  assertSelfContained(html);
  for (const kind of ['other', 'clock', 'clamp', 'ready', 'drop', 'diverged']) assert.match(html, new RegExp(`class="mark hit m-${kind}"`), kind);
  assert.is(count(html, /class="requested" data-t0/g), 1);
  assert.is(count(html, /class="unnoticed" data-t0/g), 1);
  assert.match(html, />a-rather-long-chain-f…<\/text>/);
  assert.match(html, /<text class="note" x="8" y="4" data-w="\d+">event 9: the replayed guest called poll where the recording…<\/text>/);
  assert.match(html, /class="summary status-diverged">Replay diverged: event 9/);
  assert.match(html, /<line class="rule"[^>]*stroke="#CC79A7"/);
  assert.match(html, /when = −5 ns \(8999999995 ns\)/);
  assert.match(html, /requested 9\.000 s · applied 1\.000 ms · clamped: max_sleep_duration/);
  assert.match(html, /wall clock ≈ 2026-/);
  const err = renderTimeline(buildTimeline([{ name: 'e.jsonl', text: withChainEnd(formatChainJsonl(buildChain([{ type: 'HandlerSetupStart' }])), 'err', 'bad state') }]));
  assert.match(err, /class="summary status-err">init returned err: bad state/);
  assert.match(err, /class="mark hit m-err"/);
  const ok = renderTimeline(buildTimeline([{ name: 'o.jsonl', text: withChainEnd(formatChainJsonl(buildChain([{ type: 'HandlerSetupStart' }])), 'ok', '') }]));
  assert.match(ok, /class="mark hit m-ok"/);
  assert.match(ok, /<title>o\.jsonl: 2 events, 0 pollables, ended ok<\/title>/);
  const early = histogramSvg({ count: 3, p50Ns: 10, p99Ns: 20, maxNs: 20, minNs: -4, bins: [{ fromNs: -4, toNs: 0, count: 1 }, { fromNs: 10, toNs: 20, count: 2 }] });
  assert.match(early, /aria-label="1 wake-ups early \(−4 ns to 0\) late"/);
  assert.match(early, />early<\/text>/);
});

test('a fleet with no wake-ups: no histogram, an empty heat strip; Theater chains start with no time', () => {
  let text = '';
  for (let i = 0; i < 201; i++) text += formatChainJsonl(buildChain([{ type: 'MonotonicClockNow', instant: T + BigInt(i) }]), { instance: i });
  const html = renderTimeline(buildTimeline([{ name: 'quiet.jsonl', text }]));
  assert.match(html, /No wake-up lateness was recorded/);
  assert.match(html, /Heat strip: 0 wake-ups over time/);
  const theater = theaterChain([hostCall('wasi:clocks/monotonic-clock@0.2.3', 'subscribe-instant', `{"U64":${T}}`, '{"U32":0}')]);
  const page = renderTimeline(buildTimeline([{ name: 't.json', text: theater }]));
  assert.match(page, /aria-label="pollable 0: \+0 ns → \+0 ns \(never ended in the chain\)\ndeadline \+9\.000 s\n\nsubscribe: /);
});
test.run();
