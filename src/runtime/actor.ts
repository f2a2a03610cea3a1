// One actor instance: its component instance, its handlers' per-actor state,
// its event recorder and its mailbox. A trap ends the instance; it never
// reaches other actors.
import { EventRecorder } from '../events/recorder.ts';
import type { EventSink, TimingEvent } from '../events/types.ts';
import type { BuiltImports, HandlerRegistry } from '../handler/registry.ts';
import type { Admission } from '../thread/admission.ts';
import type { Thread } from '../thread/thread.ts';
import { Mailbox } from './mailbox.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import type { TranspiledComponent } from '../component/transpile.ts';
import { tooLargeTrap } from '../base/trap.ts';
import { MAX_STATE_BYTES } from '../base/units.ts';

/** What `init` came to: a state, the guest's own `err`, or a trap. */
export type InitOutcome =
  | { status: 'ok'; state: Uint8Array | null }
  | { status: 'err'; error: string }
  | { status: 'trap'; error: string };

interface ActorInterface {
  init(state: Uint8Array | undefined): [Uint8Array | undefined] | Promise<[Uint8Array | undefined]>;
}

export const ACTOR_INTERFACE = 'theater:simple/actor';

export interface SpawnOptions {
  id: string;
  /** Record the actor's timing events in memory (default true); ignored when `sink` is given. */
  record?: boolean;
  /** Record them here instead (e.g. a ChainRecorder that streams them to a file). */
  sink?: EventSink;
  /** The chain's first record (ActorIdentity), recorded before anything else. */
  identity?: TimingEvent;
  /** The thread it shares with its neighbours (slice, admission, meter clock); default: the registry's. */
  thread?: Thread;
}

export class Actor {
  readonly id: string;
  readonly events: EventRecorder | null;
  #mailbox = new Mailbox();
  #actor: ActorInterface | null;
  #built: BuiltImports;
  #trapped: string | null = null;
  #meter: RunMeter;
  #admission: Admission;

  private constructor(id: string, events: EventRecorder | null, built: BuiltImports, actor: ActorInterface | null, meter: RunMeter, admission: Admission) {
    this.id = id;
    this.events = events;
    this.#built = built;
    this.#actor = actor;
    this.#meter = meter;
    this.#admission = admission;
  }

  /** Instantiates `component` with the registry's imports. Synchronous: no transpile, no compile. */
  static spawn(component: TranspiledComponent, registry: HandlerRegistry, options: SpawnOptions): Actor {
    const events = options.sink !== undefined || options.record === false ? null : new EventRecorder();
    const thread = options.thread ?? registry.thread;
    const meter = thread.meter(options.id);
    if (options.identity !== undefined) (options.sink ?? events)?.record(options.identity);
    const built = registry.buildImports(component.importNames, { actorId: options.id, events: options.sink ?? events, meter, wasi: component.wasi });
    let exports: Record<string, ActorInterface | undefined>;
    // Instantiating runs the core modules' start functions: guest code, metered like a call.
    meter.begin();
    try {
      exports = component.instantiateSync<Record<string, ActorInterface | undefined>>(built.imports, { meter, slice: thread.slice });
    } catch (error) {
      built.dispose();
      if (!isGuestTrap(error)) throw error;
      // The guest trapped while it was instantiated: an actor that answers every call with that trap.
      const trapped = new Actor(options.id, events, built, null, meter, thread.admission);
      trapped.#trapped = trapMessage(error);
      return trapped;
    } finally {
      meter.end();
    }
    try {
      const actor = exports[ACTOR_INTERFACE];
      if (actor === undefined || typeof actor.init !== 'function') {
        throw new TypeError(`the component does not export ${ACTOR_INTERFACE} with an init function`);
      }
      return new Actor(options.id, events, built, actor, meter, thread.admission);
    } catch (error) {
      built.dispose();
      throw error;
    }
  }

  get stopped(): boolean {
    return this.#actor === null;
  }

  /** Calls the guest's init through the mailbox, when admitted (thread/admission.ts). */
  init(state: Uint8Array | null = null): Promise<InitOutcome> {
    return this.#mailbox.send(async (): Promise<InitOutcome> => {
      const admitted = this.#admission.enter();
      if (admitted !== undefined) await admitted;
      const actor = this.#actor;
      if (actor === null) {
        this.#admission.leave();
        return { status: 'trap', error: this.#trapped ?? `actor ${this.id} is stopped` };
      }
      this.#meter.begin();
      try {
        let running: ReturnType<ActorInterface['init']>;
        try {
          running = actor.init(state ?? undefined);
        } finally {
          this.#admission.leave();
        }
        const [next] = await running;
        // What a run shows is built from the state (hex, JSON): bounded before any of it is.
        if (next !== undefined && next.length > MAX_STATE_BYTES) throw tooLargeTrap('state', next.length);
        return { status: 'ok', state: next ?? null };
      } catch (thrown) {
        const error = oversizedErr(thrown);
        if (isGuestErr(error)) return { status: 'err', error: String(error.payload) };
        const message = trapMessage(error);
        if (this.#actor !== null) {
          // A trap ends the instance. (When stop() ended it, later calls say so instead.)
          this.#trapped = message;
          this.stop();
        }
        return { status: 'trap', error: message };
      } finally {
        this.#meter.end();
      }
    });
  }

  /** Drops every pollable and host resource of the actor. Idempotent. */
  stop(): void {
    if (this.#actor === null) return;
    this.#actor = null;
    this.#built.dispose();
  }
}

/**
 * The guest's err, or the trap it becomes when its message is over
 * MAX_STATE_BYTES; the glue lifting a message longer than a string can hold
 * (ERR_STRING_TOO_LONG, while init's result is lifted) is that trap too.
 */
function oversizedErr(error: unknown): unknown {
  if (isGuestErr(error)) {
    const bytes = Buffer.byteLength(String(error.payload));
    return bytes > MAX_STATE_BYTES ? tooLargeTrap('err', bytes) : error;
  }
  return (error as { code?: unknown } | null)?.code === 'ERR_STRING_TOO_LONG' ? tooLargeTrap('err', null) : error;
}

/** A trap of the guest's own making (a host limit, or a wasm trap), as opposed to a host or glue error. */
function isGuestTrap(error: unknown): boolean {
  return error instanceof Error && (error.message.startsWith('wasi trap:') || error.name === 'RuntimeError');
}

/** jco turns a guest's `err(e)` into a thrown ComponentError carrying `payload`. */
function isGuestErr(error: unknown): error is Error & { payload: unknown } {
  return error instanceof Error && error.constructor.name === 'ComponentError' && 'payload' in error;
}

/*
 * The message of a trap, for the actor's outcome. A WasiTrap and the guest's own
 * wasm traps (RuntimeError: unreachable, out of bounds…) pass as they are. Errors
 * that the jco glue throws for a guest's bad resource handle are named as the
 * trap they are; any other JS error is the host's, and its text (which may quote
 * host internals) stays out of the message: only its class is shown.
 */
export function trapMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message.startsWith('wasi trap:')) return error.message;
  if (error.name === 'ReplayDivergence') return error.message;
  if (error.name === 'RuntimeError') return `${error.name}: ${error.message}`;
  if (error instanceof TypeError && GLUE_HANDLE_ERRORS.has(error.message)) return 'wasi trap: pollable used after drop (an invalid resource handle)';
  if (error.name === 'StaleHandleError') return 'wasi trap: pollable used after drop';
  if (error instanceof RangeError && error.message === 'Maximum call stack size exceeded') return 'wasi trap: call stack exhausted';
  return `wasi trap: internal host error (${error.name})`;
}

/** What jco 1.11.2's resource tables throw for a handle the guest does not hold. */
const GLUE_HANDLE_ERRORS = new Set(['Invalid handle', 'Resource error: Invalid handle']);
