// Shape check for a wire event read back from a file: a known type, every
// field of that type present with the right kind, and no extra fields.
// Returns a message naming the field and echoing the value, or null when valid.

import { describeValue, isPlainObject } from '../base/text.ts';
import { U32_MAX, U64_MAX } from '../base/units.ts';
import { CHAIN_OUTCOMES, CLAMP_REASONS, fieldsOf, type FieldKind } from './schema.ts';

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

function isU32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

function kindError(kind: FieldKind, value: unknown): string | null {
  switch (kind) {
    case 'u64':
      if (typeof value !== 'string' || !DECIMAL.test(value)) return `expected a u64 as a decimal string, got ${describeValue(value)}`;
      return BigInt(value) > U64_MAX ? `u64 out of range, got ${describeValue(value)}` : null;
    case 'u32':
      return isU32(value) ? null : `expected a u32 number, got ${describeValue(value)}`;
    case 'bool':
      return typeof value === 'boolean' ? null : `expected a boolean, got ${describeValue(value)}`;
    case 'u32[]':
      return Array.isArray(value) && value.every(isU32) ? null : `expected an array of u32 numbers, got ${describeValue(value)}`;
    case 'reason':
      return (CLAMP_REASONS as readonly unknown[]).includes(value)
        ? null
        : `expected one of ${CLAMP_REASONS.join(', ')}, got ${describeValue(value)}`;
    case 'outcome':
      return (CHAIN_OUTCOMES as readonly unknown[]).includes(value)
        ? null
        : `expected one of ${CHAIN_OUTCOMES.join(', ')}, got ${describeValue(value)}`;
    case 'text':
      return typeof value === 'string' ? null : `expected a string, got ${describeValue(value)}`;
    case 'hex':
      return typeof value === 'string' && HEX.test(value) ? null : `expected bytes as lowercase hex, got ${describeValue(value)}`;
  }
}

export function wireEventError(event: unknown): string | null {
  if (!isPlainObject(event)) return `event: expected an object, got ${describeValue(event)}`;
  const fields = typeof event.type === 'string' ? fieldsOf(event.type) : undefined;
  if (fields === undefined) return `event.type: unknown event type, got ${describeValue(event.type)}`;
  for (const [name, kind] of fields) {
    if (!Object.hasOwn(event, name)) return `event.${name}: missing in ${event.type}`;
    const error = kindError(kind, event[name]);
    if (error !== null) return `event.${name}: ${error}`;
  }
  for (const key of Object.keys(event)) {
    if (key !== 'type' && !fields.some(([name]) => name === key)) return `event.${key}: unknown field in ${event.type}`;
  }
  return null;
}
