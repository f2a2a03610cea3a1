/*
 * ChainRecorder: an actor's event sink that writes its chain as it grows.
 * Each event is serialised, hashed and handed to the chain file at once, so a
 * recorded actor holds one parent hash, not its history: memory stays flat
 * however many events it records (the file's buffer is 64 KiB). end() appends
 * the ChainEnd record; anything recorded after it is dropped, so ChainEnd is
 * always the chain's last line.
 */
import { ChainFile } from './chain-file.ts';
import { hashEventJson } from './chain.ts';
import type { ChainOutcome, EventSink, TimingEvent } from './types.ts';
import { toWire } from './wire.ts';

/**
 * One chain line, spliced by hand in chainLineText's key order from an event already
 * serialised once (for its hash and its line): `handlerJson` is the JSON string of the
 * handler's name, `suffix` the line's trailing fields (`,"instance":n`) or ''.
 */
export function chainLine(seq: number, parent: string | null, hash: string, handlerJson: string, eventJson: string, suffix = ''): string {
  return `{"seq":${seq},"parent":${parent === null ? 'null' : `"${parent}"`},"hash":"${hash}","handler":${handlerJson},"event":${eventJson}${suffix}}\n`;
}

export class ChainRecorder implements EventSink {
  readonly instance: number | undefined;
  readonly handler: string;
  #file: ChainFile;
  #parent: string | null = null;
  #seq = 0;
  #ended = false;

  #handlerJson: string;
  #instanceJson: string;

  constructor(file: ChainFile, instance?: number, handler = 'timing') {
    this.#file = file;
    this.instance = instance;
    this.handler = handler;
    this.#handlerJson = JSON.stringify(handler);
    this.#instanceJson = instance === undefined ? '' : `,"instance":${instance}`;
  }

  /** Events written so far (ChainEnd included once written). */
  get size(): number { return this.#seq; }
  get ended(): boolean { return this.#ended; }

  record(event: TimingEvent): void {
    if (this.#ended) return;
    // The event is serialised once, for the hash and the line: the line is spliced
    // by hand in chainLineText's key order (test: the bytes are equal).
    const eventJson = JSON.stringify(toWire(event));
    const parent = this.#parent;
    const hash = hashEventJson(parent, eventJson);
    this.#file.write(chainLine(this.#seq, parent, hash, this.#handlerJson, eventJson, this.#instanceJson));
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
