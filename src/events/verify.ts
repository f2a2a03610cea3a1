// Chain verifier: reads JSON Lines text back and checks, line by line, JSON
// syntax, the line envelope, seq continuity, parent links, the recomputed hash
// and the event shape. Lines tagged with `instance` form one chain per
// instance (they may interleave). It keeps going after an error so the
// summary counts the whole file, and reports the first error.

import { describeValue, isPlainObject } from '../handler/describe.ts';
import { hashEvent } from './chain.ts';
import { wireEventError } from './shape.ts';
import type { WireEvent } from './wire.ts';

export interface ChainSummary {
  /** The `instance` tag, or null for an untagged (single-chain) file. */
  instance: number | null;
  lines: number;
  /** Hash of the chain's last line. */
  head: string | null;
  countsByType: Record<string, number>;
}

export interface VerifyResult {
  ok: boolean;
  lines: number;
  chains: ChainSummary[];
  countsByType: Record<string, number>;
  errors: number;
  firstError?: { line: number; message: string };
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
  if (v.instance !== undefined && !isIndex(v.instance)) return `instance: expected a non-negative integer, got ${describeValue(v.instance)}`;
  return null;
}

interface ChainState {
  summary: ChainSummary;
  nextSeq: number;
}

export function verifyChain(text: string): VerifyResult {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  const result: VerifyResult = { ok: true, lines: rows.length, chains: [], countsByType: {}, errors: 0 };
  const chains = new Map<number | null, ChainState>();
  let tagged: boolean | null = null;
  rows.forEach((row, index) => {
    const fail = (message: string): void => {
      result.errors++;
      result.firstError ??= { line: index + 1, message };
    };
    if (row.trim() === '') return fail('empty line');
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      return fail(`invalid JSON: ${(error as Error).message}`);
    }
    if (!isPlainObject(parsed)) return fail(`expected a JSON object, got ${describeValue(parsed)}`);
    const envelope = envelopeError(parsed);
    if (envelope !== null) return fail(envelope);
    const { seq, parent, hash, event } = parsed as { seq: number; parent: string | null; hash: string; event: unknown };
    const instance = isIndex(parsed.instance) ? parsed.instance : null;
    tagged ??= instance !== null;
    if (tagged !== (instance !== null)) {
      fail(tagged ? 'instance: missing, but earlier lines carry one' : 'instance: present, but earlier lines carry none');
    }
    let chain = chains.get(instance);
    if (chain === undefined) {
      chain = { summary: { instance, lines: 0, head: null, countsByType: {} }, nextSeq: 0 };
      chains.set(instance, chain);
    }
    const where = instance === null ? '' : ` (instance ${instance})`;
    const shape = wireEventError(event);
    if (seq !== chain.nextSeq) fail(`seq ${seq}, expected ${chain.nextSeq}${where}`);
    else if (parent !== chain.summary.head) fail(`parent ${short(parent)} does not match the previous hash ${short(chain.summary.head)}${where}`);
    else if (shape !== null) fail(shape);
    else {
      const computed = hashEvent(parent, event as WireEvent);
      if (computed !== hash) fail(`hash mismatch: line says ${short(hash)}, recomputed ${short(computed)}${where}`);
    }
    chain.nextSeq = seq + 1;
    chain.summary.lines++;
    chain.summary.head = hash;
    if (isPlainObject(event) && typeof event.type === 'string') {
      result.countsByType[event.type] = (result.countsByType[event.type] ?? 0) + 1;
      chain.summary.countsByType[event.type] = (chain.summary.countsByType[event.type] ?? 0) + 1;
    }
  });
  result.chains = [...chains.values()].map((c) => c.summary);
  result.ok = result.errors === 0;
  return result;
}

const MAX_CHAINS_SHOWN = 10;

/** A few lines for the CLI: verdict, chains (at most 10), event counts. */
export function formatSummary(result: VerifyResult): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const size = `${plural(result.lines, 'line')}, ${plural(result.chains.length, 'chain')}`;
  const out = result.firstError === undefined
    ? [`chain ok: ${size}`]
    : [`chain INVALID: line ${result.firstError.line}: ${result.firstError.message}`, `${plural(result.errors, 'error')} in ${size}`];
  for (const chain of result.chains.slice(0, MAX_CHAINS_SHOWN)) {
    const label = chain.instance === null ? 'chain' : `instance ${chain.instance}`;
    out.push(`  ${label}: ${plural(chain.lines, 'event')}, head ${short(chain.head)}`);
  }
  if (result.chains.length > MAX_CHAINS_SHOWN) out.push(`  … and ${result.chains.length - MAX_CHAINS_SHOWN} more chains`);
  const types = Object.entries(result.countsByType);
  const width = Math.max(0, ...types.map(([type]) => type.length));
  for (const [type, count] of types) out.push(`  ${type.padEnd(width)}  ${count}`);
  return out.join('\n');
}
