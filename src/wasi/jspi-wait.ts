/*
 * One JSPI wait (TimingHost.waitAny with nothing ready) as one object: it is
 * the Waiter parked on the actor's owner, and it holds the promise the
 * suspended guest awaits. An actor's entry in the runtime's wait registry is
 * one HostWaiting per actor, which describes the actor's latest wait.
 *
 * Why classes and not closures: a fleet holds one wait per suspended actor for
 * as long as it sleeps, and every young-generation GC copies what the fleet
 * allocated since the last one: per wait, the closures' version (two objects of
 * two closures each, a shared context, Promise.withResolvers' record) was ~10
 * heap objects; this is the wait, its promise and the promise's two functions.
 */
import type { Waiter } from '../pollables/owners.ts';
import type { HandleRef as PollableRef } from '../pollables/table.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import type { Pollables, TimingRuntime } from '../timing/timing-runtime.ts';
import type { Waiting } from '../timing/waits.ts';

export class JspiWait implements Waiter {
  readonly promise: Promise<number[]>;
  #resolve!: (ready: number[]) => void;
  #reject!: (error: Error) => void;
  readonly #table: Pollables;
  readonly #runtime: TimingRuntime;
  readonly #owner: number;
  readonly #items: ArrayLike<PollableRef>;
  readonly #ready: number[];
  readonly #meter: RunMeter | null;

  constructor(runtime: TimingRuntime, owner: number, items: ArrayLike<PollableRef>, ready: number[], meter: RunMeter | null) {
    this.promise = new Promise<number[]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#table = runtime.pollables;
    this.#runtime = runtime;
    this.#owner = owner;
    this.#items = items;
    this.#ready = ready;
    this.#meter = meter;
  }

  /** Re-scans where a pollable of the owner became ready; parks again when none of its own is. */
  wake(): void {
    if (this.#table.scan(this.#items, this.#ready) === 0) return this.#table.park(this.#owner, this);
    this.#runtime.endWait(this.#owner);
    this.#meter?.resume();
    this.#resolve(this.#ready);
  }

  fail(error: Error): void {
    this.#runtime.endWait(this.#owner);
    this.#meter?.resume();
    this.#reject(error);
  }

  describe(): string {
    return Array.from(this.#items, (item) => this.#table.describe(item.handle)).join(', ');
  }
}

/** An actor's entry in the wait registry: it names the actor's latest wait; failing it fails every wait of the actor. */
export class HostWaiting implements Waiting {
  readonly actorId: string;
  /** The wait that began last (the registry keeps one entry per actor). */
  current: { describe(): string } | null = null;
  readonly #table: Pollables;
  readonly #owner: number;

  constructor(actorId: string, table: Pollables, owner: number) {
    this.actorId = actorId;
    this.#table = table;
    this.#owner = owner;
  }

  describe(): string {
    return this.current?.describe() ?? 'nothing';
  }

  fail(error: Error): void {
    this.#table.fail(this.#owner, error);
  }
}
