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
import { compactJson, jsonBytes } from './values.ts';

export interface TheaterEvent {
  hash: number[];
  parent_hash: number[] | null;
  event_type: string;
  data: number[];
}

const byteList = (bytes: readonly number[]): string => `[${bytes.join(',')}]`;

// The texts below from byte lists already joined ("1,2,3"), so a recorder joins each list once.
const hashedTextOf = (parentList: string | null, eventType: string, dataList: string): string =>
  `{"hash":[],"parent_hash":${parentList === null ? 'null' : `[${parentList}]`},"event_type":${JSON.stringify(eventType)},"data":[${dataList}]}`;
const eventTextOf = (hashList: string, parentList: string | null, eventType: string, dataList: string): string =>
  `{"hash":[${hashList}],"parent_hash":${parentList === null ? 'null' : `[${parentList}]`},"event_type":${JSON.stringify(eventType)},"data":[${dataList}]}`;

/** The exact text Theater hashes for an event: hash emptied, fields in order. */
export function hashedText(parent: readonly number[] | null, eventType: string, data: readonly number[]): string {
  return hashedTextOf(parent === null ? null : parent.join(','), eventType, data.join(','));
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
  return eventTextOf(e.hash.join(','), e.parent_hash === null ? null : e.parent_hash.join(','), e.event_type, e.data.join(','));
}

/**
 * Links payloads one at a time into event lines, the same text as
 * theaterEvent + theaterEventText, each byte list joined once and no
 * number arrays built: what a recorder writes per event.
 */
export class TheaterLinker {
  #parentList: string | null = null;

  /** The line of the next event. */
  line(eventType: string, payload: Json): string {
    const dataList = Buffer.from(compactJson(payload), 'utf8').join(',');
    const hashList = createHash('sha1').update(hashedTextOf(this.#parentList, eventType, dataList)).digest().join(',');
    const line = eventTextOf(hashList, this.#parentList, eventType, dataList);
    this.#parentList = hashList;
    return line;
  }
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
