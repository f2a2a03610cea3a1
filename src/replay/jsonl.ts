// Our JSON Lines chain as a Recording, read a line at a time through the
// verifier (events/verify.ts: the one set of checks `verify` makes: canonical
// bytes, seq, parent links, hashes, event shapes and ranges, ChainEnd last and
// well formed), so a replay serves nothing `verify` would refuse. A final
// ChainEnd record gives the recorded outcome. Memory does not grow with the file.
import { bufferChunks, fileChunks } from '../events/chunks.ts';
import { LineReader } from '../events/lines.ts';
import { fieldsOf } from '../events/schema.ts';
import type { TimingEvent } from '../events/types.ts';
import { ChainVerifier, type CheckedLine } from '../events/verify.ts';
import { isPlainObject } from '../base/text.ts';
import { callOf, inMemory, RecordingError, type RecordedEntry, type RecordedOutcome, type Recording, type RecordingInMemory } from './recorded.ts';

export { RecordingError };

/** `open`: a durable log in progress, which may lack its ChainEnd (and be empty). */
export interface JsonlOptions {
  open?: boolean;
}

/** Our chain in `text`, read and checked whole; throws a RecordingError naming the line. */
export function recordingFromJsonl(text: string, options: JsonlOptions = {}): RecordingInMemory {
  return inMemory(jsonlRecording(new LineReader(bufferChunks(Buffer.from(text))), options));
}

/** Our chain in the file at `path`, streamed; the first line is read at once (errors there throw here). */
export function jsonlFileRecording(path: string): Recording {
  return jsonlRecording(new LineReader(fileChunks(path)), {});
}

function jsonlRecording(lines: LineReader, options: JsonlOptions): Recording {
  const verifier = new ChainVerifier({ open: options.open });
  let count = 0;
  let finished = false;
  let outcome: RecordedOutcome | null = null;
  const refused = (): never => {
    lines.close();
    const first = verifier.firstError!;
    throw new RecordingError(`line ${first.line}: ${first.message}`);
  };
  /** The next checked line, or undefined at a good end. */
  const read = (): CheckedLine | undefined => {
    if (finished) return undefined;
    const line = lines.next();
    if (line === null) {
      finished = true;
      if (!verifier.finish(lines.endsWithNewline).ok) refused();
      return undefined;
    }
    count++;
    if ('error' in line) {
      verifier.reject(line.error);
      return refused();
    }
    if (count === 1) refuseFleet(line.text);
    return verifier.push(line.text) ?? refused();
  };
  const first = read();
  const identity = first?.event.type === 'ActorIdentity' ? fromWire(first.event) as Extract<TimingEvent, { type: 'ActorIdentity' }> : null;
  let pending = identity === null ? first : undefined;
  return {
    format: 'jsonl',
    hostEvents: true,
    identity,
    get end() { return outcome === null ? count : count - 1; },
    get outcome() { return outcome; },
    close: () => lines.close(),
    next(): RecordedEntry | undefined {
      const checked = pending ?? read();
      pending = undefined;
      if (checked === undefined) return undefined;
      if (checked.event.type === 'ChainEnd') {
        outcome = { status: checked.event.outcome, message: checked.event.message };
        return this.next();
      }
      const timing = fromWire(checked.event);
      return callOf(timing, checked.seq) ?? { kind: 'host', position: checked.seq, event: timing };
    },
  };
}

/** A fleet file holds several chains; a replay serves one. */
function refuseFleet(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return; // the verifier says why
  }
  if (isPlainObject(parsed) && isPlainObject(parsed.fleet)) {
    throw new RecordingError(`line 1: the file holds the chains of ${String(parsed.fleet.instances)} instances; a replay serves one (write it with --instances 1)`);
  }
}

/** The inverse of toWire for a checked wire event: u64 strings back to bigint. */
function fromWire(wire: CheckedLine['event']): TimingEvent {
  const source = wire as unknown as Record<string, unknown>;
  const event: Record<string, unknown> = { type: wire.type };
  for (const [name, kind] of fieldsOf(wire.type)!) event[name] = kind === 'u64' ? BigInt(source[name] as string) : source[name];
  return event as unknown as TimingEvent;
}
