// The hash chain and its JSON Lines form.
//
// Line:  {"seq","parent","hash","handler","event"}  (+ "instance" in fleets)
//   seq     0, 1, 2, ... within one chain
//   parent  the previous line's hash, or null on the first line
//   hash    hex SHA-256 of (parent ?? "") + "\n" + JSON.stringify(event)
// Only parent and event are hashed. `instance` labels which actor instance a
// chain belongs to when several chains share one file; it sits outside the
// hash, so identical runs give identical chains whatever their numbering.
// Cost: one JSON.stringify and one SHA-256 per event, paid when the chain is
// built, never while recording.

import * as crypto from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { ChainFile } from './chain-file.ts';
import type { ChainOutcome, TimingEvent } from './types.ts';
import { toWire, type WireEvent } from './wire.ts';

export interface ChainLine {
  seq: number;
  parent: string | null;
  hash: string;
  handler: string;
  event: WireEvent;
  /** Present only in files holding several chains. Not hashed. */
  instance?: number;
}

export interface ChainExtra {
  instance?: number;
}

// crypto.hash (Node >= 20.12) is the one-shot form, ~2.5x faster than a Hash object per event.
const sha256Hex: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function hashEvent(parent: string | null, wireEvent: WireEvent): string {
  return hashEventJson(parent, JSON.stringify(wireEvent));
}

/** The hash of a line whose event is already serialised (`eventJson` = JSON.stringify(wireEvent)). */
export function hashEventJson(parent: string | null, eventJson: string): string {
  return sha256Hex(`${parent ?? ''}\n${eventJson}`);
}

export function buildChain(events: readonly TimingEvent[], handler = 'timing'): ChainLine[] {
  const lines: ChainLine[] = [];
  let parent: string | null = null;
  for (let seq = 0; seq < events.length; seq++) {
    const event = toWire(events[seq]);
    const hash = hashEvent(parent, event);
    lines.push({ seq, parent, hash, handler, event });
    parent = hash;
  }
  return lines;
}

/** The first line of a fleet file, exactly as written and as verify expects it. */
export function fleetHeader(instances: number): string {
  return `${JSON.stringify({ fleet: { instances } })}\n`;
}

/** The ChainEnd record that closes a chain of `events` events. */
export function chainEnd(events: readonly TimingEvent[], outcome: ChainOutcome, message = ''): TimingEvent {
  return { type: 'ChainEnd', events: events.length, outcome, message };
}

/**
 * The canonical text of one line, "\n" included: keys in the order
 * seq, parent, hash, handler, event (fields in schema order), then instance.
 * verify accepts exactly these bytes and nothing else.
 */
export function chainLineText({ seq, parent, hash, handler, event }: ChainLine, instance?: number): string {
  const line: ChainLine = { seq, parent, hash, handler, event };
  if (instance !== undefined) line.instance = instance;
  return `${JSON.stringify(line)}\n`;
}

/** JSON Lines text, one line per entry, each ending in "\n". `instance` goes last on each line. */
export function formatChainJsonl(lines: readonly ChainLine[], extra: ChainExtra = {}): string {
  let text = '';
  for (const line of lines) text += chainLineText(line, extra.instance);
  return text;
}

/** Writes `text` through a temporary file, fsync and rename: the target is whole or untouched. */
function writeDurably(path: string, text: string): void {
  const file = new ChainFile(path);
  try {
    file.write(text);
    file.commit();
  } finally {
    file.abort();
  }
}

/**
 * Writes one chain to `path`, replacing the file, or appending with `append`.
 * For a fleet, prefer writeChainsJsonl, which writes every instance's chain in order.
 */
export async function writeChainJsonl(
  path: string,
  lines: readonly ChainLine[],
  extra: ChainExtra & { append?: boolean } = {},
): Promise<void> {
  const text = formatChainJsonl(lines, extra);
  if (extra.append === true) await appendFile(path, text);
  else writeDurably(path, text);
}

/**
 * Writes a fleet file: the header `{"fleet":{"instances":n}}` (n = chains.length),
 * then every chain, each line tagged with its chain's `instance`.
 */
export async function writeChainsJsonl(
  path: string,
  chains: ReadonlyArray<{ instance: number; lines: readonly ChainLine[] }>,
): Promise<void> {
  await Promise.resolve();
  writeDurably(path, fleetHeader(chains.length) + chains.map((c) => formatChainJsonl(c.lines, { instance: c.instance })).join(''));
}

/** Parses JSON Lines text into chain lines without checking them (a fleet header is skipped); run verifyChain first. */
export function parseChainJsonl(text: string): ChainLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ChainLine | { fleet: unknown })
    .filter((line): line is ChainLine => !('fleet' in line));
}
