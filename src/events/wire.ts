// The wire form of an event: u64 values (bigint in memory) become decimal
// strings, as the proto3 JSON mapping does for int64; u32 values and counts
// stay numbers. Fields are emitted in schema order (schema.ts) so the JSON, and
// therefore the chain hash, is canonical.

import { fieldsOf } from './schema.ts';
import type { TimingEvent } from './types.ts';

type WireOf<E> = E extends unknown ? { [K in keyof E]: E[K] extends bigint ? string : E[K] } : never;

/** A TimingEvent as it appears in a chain line. */
export type WireEvent = WireOf<TimingEvent>;

export function toWire(event: TimingEvent): WireEvent {
  const fields = fieldsOf(event.type);
  // Internal code trusts its inputs: an unknown type is a programming error.
  if (fields === undefined) throw new TypeError(`toWire: unknown event type ${JSON.stringify(event.type)}`);
  const source = event as unknown as Record<string, unknown>;
  const wire: Record<string, unknown> = { type: event.type };
  for (const [name] of fields) {
    const value = source[name];
    wire[name] = typeof value === 'bigint' ? value.toString() : Array.isArray(value) ? [...value] : value;
  }
  return wire as WireEvent;
}
