// Reads a recorded chain and tells the two formats apart by their content:
// Theater's chain.json is one JSON array; ours is JSON Lines of objects. Either
// is streamed (read and checked a record at a time as the replay goes), through
// the same checks `verify` makes.
import { closeSync, openSync, readSync } from 'node:fs';
import { jsonlFileRecording, recordingFromJsonl } from './jsonl.ts';
import { RecordingError, type Recording, type RecordingInMemory } from './recorded.ts';
import { ReplaySession } from './session.ts';
import { recordingFromTheater, theaterFileRecording } from './theater.ts';
import { ReplayHandler } from './replay-handler.ts';
import type { TimingLimits } from '../wasi/clamp.ts';

export { RecordingError };

const isTheater = (start: string): boolean => start.trimStart().startsWith('[');

/** A chain given as text, read and checked whole. */
export function parseRecording(text: string): RecordingInMemory {
  return isTheater(text) ? recordingFromTheater(text) : recordingFromJsonl(text);
}

/** Opens `path` as a streamed recording; throws a RecordingError whose message starts with the path. */
export function loadRecording(path: string): Recording {
  try {
    return named(path, isTheater(firstBytes(path)) ? theaterFileRecording(path) : jsonlFileRecording(path));
  } catch (error) {
    if (error instanceof RecordingError) throw new RecordingError(`${path}: ${error.message}`);
    throw new RecordingError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The recording, its errors prefixed with the file's path. */
function named(path: string, recording: Recording): Recording {
  return {
    format: recording.format,
    hostEvents: recording.hostEvents,
    identity: recording.identity,
    get end() { return recording.end; },
    get outcome() { return recording.outcome; },
    close: () => recording.close(),
    next() {
      try {
        return recording.next();
      } catch (error) {
        throw error instanceof RecordingError ? new RecordingError(`${path}: ${error.message}`) : error;
      }
    },
  };
}

/** The first bytes of the file: enough to tell the formats apart. */
function firstBytes(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(256);
    return buffer.subarray(0, readSync(fd, buffer, 0, 256, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The handler a `[[handler]] type = "replay"` entry (or `--replay <chain>`) stands for. */
export function replayHandler(chainPath: string, limits: TimingLimits | null = null): ReplayHandler {
  return new ReplayHandler(new ReplaySession(loadRecording(chainPath), limits));
}
