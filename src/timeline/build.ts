// The model builder: chain text in, TimelineModel out (pure). The format is
// told apart by content: Theater's chain.json is a JSON array, ours is JSON
// Lines of objects. Each format has one adapter to the neutral ActorChain.
// Above FLEET_THRESHOLD actors the page shows aggregates (lateness histogram,
// wake-up heat strip) and lanes only for the latest-waking actors.

import type { ChainFormat } from '../events/types.ts';
import { TimelineInputError, type ActorChain, type Outcome } from './calls.ts';
import { fleetView } from './fleet.ts';
import { inferActor, type InferredActor } from './infer.ts';
import { applyBudget } from './budget.ts';
import { lane, maxLateness } from './lane.ts';
import { fromJsonl, fromJsonlRows } from './jsonl-adapter.ts';
import type { TimelineModel } from './model.ts';
import { fromTheater, fromTheaterSource } from './theater-adapter.ts';
import { fileChunks } from '../events/chunks.ts';
import { LineReader } from '../events/lines.ts';

export const FLEET_THRESHOLD = 200;
export const FLEET_LANES = 50;
export const FLEET_FAILED_LANES = 10;

/** A chain to draw: its text, or the path of a file read a record at a time (never one string of the whole file). */
export type ChainInput = { name: string; text: string } | { name: string; path: string };

export function detectFormat(text: string): ChainFormat {
  const first = /\S/.exec(text)?.[0];
  if (first === '[') return 'theater';
  if (first === '{') return 'jsonl';
  throw new TimelineInputError(first === undefined ? 'the file is empty' : `expected a JSON Lines chain or Theater's chain.json (a JSON array), got text starting with ${JSON.stringify(first)}`);
}

/** Reads one file's chains through its format's adapter. Errors are prefixed with the file name. */
export function readChains(input: ChainInput): { format: ChainFormat; chains: ActorChain[] } {
  try {
    if ('path' in input) return readFile(input.path, input.name);
    const format = detectFormat(input.text);
    return { format, chains: format === 'theater' ? fromTheater(input.text, input.name) : fromJsonl(input.text, input.name) };
  } catch (error) {
    if (error instanceof TimelineInputError) throw new TimelineInputError(`${input.name}: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code !== undefined) throw new TimelineInputError(`${input.name}: cannot read (${(error as NodeJS.ErrnoException).code})`);
    throw error;
  }
}

function readFile(path: string, name: string): { format: ChainFormat; chains: ActorChain[] } {
  const head = fileChunks(path, 256);
  const start = head.next();
  head.close();
  const format = detectFormat(start === null ? '' : new TextDecoder().decode(start));
  if (format === 'theater') return { format, chains: fromTheaterSource(fileChunks(path), name) };
  const lines = new LineReader(fileChunks(path));
  try {
    return { format, chains: fromJsonlRows(rowsOf(lines), name) };
  } finally {
    lines.close();
  }
}

function* rowsOf(lines: LineReader): Generator<string | { error: string }> {
  for (let line = lines.next(); line !== null; line = lines.next()) yield 'text' in line ? line.text : line;
}

function wallAtOrigin(actors: InferredActor[], originNs: bigint): string | null {
  for (const actor of actors) {
    const i = actor.chain.events.findIndex((e) => e.call.kind === 'wall');
    if (i === -1) continue;
    const call = actor.chain.events[i].call;
    if (call.kind !== 'wall') continue;
    const wallNs = call.seconds * 1_000_000_000n + BigInt(call.nanoseconds) - ((actor.timesNs[i] ?? originNs) - originNs);
    const date = new Date(Number(wallNs / 1_000_000n));
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  return null;
}

/** Lanes to draw for a fleet: the latest-waking actors, plus a few that did not end ok. */
function pickLanes(actors: InferredActor[]): { picked: InferredActor[]; why: string } {
  const late = actors.map((a) => ({ a, worst: maxLateness(a) ?? -Infinity })).sort((x, y) => y.worst - x.worst).slice(0, FLEET_LANES).map((x) => x.a);
  const chosen = new Set(late);
  const failed = actors.filter((a) => a.outcome !== null && a.outcome !== 'ok' && !chosen.has(a)).slice(0, FLEET_FAILED_LANES);
  for (const a of failed) chosen.add(a);
  const picked = actors.filter((a) => chosen.has(a));
  const extra = failed.length > 0 ? `, plus ${failed.length} that did not end ok` : '';
  return { picked, why: `${picked.length} of ${actors.length.toLocaleString('en-US')} actors have lanes: the ${late.length} with the latest wake-ups (largest lateness)${extra}, in chain order.` };
}

export function buildTimeline(inputs: readonly ChainInput[], title = inputs.map((i) => i.name).join(', ')): TimelineModel {
  const formats = new Set<ChainFormat>();
  const chains: ActorChain[] = [];
  for (const input of inputs) {
    const read = readChains(input);
    formats.add(read.format);
    // With several files, a fleet's lanes say which file they came from.
    if (inputs.length > 1) for (const chain of read.chains) if (chain.instance !== null) chain.label = `${input.name} #${chain.instance}`;
    // One by one: a fleet file of 150 000 chains spread as arguments overflows the stack.
    for (const chain of read.chains) chains.push(chain);
  }
  const actors = chains.map(inferActor);
  let origin: bigint | null = null;
  let last: bigint | null = null;
  for (const actor of actors) {
    for (const ns of actor.timesNs) {
      if (ns === null) continue;
      if (origin === null || ns < origin) origin = ns;
      if (last === null || ns > last) last = ns;
    }
  }
  const originNs = origin ?? 0n;
  const outcomes: Record<Outcome | 'unknown', number> = { ok: 0, err: 0, trap: 0, diverged: 0, unknown: 0 };
  for (const a of actors) outcomes[a.outcome ?? 'unknown']++;
  const fleet = actors.length > FLEET_THRESHOLD;
  const { picked, why } = fleet ? pickLanes(actors) : { picked: actors, why: null };
  const lanes = picked.map((a) => lane(a, originNs));
  const omitted = applyBudget(lanes);
  return {
    title,
    format: formats.size === 1 ? [...formats][0] : 'mixed',
    originNs: origin === null ? null : originNs.toString(),
    wallAtOrigin: wallAtOrigin(actors, originNs),
    spanNs: Number((last ?? originNs) - originNs),
    actorCount: actors.length,
    eventCount: chains.reduce((n, c) => n + c.events.length, 0),
    outcomes,
    lanes,
    laneSelection: why,
    omitted,
    fleet: fleet ? fleetView(actors, originNs) : null,
  };
}
