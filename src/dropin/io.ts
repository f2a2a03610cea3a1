/*
 * `theater-handler-timing/wasi/io`: a `jco transpile --map` target for wasi:io/poll,
 * shaped like @bytecodealliance/preview2-shim/io's `poll`, served by the
 * process-wide defaultTiming:
 *
 *   jco transpile app.wasm -o out --map 'wasi:io/poll=theater-handler-timing/wasi/io#poll' ...
 *
 * Only poll: wasi:io/streams and wasi:io/error stay with preview2-shim (jco maps
 * them there by default), so this package carries no copy of preview2-shim and no
 * second stream implementation. Their pollables (a stream's subscribe()) are
 * accepted here and polled together with our timers (see ../wasi/foreign.ts):
 *
 *  - the glue accepts a resource with `instanceof Pollable`: ours accepts a foreign
 *    pollable too, and adopts it: its block() becomes poll([it]) through us, so a
 *    guest blocking on a stream suspends instead of blocking the thread;
 *  - preview2-shim's pollables are checked through preview2-shim's own poll (found
 *    next to this package when a first foreign pollable shows up, see foreign.ts).
 */
import type { JcoPoll, JcoPollable } from '../wasi/jco-types.ts';
import { isForeignPollable, isOwnPollable, Pollable as OwnPollable } from '../wasi/poll.ts';
import { defaultTiming } from './default-timing.ts';

const ADOPTED = Symbol('theater-handler-timing.adopted');

/** Our Pollable, as the glue sees it: also adopts the foreign pollables it is shown. */
class Pollable extends OwnPollable {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (isOwnPollable(value)) return true;
    if (!isForeignPollable(value)) return false;
    adopt(value);
    return true;
  }
}

/** A foreign pollable's block() becomes a poll of it through the default host (never blocks the thread). */
function adopt(value: object): void {
  if (Object.hasOwn(value, ADOPTED)) return;
  Object.defineProperty(value, ADOPTED, { value: true });
  Object.defineProperty(value, 'block', {
    configurable: true,
    writable: true,
    value(this: JcoPollable): Promise<Uint32Array> | undefined {
      const waited = poll.poll([this]);
      return waited instanceof Promise ? waited : undefined;
    },
  });
}

export const poll = {
  Pollable,
  poll: (list: JcoPollable[]): Uint32Array | Promise<Uint32Array> => defaultTiming.imports['wasi:io/poll'].poll(list),
} satisfies JcoPoll;

export { defaultTiming };
