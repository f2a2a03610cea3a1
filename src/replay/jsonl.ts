// Our JSON Lines chain as a Recording. The chain is checked as it is read
// (seq, parent links, hashes, event shapes), so a replay never serves from a
// damaged file; a final ChainEnd record gives the recorded outcome.
import { hashEvent } from '../events/chain.ts';
import { fieldsOf } from '../events/schema.ts';
import { wireEventError } from '../events/shape.ts';
import type { TimingEvent } from '../events/types.ts';
import type { WireEvent } from '../events/wire.ts';
import { isPlainObject } from '../base/text.ts';
import { callOf, type RecordedEntry, type RecordedOutcome, type Recording } from './recorded.ts';

export class RecordingError extends Error {
  override name = 'RecordingError';
}

const OUTCOMES = ['ok', 'err', 'trap', 'diverged'];

/** Parses and checks one chain of ours; throws a RecordingError naming the line. */
export function recordingFromJsonl(text: string): Recording {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const entries: RecordedEntry[] = [];
  let parent: string | null = null;
  let instance: unknown;
  let outcome: RecordedOutcome | null = null;
  let identity: Recording['identity'] = null;
  lines.forEach((text, seq) => {
    const at = `line ${seq + 1}`;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      throw new RecordingError(`${at}: not JSON`);
    }
    if (seq === 0 && isPlainObject(line) && isPlainObject(line.fleet)) {
      throw new RecordingError(`${at}: the file holds the chains of ${String(line.fleet.instances)} instances; a replay serves one (write it with --instances 1)`);
    }
    if (!isPlainObject(line) || !isPlainObject(line.event)) throw new RecordingError(`${at}: expected a chain line {"seq","parent","hash","handler","event"}`);
    if (seq === 0) instance = line.instance;
    else if (line.instance !== instance) throw new RecordingError(`${at}: the file holds the chains of several instances; a replay serves one (write it with --instances 1)`);
    if (line.seq !== seq || line.parent !== parent) throw new RecordingError(`${at}: seq or parent breaks the chain`);
    const event = line.event;
    if (line.hash !== hashEvent(parent, event as WireEvent)) throw new RecordingError(`${at}: hash does not match the event (the chain was altered)`);
    parent = line.hash as string;
    if (outcome !== null) throw new RecordingError(`${at}: an event after ChainEnd`);
    if (event.type === 'ChainEnd') {
      if (!OUTCOMES.includes(event.outcome as string)) throw new RecordingError(`${at}: event.outcome: expected one of ${OUTCOMES.join(', ')}`);
      outcome = { status: event.outcome as RecordedOutcome['status'], message: typeof event.message === 'string' ? event.message : '' };
      return;
    }
    // Chains written before PollReady listed its pollables lack the field: checked as if empty, replayed without it.
    const unlisted = event.type === 'PollReady' && !Object.hasOwn(event, 'pollables');
    const problem = wireEventError(unlisted ? { ...event, pollables: [] } : event);
    if (problem !== null) throw new RecordingError(`${at}: ${problem}`);
    const timing = fromWire(event);
    if (timing.type === 'ActorIdentity') {
      // Served by the replay as the chain's first record, never matched against a call.
      if (seq !== 0) throw new RecordingError(`${at}: ActorIdentity must be the chain's first record`);
      identity = timing;
      return;
    }
    entries.push(callOf(timing, seq) ?? { kind: 'host', position: seq, event: timing });
  });
  const end = outcome === null ? lines.length : lines.length - 1;
  return { format: 'jsonl', entries, hostEvents: true, end, outcome, identity };
}

/** The inverse of toWire for a checked wire event: u64 strings back to bigint. */
function fromWire(wire: Record<string, unknown>): TimingEvent {
  const event: Record<string, unknown> = { type: wire.type };
  for (const [name, kind] of fieldsOf(wire.type as string)!) {
    if (Object.hasOwn(wire, name)) event[name] = kind === 'u64' ? BigInt(wire[name] as string) : wire[name];
  }
  return event as unknown as TimingEvent;
}
