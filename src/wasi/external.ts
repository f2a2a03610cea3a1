// Pollables from other sources: how a stream or socket handler gives the guest a
// pollable that `poll` and `block` wait on together with timers.
//
//   const source = externalPollable(host);   // host: the actor's TimingHost
//   return source.pollable;                  // from your import, e.g. subscribe()
//   ...later, when data arrives...
//   source.setReady();                       // wakes the actor if it waits on it
//
// The guest owns the pollable: when it drops it, the entry is freed and
// setReady() returns false from then on (the source should stop). Readiness is
// one bit in the same ready bitset timers use, so `poll` scans both alike.
// In sync mode nothing can run while the thread sleeps, so a poll whose list
// holds only external pollables, none ready, traps instead of hanging.
import type { TimingHost } from './host.ts';
import { Pollable } from './poll.ts';

export interface PollableSource {
  /** The resource to hand to the guest. */
  readonly pollable: Pollable;
  /** False once the guest has dropped the pollable (or its actor stopped). */
  readonly live: boolean;
  /** Sets readiness (default ready); returns false, doing nothing, when no longer live. */
  setReady(ready?: boolean): boolean;
}

/** A pollable of `host`'s actor that the caller makes ready by hand. Counts against the actor's quota. */
export function externalPollable(host: TimingHost): PollableSource {
  const pollable = new Pollable(host, host.createExternal());
  return {
    pollable,
    get live() {
      return host.isLive(pollable.handle);
    },
    setReady(ready = true) {
      if (!host.isLive(pollable.handle)) return false;
      host.setReady(pollable.handle, ready);
      return true;
    },
  };
}
