// `--start-time <RFC 3339>`: where a virtual wall clock starts, in ns since
// the Unix epoch. Validated at the edge: the message names the flag and echoes
// the value. Nanosecond fractions are kept exactly (Date only holds ms).
import { NS_PER_MS } from '../base/units.ts';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time at or after 1970-01-01T00:00:00Z; throws a RangeError naming `field`. */
export function parseStartTime(text: string, field = '--start-time'): bigint {
  const match = RFC3339.exec(text);
  const fail = (why: string): never => {
    throw new RangeError(`${field}: ${why}, got ${JSON.stringify(text)}`);
  };
  if (match === null) return fail('expected an RFC 3339 date-time such as 2024-05-01T12:00:00Z');
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  const whole = `${year}-${month}-${day}T${hour}:${minute}:${second}${zone.toUpperCase()}`;
  const ms = Date.parse(whole);
  const roundTrip = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
  // Date.parse accepts 2024-02-30 and rolls it over; RFC 3339 does not.
  if (Number.isNaN(ms) || roundTrip.getUTCDate() !== Number(day) || roundTrip.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return fail('not a valid calendar date and time');
  }
  const ns = BigInt(ms) * NS_PER_MS + BigInt(fraction.padEnd(9, '0'));
  if (ns < 0n) return fail('the wall clock cannot start before 1970-01-01T00:00:00Z');
  return ns;
}
