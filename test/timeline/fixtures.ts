// Chains for the timeline tests, built with the project's own chain writer:
// a synthetic sleeper fleet (instance-tagged JSON Lines, no real actors run),
// a ChainEnd record appended to a recorded chain, and Theater chain.json events.
import { createHash } from 'node:crypto';
import { buildChain, chainEnd, fleetHeader, formatChainJsonl, hashEvent } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import type { WireEvent } from '../../src/events/wire.ts';

export const SLEEP_NS = 100_000_000n;
export const FLEET_START_NS = 5_000_000_000n;

/** Lateness of instance i, ns: 0.2 to 3.2 ms, with every 997th actor 40 ms late. */
export function fleetLatenessNs(i: number): bigint {
  return i % 997 === 5 ? 40_000_000n : 200_000n + BigInt((i * 7919) % 3000) * 1000n;
}

export function sleeperEvents(i: number): TimingEvent[] {
  const before = FLEET_START_NS + BigInt(i) * 20_000n;
  const waited = SLEEP_NS + fleetLatenessNs(i);
  return [
    { type: 'HandlerSetupStart' }, { type: 'HandlerSetupSuccess' }, { type: 'LinkerInstanceSuccess' },
    { type: 'MonotonicClockNow', instant: before },
    { type: 'SubscribeDuration', duration: SLEEP_NS, pollable: 0, deadline: before + SLEEP_NS },
    { type: 'PollableBlock', pollable: 0, waited },
    { type: 'MonotonicClockNow', instant: before + waited },
    { type: 'PollableDrop', pollable: 0 },
  ];
}

/** A fleet file of `n` sleepers as `run --instances n --events` writes it: the fleet header, then one chain per instance, each closed by ChainEnd. */
export function fleetChainText(n: number): string {
  let text = fleetHeader(n);
  for (let i = 0; i < n; i++) {
    const events = sleeperEvents(i);
    text += formatChainJsonl(buildChain([...events, chainEnd(events, 'ok')]), { instance: i });
  }
  return text;
}

/** Appends the hashed ChainEnd record (the chain end convention) to a one-chain JSON Lines text. */
export function withChainEnd(text: string, outcome: string, message: string): string {
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; event: { type: string } });
  const last = lines[lines.length - 1];
  if (last.event.type === 'ChainEnd') return text;
  const event = { type: 'ChainEnd', events: lines.length, outcome, message } as unknown as WireEvent;
  const line = { seq: last.seq + 1, parent: last.hash, hash: hashEvent(last.hash, event), handler: 'timing', event };
  return `${text.trimEnd()}\n${JSON.stringify(line)}\n`;
}

/** One Theater chain.json event: data is the UTF-8 bytes of `payload` (already JSON text, so u64 stay exact). */
export function theaterEvent(eventType: string, payloadJson: string, parent: number[] | null): { hash: number[]; parent_hash: number[] | null; event_type: string; data: number[] } {
  const data = [...Buffer.from(payloadJson, 'utf8')];
  const hashed = `{"hash":[],"parent_hash":${JSON.stringify(parent)},"event_type":${JSON.stringify(eventType)},"data":${JSON.stringify(data)}}`;
  return { hash: [...createHash('sha1').update(hashed).digest()], parent_hash: parent, event_type: eventType, data };
}

export function hostCall(iface: string, fn: string, input: string, output: string): [string, string] {
  return [`${iface}/${fn}`, `{"category":"HostFunction","interface":"${iface}","function":"${fn}","input":${input},"output":${output}}`];
}

/** A Theater chain: each [event_type, payload JSON] in order, hash-linked. */
export function theaterChain(events: Array<[string, string]>): string {
  const out: ReturnType<typeof theaterEvent>[] = [];
  for (const [type, payload] of events) out.push(theaterEvent(type, payload, out.at(-1)?.hash ?? null));
  return JSON.stringify(out);
}
