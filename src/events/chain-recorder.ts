/*
 * ChainRecorder: an actor's event sink that writes its chain as it grows.
 * Each event is serialised, hashed and handed to the chain file at once, so a
 * recorded actor holds one parent hash, not its history: memory stays flat
 * however many events it records (the file's buffer is 64 KiB). end() appends
 * the ChainEnd record; anything recorded after it is dropped, so ChainEnd is
 * always the chain's last line.
 */
import { ChainFile } from './chain-file.ts';
import { chainLineText, hashEvent } from './chain.ts';
import type { ChainOutcome, EventSink, TimingEvent } from './types.ts';
import { toWire } from './wire.ts';

export class ChainRecorder implements EventSink {
  readonly instance: number | undefined;
  readonly handler: string;
  #file: ChainFile;
  #parent: string | null = null;
  #seq = 0;
  #ended = false;

  constructor(file: ChainFile, instance?: number, handler = 'timing') {
    this.#file = file;
    this.instance = instance;
    this.handler = handler;
  }

  /** Events written so far (ChainEnd included once written). */
  get size(): number { return this.#seq; }
  get ended(): boolean { return this.#ended; }

  record(event: TimingEvent): void {
    if (this.#ended) return;
    const wire = toWire(event);
    const hash = hashEvent(this.#parent, wire);
    this.#file.write(chainLineText({ seq: this.#seq, parent: this.#parent, hash, handler: this.handler, event: wire }, this.instance));
    this.#parent = hash;
    this.#seq++;
  }

  /** Closes the chain with its ChainEnd record. Idempotent. */
  end(outcome: ChainOutcome, message: string): void {
    if (this.#ended) return;
    this.record({ type: 'ChainEnd', events: this.#seq, outcome, message });
    this.#ended = true;
  }
}
