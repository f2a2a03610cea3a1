// The per-actor event budget (`max_events`): a recorder that lets `limit`
// events through, then traps the calling actor. A guest that reads the clock in
// a loop would otherwise fill the disk at ~150 bytes per call. The trap comes
// before the event is written, so the chain holds exactly `limit` guest events,
// then the runtime's ChainEnd with the trap message: it stays whole and verifies.
import type { EventSink, TimingEvent } from '../events/types.ts';
import { quoted, WasiTrap } from '../base/trap.ts';

export class EventBudget implements EventSink {
  readonly limit: number;
  #sink: EventSink;
  #actorId: string;
  #count = 0;

  constructor(sink: EventSink, limit: number, actorId: string) {
    this.#sink = sink;
    this.limit = limit;
    this.#actorId = actorId;
  }

  get count(): number { return this.#count; }

  record(event: TimingEvent): void {
    if (this.#count >= this.limit) {
      throw new WasiTrap(`event budget exhausted: actor ${quoted(this.#actorId)} recorded ${this.limit} events (max_events = ${this.limit})`);
    }
    this.#count++;
    this.#sink.record(event);
  }
}

/** The sink an actor's host records to: budgeted unless `limit` is 0 or recording is off. */
export function budgeted(sink: EventSink | null, limit: number, actorId: string): EventSink | null {
  return sink === null || limit === 0 ? sink : new EventBudget(sink, limit, actorId);
}
