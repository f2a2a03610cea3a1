// Per-actor event recorder. The hot path is one array push: no hashing, no
// string work, no copying. Serialisation and hashing happen once, when the
// chain is built (chain.ts).

import type { EventSink, TimingEvent } from './types.ts';

export class EventRecorder implements EventSink {
  #events: TimingEvent[] = [];

  record(event: TimingEvent): void {
    this.#events.push(event);
  }

  /** The recorded events, in order. A live view: it grows as events are recorded. */
  get events(): readonly TimingEvent[] {
    return this.#events;
  }

  get size(): number {
    return this.#events.length;
  }

  /** Forgets all events. Arrays obtained from `events` earlier keep their contents. */
  clear(): void {
    this.#events = [];
  }
}
