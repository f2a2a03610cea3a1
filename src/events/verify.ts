// Chain verifier: reads JSON Lines back and checks, line by line, JSON syntax,
// the line envelope, seq continuity, parent links, the event shape, that the
// line is exactly its canonical bytes, and the recomputed hash; at the end,
// that every chain closes with ChainEnd and a fleet file holds every instance
// its header names. Lines tagged with `instance` form one chain per instance
// (they may interleave). It keeps going after an error so the summary counts
// the whole file, and reports the first error. Lines are pushed one at a time,
// so a file of any size is checked in constant memory (verify-file.ts).
// Over 200 lines because this one class is every check of our format: verify,
// a replay (replay/jsonl.ts) and the durable log's reader all push lines into
// it, so none of them can accept what another refuses.

import { describeValue, isPlainObject } from '../base/text.ts';
import { chainLineText, fleetHeader, hashEvent } from './chain.ts';
import { fieldsOf } from './schema.ts';
import { wireEventError } from './shape.ts';
import type { WireEvent } from './wire.ts';

export interface ChainSummary {
  /** The `instance` tag, or null for an untagged (single-chain) file. */
  instance: number | null;
  lines: number;
  /** Hash of the chain's last line. */
  head: string | null;
  countsByType: Record<string, number>;
  /** The actor's name and version from the chain's ActorIdentity, or null for a chain written before identity records. */
  actor?: string | null;
}

export interface VerifyResult {
  ok: boolean;
  lines: number;
  chains: ChainSummary[];
  countsByType: Record<string, number>;
  errors: number;
  firstError?: { line: number; message: string };
}

/** A line that passed every check: its values. */
export interface CheckedLine {
  seq: number;
  parent: string | null;
  hash: string;
  event: WireEvent;
  instance: number | null;
}

const LINE_KEYS = new Set(['seq', 'parent', 'hash', 'handler', 'event', 'instance']);
const HEX64 = /^[0-9a-f]{64}$/;

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isHash = (v: unknown): v is string => typeof v === 'string' && HEX64.test(v);
const short = (hash: string | null): string => (hash === null ? 'null' : hash.slice(0, 12));

function envelopeError(v: Record<string, unknown>): string | null {
  const extra = Object.keys(v).find((key) => !LINE_KEYS.has(key));
  if (extra !== undefined) return `${extra}: unknown field`;
  if (!isIndex(v.seq)) return `seq: expected a non-negative integer, got ${describeValue(v.seq)}`;
  if (v.parent !== null && !isHash(v.parent)) return `parent: expected null or a hex SHA-256, got ${describeValue(v.parent)}`;
  if (!isHash(v.hash)) return `hash: expected a hex SHA-256, got ${describeValue(v.hash)}`;
  if (typeof v.handler !== 'string' || v.handler === '') return `handler: expected a non-empty string, got ${describeValue(v.handler)}`;
  // The hash covers parent and event only; every event type in the schema is the timing handler's.
  if (v.handler !== 'timing') return `handler: expected "timing" (every known event is the timing handler's), got ${describeValue(v.handler)}`;
  if (v.instance !== undefined && !isIndex(v.instance)) return `instance: expected a non-negative integer, got ${describeValue(v.instance)}`;
  return null;
}

interface ChainState {
  summary: ChainSummary;
  nextSeq: number;
  ended: boolean;
}

/** The line as the writer would have written it, from its parsed values (valid envelope and event assumed). */
function canonicalLine(v: { seq: number; parent: string | null; hash: string; handler: string; event: Record<string, unknown>; instance?: unknown }): string {
  const event: Record<string, unknown> = { type: v.event.type };
  for (const [name] of fieldsOf(String(v.event.type)) ?? []) event[name] = v.event[name];
  return chainLineText({ seq: v.seq, parent: v.parent, hash: v.hash, handler: v.handler, event: event as WireEvent }, isIndex(v.instance) ? v.instance : undefined).slice(0, -1);
}

/**
 * Checks a chain file line by line (push each line without its "\n", then
 * finish). Every line must be byte for byte the canonical serialisation of its
 * values, so whitespace, key order, escapes and duplicate keys all fail; every
 * chain must end with ChainEnd counting the events before it; a fleet file
 * starts with `{"fleet":{"instances":n}}` and must hold chains 0..n-1.
 */
export class ChainVerifier {
  #result: VerifyResult = { ok: true, lines: 0, chains: [], countsByType: {}, errors: 0 };
  #chains = new Map<number | null, ChainState>();
  #instances: number | null = null;
  readonly #open: boolean;

  /** `open`: the chain may still be growing (a durable log in progress): no ChainEnd required, empty allowed. */
  constructor(options: { open?: boolean } = {}) {
    this.#open = options.open === true;
  }

  /** The first error so far. */
  get firstError(): VerifyResult['firstError'] { return this.#result.firstError; }

  #fail(message: string, line = this.#result.lines): void {
    this.#result.errors++;
    this.#result.firstError ??= { line, message };
  }

  #failed(message: string): undefined {
    this.#fail(message);
    return undefined;
  }

  /** Counts a line that could not even be read as text (bytes that are not UTF-8). */
  reject(message: string): void {
    this.#result.lines++;
    this.#fail(message);
  }

  /** Checks one line (without its "\n"); returns its values when it passed every check so far, else null. */
  push(row: string): CheckedLine | null {
    const errors = this.#result.errors;
    const parsed = this.#check(row);
    return parsed === undefined || this.#result.errors !== errors ? null : parsed;
  }

  #check(row: string): CheckedLine | undefined {
    const number = ++this.#result.lines;
    if (row === '') return this.#failed('empty line');
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      this.#fail(`invalid JSON: ${(error as Error).message}`);
      return undefined;
    }
    if (!isPlainObject(parsed)) return this.#failed(`expected a JSON object, got ${describeValue(parsed)}`);
    if (number === 1 && 'fleet' in parsed) {
      this.#header(parsed, row);
      return undefined;
    }
    const envelope = envelopeError(parsed);
    if (envelope !== null) return this.#failed(envelope);
    const { seq, parent, hash, event } = parsed as { seq: number; parent: string | null; hash: string; event: unknown };
    const instance = isIndex(parsed.instance) ? parsed.instance : null;
    if ((this.#instances !== null) !== (instance !== null)) {
      this.#fail(instance === null ? 'instance: missing, but the file starts with a fleet header' : 'instance: present, but the file has no fleet header (its first line)');
    } else if (instance !== null && this.#instances !== null && instance >= this.#instances) {
      this.#fail(`instance: ${instance} is out of range: the fleet header says ${this.#instances} instances`);
    }
    let chain = this.#chains.get(instance);
    if (chain === undefined) {
      chain = { summary: { instance, lines: 0, head: null, countsByType: {}, actor: null }, nextSeq: 0, ended: false };
      this.#chains.set(instance, chain);
    }
    const where = instance === null ? '' : ` (instance ${instance})`;
    const shape = wireEventError(event);
    if (chain.ended) this.#fail(`an event after ChainEnd${where}`);
    else if (seq !== chain.nextSeq) this.#fail(`seq ${seq}, expected ${chain.nextSeq}${where}`);
    else if (parent !== chain.summary.head) this.#fail(`parent ${short(parent)} does not match the previous hash ${short(chain.summary.head)}${where}`);
    else if (shape !== null) this.#fail(shape);
    else if (canonicalLine(parsed as Parameters<typeof canonicalLine>[0]) !== row) this.#fail(`not the canonical serialisation of its values (spacing, key order, escapes or a duplicate key)${where}`);
    else {
      const computed = hashEvent(parent, event as WireEvent);
      if (computed !== hash) this.#fail(`hash mismatch: line says ${short(hash)}, recomputed ${short(computed)}${where}`);
      const wire = event as WireEvent;
      if (wire.type === 'ActorIdentity') {
        if (seq !== 0) this.#fail(`ActorIdentity at seq ${seq}: it must be the chain's first record${where}`);
        else if (instance !== null && wire.instance !== instance) this.#fail(`ActorIdentity.instance is ${wire.instance}, but the line is tagged instance ${instance}`);
        else if (!/^[0-9a-f]{64}$/.test(wire.component_sha256)) this.#fail(`ActorIdentity.component_sha256: expected a hex SHA-256, got ${describeValue(wire.component_sha256)}${where}`);
        else if (wire.init_state_sha256 !== '' && !/^[0-9a-f]{64}$/.test(wire.init_state_sha256)) this.#fail(`ActorIdentity.init_state_sha256: expected "" or a hex SHA-256, got ${describeValue(wire.init_state_sha256)}${where}`);
        else chain.summary.actor = `${wire.name} ${wire.version}`;
      }
      if (wire.type === 'ChainEnd') {
        chain.ended = true;
        if (wire.events !== seq) this.#fail(`ChainEnd.events is ${wire.events}, but ${seq} events precede it${where}`);
      }
    }
    chain.nextSeq = seq + 1;
    chain.summary.lines++;
    chain.summary.head = hash;
    if (isPlainObject(event) && typeof event.type === 'string') {
      this.#result.countsByType[event.type] = (this.#result.countsByType[event.type] ?? 0) + 1;
      chain.summary.countsByType[event.type] = (chain.summary.countsByType[event.type] ?? 0) + 1;
    }
    return { seq, parent, hash, event: event as WireEvent, instance };
  }

  #header(parsed: Record<string, unknown>, row: string): void {
    const fleet = parsed.fleet;
    const instances = isPlainObject(fleet) ? fleet.instances : undefined;
    if (!isIndex(instances) || instances < 1) return this.#fail(`fleet.instances: expected a positive integer, got ${describeValue(instances)}`);
    if (row !== fleetHeader(instances).slice(0, -1)) return this.#fail('fleet header: not the canonical serialisation {"fleet":{"instances":n}}');
    this.#instances = instances;
  }

  /** The verdict: truncation (a chain without ChainEnd, a missing chain, an empty file) fails here. */
  finish(endsWithNewline: boolean): VerifyResult {
    const result = this.#result;
    const end = result.lines + 1;
    if (result.lines > 0 && !endsWithNewline) this.#fail('the last line has no "\\n": the file was cut short', result.lines);
    if (this.#chains.size === 0 && !this.#open) this.#fail(result.lines === 0 ? 'no chain: the file is empty' : 'no chain in the file', end);
    for (const chain of this.#chains.values()) {
      const where = chain.summary.instance === null ? '' : ` (instance ${chain.summary.instance})`;
      if (!chain.ended && !this.#open) this.#fail(`the chain has no ChainEnd: it was cut short after ${chain.summary.lines} events${where}`, end);
    }
    if (this.#instances !== null) {
      for (let i = 0; i < this.#instances; i++) {
        if (!this.#chains.has(i)) {
          this.#fail(`instance ${i}: missing: the fleet header says ${this.#instances} instances, the file holds ${this.#chains.size}`, end);
          break;
        }
      }
    }
    result.chains = [...this.#chains.values()].map((c) => c.summary);
    result.ok = result.errors === 0;
    return result;
  }
}

export function verifyChain(text: string): VerifyResult {
  const verifier = new ChainVerifier();
  const rows = text.split('\n');
  const endsWithNewline = rows.at(-1) === '';
  if (endsWithNewline) rows.pop();
  for (const row of rows) verifier.push(row);
  return verifier.finish(endsWithNewline || text === '');
}

export { formatSummary } from './summary.ts';
