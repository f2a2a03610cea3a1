// Human-readable timeline of chain lines, for `npm run demo`:
//   +0.000 ms    MonotonicClockNow         instant=81234567890
//                SubscribeDuration         duration=100.000ms pollable=0 deadline=+100.000 ms
// Times are relative to the first MonotonicClockNow instant; events that
// carry no instant get a blank time column. Deadlines and subscribe-instant
// targets are shown on the same relative scale; durations in ms.

import { safeText } from '../base/text.ts';
import type { ChainLine } from './chain.ts';
import type { WireEvent } from './wire.ts';
import { NS_PER_MS } from '../base/units.ts';

const TIME_WIDTH = 12;
const TYPE_WIDTH = 26;
const DURATION_FIELDS = new Set(['duration', 'resolution', 'requested', 'applied', 'waited']);
const INSTANT_FIELDS = new Set(['when', 'deadline']);

/** Nanoseconds as milliseconds with 3 decimals, e.g. 1500000n -> "1.500". */
export function formatNsAsMs(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  const micros = (abs % NS_PER_MS) / 1000n;
  return `${sign}${abs / NS_PER_MS}.${micros.toString().padStart(3, '0')}`;
}

/** Durations in ms; below a microsecond (a clock resolution, say) in ns, so they do not read as 0. */
function formatDuration(ns: bigint): string {
  return ns > 0n && ns < 1000n ? `${ns}ns` : `${formatNsAsMs(ns)}ms`;
}

function relative(instant: string, originNs: bigint | null): string {
  if (originNs === null) return instant;
  const delta = BigInt(instant) - originNs;
  return `${delta < 0n ? '' : '+'}${formatNsAsMs(delta)} ms`;
}

function formatFields(event: WireEvent, originNs: bigint | null): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(event)) {
    if (name === 'type') continue;
    let shown: string;
    if (typeof value === 'string' && DURATION_FIELDS.has(name)) shown = formatDuration(BigInt(value));
    else if (typeof value === 'string' && INSTANT_FIELDS.has(name)) shown = relative(value, originNs);
    else if (Array.isArray(value)) shown = `[${value.join(',')}]`;
    else shown = typeof value === 'string' ? safeText(value) : String(value); // a ChainEnd message is the guest's text
    parts.push(`${name}=${shown}`);
  }
  return parts.join(' ');
}

/** One short line per chain line. Expects verified lines (see verifyChain). */
export function formatTimeline(lines: readonly ChainLine[]): string[] {
  const first = lines.find((line) => line.event.type === 'MonotonicClockNow');
  const originNs = first?.event.type === 'MonotonicClockNow' ? BigInt(first.event.instant) : null;
  const tagged = lines.some((line) => line.instance !== undefined);
  return lines.map(({ event, instance }) => {
    const time = event.type === 'MonotonicClockNow' && originNs !== null ? relative(event.instant, originNs) : '';
    const prefix = tagged ? `#${instance ?? '?'} ` : '';
    return `${prefix}${time.padEnd(TIME_WIDTH)} ${event.type.padEnd(TYPE_WIDTH)} ${formatFields(event, originNs)}`.trimEnd();
  });
}
