/*
 * Foreign pollables: another host's pollables (preview2-shim's, from a stream's
 * subscribe()) in our poll's list. We never call their block() (it may block the
 * thread); a waiting poll asks whether they are ready, now and every ms.
 *
 * How to ask: by default each pollable's own ready() (WASI: never blocks). A host
 * whose ready() is not enough registers a ForeignPoller that answers for all of its
 * pollables in the list at once. preview2-shim needs one: its readable-stream
 * pollables answer ready() = true until preview2-shim's own poll or block has looked
 * at the stream, so ready() alone would wake a guest at once, forever (it reads 0
 * bytes and polls again). preview2ShimPoller asks preview2-shim's poll instead,
 * over the listed pollables plus one pollable of its own that is always ready, so
 * the call never blocks: one synchronous round trip to preview2-shim's worker per
 * check, however many of its pollables the list holds.
 */
import { createRequire } from 'node:module';
import type { ForeignPollable } from './host.ts';

export interface ForeignPoller {
  /** Whether `pollable` is one this poller answers for. */
  owns(pollable: object): boolean;
  /** Pushes onto `out` the positions in `pollables` that are ready now, ascending. Never blocks. */
  readyNow(pollables: readonly object[], out: number[]): void;
}

const pollers: ForeignPoller[] = [];
let resolver: ((pollable: object) => ForeignPoller | null) | null = (pollable) => findPreview2Shim(pollable);

/** Adds a poller (the latest registered is asked first); returns a function that removes it. */
export function registerForeignPoller(poller: ForeignPoller): () => void {
  pollers.unshift(poller);
  return () => {
    const at = pollers.indexOf(poller);
    if (at >= 0) pollers.splice(at, 1);
  };
}

/**
 * Consulted for a foreign pollable no registered poller owns; a poller it returns is
 * registered. The default is findPreview2Shim; null: none (ready() is asked).
 */
export function setForeignResolver(find: ((pollable: object) => ForeignPoller | null) | null): void {
  resolver = find;
}

function pollerFor(pollable: object): ForeignPoller | null {
  for (const poller of pollers) if (poller.owns(pollable)) return poller;
  const found = resolver?.(pollable) ?? null;
  if (found !== null) registerForeignPoller(found);
  return found;
}

/**
 * The readiness check for one poll call's foreign pollables, planned once per call:
 * `check(out)` pushes the positions (into `foreign`) that are ready now.
 */
export function foreignCheck(foreign: readonly ForeignPollable[]): (out: number[]) => void {
  const groups = new Map<ForeignPoller, { items: object[]; at: number[] }>();
  const plain: number[] = [];
  for (let j = 0; j < foreign.length; j++) {
    const poller = pollerFor(foreign[j]);
    if (poller === null) {
      plain.push(j);
      continue;
    }
    let group = groups.get(poller);
    if (group === undefined) groups.set(poller, group = { items: [], at: [] });
    group.items.push(foreign[j]);
    group.at.push(j);
  }
  const planned = [...groups.entries()];
  const found: number[] = [];
  return (out) => {
    for (const j of plain) if (foreign[j].ready()) out.push(j);
    for (const [poller, { items, at }] of planned) {
      found.length = 0;
      poller.readyNow(items, found);
      for (const i of found) out.push(at[i]);
    }
  };
}

/** The parts of preview2-shim a poller needs: its io module's `poll` and its clocks module's `monotonicClock`. */
export interface Preview2ShimModules {
  poll: { Pollable: abstract new (...args: never[]) => object; poll(list: object[]): Uint32Array };
  monotonicClock: { subscribeDuration(duration: bigint): object };
}

/** A ForeignPoller for preview2-shim's pollables (see the header). */
export function preview2ShimPoller(shim: Preview2ShimModules): ForeignPoller {
  const { Pollable } = shim.poll;
  let alwaysReady: object | null = null;
  return {
    owns: (pollable) => pollable instanceof Pollable,
    readyNow(pollables, out) {
      // A zero-duration timer of preview2-shim's is ready once made, and stays ready.
      alwaysReady ??= shim.monotonicClock.subscribeDuration(0n);
      const last = pollables.length;
      for (const i of shim.poll.poll([...pollables, alwaysReady])) if (i < last) out.push(i);
    },
  };
}

/** preview2-shim's poller, its modules loaded with `require`; null when they cannot be. */
export function preview2ShimFrom(require: (id: string) => unknown): ForeignPoller | null {
  try {
    const io = require('@bytecodealliance/preview2-shim/io') as Pick<Preview2ShimModules, 'poll'>;
    const clocks = require('@bytecodealliance/preview2-shim/clocks') as Pick<Preview2ShimModules, 'monotonicClock'>;
    return preview2ShimPoller({ poll: io.poll, monotonicClock: clocks.monotonicClock });
  } catch {
    return null;
  }
}

let shim: ForeignPoller | null | undefined;
/**
 * The default resolver: preview2-shim as installed beside this package (require
 * resolves it to the same instance the user's glue imports), looked up once, when the
 * first foreign pollable no poller owns shows up; its poller if it owns `pollable`.
 */
export function findPreview2Shim(pollable: object): ForeignPoller | null {
  if (shim === undefined) shim = preview2ShimFrom(createRequire(import.meta.url));
  return shim !== null && shim.owns(pollable) ? shim : null;
}
