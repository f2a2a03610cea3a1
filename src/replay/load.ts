// Reads a recorded chain and tells the two formats apart by their content:
// Theater's chain.json is one JSON array; ours is JSON Lines of objects.
import { readFileSync } from 'node:fs';
import { recordingFromJsonl, RecordingError } from './jsonl.ts';
import type { Recording } from './recorded.ts';
import { ReplaySession } from './session.ts';
import { recordingFromTheater } from './theater.ts';
import { ReplayHandler } from './replay-handler.ts';
import type { TimingLimits } from '../wasi/clamp.ts';

export { RecordingError };

export function parseRecording(text: string): Recording {
  const recording = text.trimStart().startsWith('[') ? recordingFromTheater(text) : recordingFromJsonl(text);
  if (recording.entries.length === 0) throw new RecordingError('the chain holds no events');
  return recording;
}

/** Reads `path`; throws a RecordingError whose message starts with the path. */
export function loadRecording(path: string): Recording {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecordingError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return parseRecording(text);
  } catch (error) {
    if (error instanceof RecordingError) throw new RecordingError(`${path}: ${error.message}`);
    throw error;
  }
}

/** The handler a `[[handler]] type = "replay"` entry (or `--replay <chain>`) stands for. */
export function replayHandler(chainPath: string, limits: TimingLimits | null = null): ReplayHandler {
  return new ReplayHandler(new ReplaySession(loadRecording(chainPath), limits));
}
