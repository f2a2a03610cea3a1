// One event of Theater's chain.json, and its SHA-1.
//
//   {"hash":[20 numbers],"parent_hash":[20 numbers]|null,"event_type":"…","data":[bytes]}
//
// `hash` is the SHA-1 of the compact JSON of the same event with "hash":[]
// and the fields in exactly that order; `parent_hash` is the previous event's
// hash (null for the first). A chain file is a JSON array of events; this
// writes one event per line, which is still that array.

import { createHash } from 'node:crypto';
import type { Json } from '../../base/exact-json.ts';
import { jsonBytes } from './values.ts';

export interface TheaterEvent {
  hash: number[];
  parent_hash: number[] | null;
  event_type: string;
  data: number[];
}

const byteList = (bytes: readonly number[]): string => `[${bytes.join(',')}]`;

/** The exact text Theater hashes for an event: hash emptied, fields in order. */
export function hashedText(parent: readonly number[] | null, eventType: string, data: readonly number[]): string {
  return `{"hash":[],"parent_hash":${parent === null ? 'null' : byteList(parent)},"event_type":${JSON.stringify(eventType)},"data":${byteList(data)}}`;
}

export function theaterHash(parent: readonly number[] | null, eventType: string, data: readonly number[]): number[] {
  return Array.from(createHash('sha1').update(hashedText(parent, eventType, data)).digest());
}

/** A hashed event whose data is the UTF-8 bytes of `payload`'s compact JSON. */
export function theaterEvent(parent: number[] | null, eventType: string, payload: Json): TheaterEvent {
  const data = jsonBytes(payload);
  return { hash: theaterHash(parent, eventType, data), parent_hash: parent, event_type: eventType, data };
}

/** Links payloads into a chain, in order. */
export function linkTheaterEvents(records: ReadonlyArray<{ eventType: string; payload: Json }>): TheaterEvent[] {
  const events: TheaterEvent[] = [];
  let parent: number[] | null = null;
  for (const { eventType, payload } of records) {
    const event = theaterEvent(parent, eventType, payload);
    events.push(event);
    parent = event.hash;
  }
  return events;
}

/** One event as a line of chain.json (compact, no separator). */
export function theaterEventText(e: TheaterEvent): string {
  return `{"hash":${byteList(e.hash)},"parent_hash":${e.parent_hash === null ? 'null' : byteList(e.parent_hash)},`
    + `"event_type":${JSON.stringify(e.event_type)},"data":${byteList(e.data)}}`;
}

/** The text around the events of chain.json: `[\n`, `,\n` between two, `\n]\n` (`[]\n` with none). */
export const THEATER_OPEN = '[\n';
export const THEATER_SEPARATOR = ',\n';
export const THEATER_CLOSE = '\n]\n';

/** The chain.json text: a JSON array, one compact event per line. */
export function formatTheaterChain(events: readonly TheaterEvent[]): string {
  if (events.length === 0) return '[]\n';
  return `${THEATER_OPEN}${events.map(theaterEventText).join(THEATER_SEPARATOR)}${THEATER_CLOSE}`;
}
