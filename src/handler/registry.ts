// Over 200 lines: mostly the Handler contract's types; resolution and building share the import plan.
// HandlerRegistry: which registered handler satisfies each component import,
// and the merged jco import object for one actor.
//
// Resolution: registration order is priority. Each import goes to the first
// handler whose `provides` list has a compatible interface (see
// interfaces.ts). From each instantiated handler only the keys it was chosen
// for are copied, so a handler may expose more interfaces than a component
// uses. Two imports that share a jco key (two versions of one interface) but
// resolve to different handlers are a conflict: jco has one slot per key.

import type { EventSink } from '../events/types.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import { Thread } from '../thread/thread.ts';
import { interfaceSatisfies, splitInterfaceName } from './interfaces.ts';
import { WASI_CLI_INTERFACES } from './wasi-handler.ts';

/** What a handler knows about the actor it serves. Kept minimal on purpose. */
export interface ActorContext {
  actorId: string;
  /** Where the handler records its events; null when recording is off. */
  events: EventSink | null;
  /** Meters the time the actor's calls spend running; a handler may set its budget. */
  meter?: RunMeter | null;
  /**
   * The WASI its component was built for, when known ('p2': 0.2.x, 'p3': 0.3.x).
   * A handler may skip building what such a component cannot import.
   */
  wasi?: 'p2' | 'p3';
}

export interface HandlerInstance {
  /** jco import objects keyed by interface name WITHOUT version, e.g. 'wasi:clocks/wall-clock'. */
  imports: Record<string, object>;
  /** Releases per-actor resources (pollables, timers). Must not throw on a second call. */
  dispose(): void;
}

export interface Handler {
  readonly name: string;
  /** Versioned interface names, e.g. 'wasi:clocks/wall-clock@0.2.3'. */
  readonly provides: readonly string[];
  /** The thread its waits run on (a timing handler's runtime's), when it has one. */
  readonly thread?: Thread;
  /**
   * Sets the actor's CPU budgets on its meter. Called for every actor, whether
   * or not its component imports anything this handler provides: a guest that
   * imports nothing still runs, and must still be metered.
   */
  configureMeter?(meter: RunMeter): void;
  instantiate(actor: ActorContext): HandlerInstance;
}

export interface SatisfiedImport {
  /** The component's import, as given (with its version). */
  import: string;
  /** The jco key, the import without its version. */
  key: string;
  handler: Handler;
}

export interface ImportResolution {
  satisfied: SatisfiedImport[];
  unsatisfied: string[];
}

export interface BuiltImports {
  imports: Record<string, object>;
  /** Names of the handlers instantiated, in registration order. */
  handlers: string[];
  unsatisfied: string[];
  /** Disposes every instance once, even when one throws; rethrows the first error. */
  dispose(): void;
}

export class RegistryError extends Error {
  readonly code = 'ERR_HANDLER_REGISTRY';
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

function disposeAll(instances: readonly HandlerInstance[]): void {
  let first: unknown = null;
  for (const instance of instances) {
    try {
      instance.dispose();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== null) throw first;
}

/** Which handler serves which import keys, for one list of component imports. */
interface ImportPlan {
  unsatisfied: string[];
  groups: Array<{ handler: Handler; keys: string[] }>;
}

export class HandlerRegistry {
  #handlers: Handler[] = [];
  // A fleet builds imports for the same import list thousands of times: the
  // resolution is computed once per list (keyed by the array, which a
  // transpiled component keeps) and dropped whenever a handler is registered.
  #plans = new WeakMap<readonly string[], ImportPlan>();
  #thread: Thread | null;

  /** `thread`: what the actors share of the thread; default: the first registered handler's, else one of the registry's own. */
  constructor(options: { thread?: Thread } = {}) {
    this.#thread = options.thread ?? null;
  }

  /** The thread the actors built from this registry run on: one slice and admission for all of them. */
  get thread(): Thread {
    this.#thread ??= this.#handlers.find((h) => h.thread !== undefined)?.thread ?? new Thread();
    return this.#thread;
  }

  register(handler: Handler): void {
    if (this.#handlers.some((h) => h.name === handler.name)) {
      throw new RegistryError(`handler "${handler.name}" is already registered`);
    }
    this.#handlers.push(handler);
    this.#plans = new WeakMap();
  }

  handlers(): readonly Handler[] {
    return this.#handlers;
  }

  satisfiedImports(componentImports: readonly string[]): ImportResolution {
    const satisfied: SatisfiedImport[] = [];
    const unsatisfied: string[] = [];
    for (const name of componentImports) {
      const handler = this.#handlers.find((h) => h.provides.some((p) => interfaceSatisfies(name, p)));
      if (handler === undefined) unsatisfied.push(name);
      else satisfied.push({ import: name, key: splitInterfaceName(name).key, handler });
    }
    return { satisfied, unsatisfied };
  }

  /**
   * Instantiates the handlers the imports need and merges their import objects.
   * Unsatisfied imports throw unless `allowUnsatisfied`; then they are returned
   * for the caller to fill (e.g. from preview2-shim).
   */
  buildImports(componentImports: readonly string[], actor: ActorContext, options: { allowUnsatisfied?: boolean } = {}): BuiltImports {
    let plan = this.#plans.get(componentImports);
    if (plan === undefined) {
      plan = this.#plan(componentImports);
      this.#plans.set(componentImports, plan);
    }
    const { unsatisfied, groups } = plan;
    if (unsatisfied.length > 0 && options.allowUnsatisfied !== true) {
      const wasi = unsatisfied.some((name) => WASI_CLI_INTERFACES.some((p) => interfaceSatisfies(name, p)))
        && !this.#handlers.some((h) => h.name === 'wasi') ? '; the wasi:cli, io, random, filesystem and sockets imports are served by [[handler]] type = "wasi"' : '';
      throw new RegistryError(`no registered handler provides ${unsatisfied.join(', ')} (registered: ${this.#describe()})${wasi}`);
    }
    const instances: HandlerInstance[] = [];
    const names: string[] = [];
    const imports: Record<string, object> = {};
    const meter = actor.meter ?? null;
    if (meter !== null) for (const handler of this.#handlers) handler.configureMeter?.(meter);
    try {
      for (const { handler, keys } of groups) {
        const instance = handler.instantiate(actor);
        instances.push(instance);
        names.push(handler.name);
        for (const key of keys) {
          const value = instance.imports[key];
          if (value === undefined) {
            throw new RegistryError(`handler "${handler.name}" declares ${key} but its instance does not provide it`);
          }
          imports[key] = value;
        }
      }
    } catch (error) {
      try {
        disposeAll(instances);
      } catch {
        // The instantiation error is the one worth reporting.
      }
      throw error;
    }
    let disposed = false;
    const dispose = (): void => {
      if (disposed) return;
      disposed = true;
      disposeAll(instances);
    };
    return { imports, handlers: names, unsatisfied: [...unsatisfied], dispose };
  }

  /** Resolves the imports once; a key claimed by two handlers throws here (and again on every call, uncached). */
  #plan(componentImports: readonly string[]): ImportPlan {
    const { satisfied, unsatisfied } = this.satisfiedImports(componentImports);
    const owner = new Map<string, SatisfiedImport>();
    for (const entry of satisfied) {
      const previous = owner.get(entry.key);
      if (previous !== undefined && previous.handler !== entry.handler) {
        throw new RegistryError(
          `import key "${entry.key}" is claimed by handler "${previous.handler.name}" (for ${previous.import}) and "${entry.handler.name}" (for ${entry.import})`,
        );
      }
      owner.set(entry.key, entry);
    }
    const groups = this.#handlers
      .map((handler) => ({ handler, keys: [...owner.values()].filter((e) => e.handler === handler).map((e) => e.key) }))
      .filter((g) => g.keys.length > 0);
    return { unsatisfied, groups };
  }

  #describe(): string {
    return this.#handlers.map((h) => `${h.name} [${h.provides.join(', ')}]`).join('; ') || 'none';
  }
}
