// The replay side of the wasi handler's journal (src/handler/wasi-journal.ts):
// random draws and stdout/stderr writes answered from the recording, in order
// with the timing calls, by the same ReplaySession. Each call is matched like a
// timing call (interface, function, inputs: a write's length and kept bytes, a
// draw's length), so a replay whose actor draws or writes something else diverges.
// Past the end of a durable actor's log (a resume), the calls are answered live
// and recorded after its Resumed record. Theater's chain.json cannot carry these
// events: replaying one, they are answered live and recorded as ours.
import { recordingJournal, type WasiEvent, type WasiJournal } from '../handler/wasi-journal.ts';
import { callOf } from './recorded.ts';
import type { ReplaySession } from './session.ts';

export interface ReplayJournalOptions {
  /** Show the lines of replayed writes again: yes for --replay, no for a resume (they were shown before the crash). */
  showReplayed: boolean;
}

export function replayJournal(session: ReplaySession, options: ReplayJournalOptions): WasiJournal {
  const live = recordingJournal({ record: (event) => session.recordLive(event) });
  return {
    showReplayed: options.showReplayed,
    take<E extends WasiEvent>(probe: E, answer: () => E) {
      if (session.isLive || !session.recording.hostEvents) return live.take(probe, answer);
      const call = callOf(probe, 0)!;
      const entry = session.call(call.interface.slice(0, call.interface.lastIndexOf('@')), call.function, call.input);
      return { event: entry.event as E, replayed: true };
    },
    suspended: () => session.live?.hibernatedUntil != null,
  };
}
