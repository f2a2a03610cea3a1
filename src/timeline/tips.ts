// Tooltip text (also each mark's accessible label): the event's type, its
// chain index, its inferred time and how that time was found, and every
// field as recorded, with instants shown relative to the page's origin too.

import type { FieldValue } from './calls.ts';
import type { TimeSource } from './infer.ts';
import type { Bar, EventRef } from './model.ts';
import { timelineFormatNs as fmt } from './scale.ts';

const INSTANT_FIELDS = new Set(['instant', 'when', 'deadline']);
const DURATION_FIELDS = new Set(['duration', 'requested', 'applied', 'waited', 'resolution']);
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export const SOURCE_TEXT: Record<TimeSource, string> = {
  reading: 'the monotonic reading itself',
  deadline: 'deadline − applied delay',
  waited: 'start + waited',
  ready: 'ready, so at least its deadline',
  carried: 'at least: carried from the event before',
  backfilled: 'at most: before the first clock value',
  none: 'no clock value in this chain',
};

const at = (ns: number): string => (ns < 0 ? fmt(ns) : `+${fmt(ns)}`);

function field(name: string, value: FieldValue, originNs: bigint): string {
  if (typeof value === 'string' && DECIMAL.test(value)) {
    if (INSTANT_FIELDS.has(name)) return `${name} = ${at(Number(BigInt(value) - originNs))} (${value} ns)`;
    if (DURATION_FIELDS.has(name)) return `${name} = ${fmt(Number(value))}`;
  }
  return `${name} = ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`;
}

function where(ref: EventRef): string {
  return `chain index ${ref.index}${ref.line === null ? '' : `, line ${ref.line}`}`;
}

export function eventTip(ref: EventRef, originNs: bigint): string {
  const lines = [`${ref.type} · ${where(ref)}`, `t ${ref.source === 'carried' ? '≥' : ref.source === 'backfilled' ? '≤' : '='} ${at(ref.tNs)} (${SOURCE_TEXT[ref.source]})`];
  for (const [name, value] of Object.entries(ref.fields)) lines.push(field(name, value, originNs));
  return lines.join('\n');
}

const END_TEXT: Record<Bar['endedBy'], string> = { ready: 'ready() returned true', block: 'block returned', poll: 'poll returned it ready', drop: 'dropped', open: 'never ended in the chain' };

export function barTip(bar: Bar, originNs: bigint): string {
  const delay = [
    bar.requestedNs === null ? null : `requested ${fmt(bar.requestedNs)}`,
    bar.appliedNs === null ? null : `applied ${fmt(bar.appliedNs)}`,
    bar.clampReason === null ? null : `clamped: ${bar.clampReason}`,
  ].filter((x) => x !== null);
  const lines = [
    `pollable ${bar.pollable}: ${at(bar.startNs)} → ${at(bar.endNs)} (${END_TEXT[bar.endedBy]})`,
    delay.join(' · '),
    `deadline ${at(bar.deadlineNs)}${bar.latenessNs === null ? '' : ` · woke ${fmt(bar.latenessNs)} after it`}`,
    '',
    `subscribe: ${eventTip(bar.subscribe, originNs).replace(/\n/g, '\n  ')}`,
  ];
  if (bar.end !== null) lines.push(`end: ${eventTip(bar.end, originNs).replace(/\n/g, '\n  ')}`);
  return lines.filter((l, i) => l !== '' || i === 3).join('\n');
}
