// The shapes jco 1.11.2 expects for the three interfaces, taken from the
// declarations it generates (src/wasi/jco/, regenerated and drift-checked by
// scripts/gen-jco-types.ts). imports.ts checks its objects against these with
// `satisfies`.
//
// jco's declarations are those of a synchronous import. Under JSPI, `poll` and
// `pollable.block` are wrapped in WebAssembly.Suspending, which also accepts a
// Promise of the same result: `Suspending<F>` says exactly that.
import type * as MonotonicClock from './jco/wasi-clocks-monotonic-clock.js';
import type * as WallClock from './jco/wasi-clocks-wall-clock.js';
import type * as Poll from './jco/wasi-io-poll.js';

export type Suspending<F extends (...args: never[]) => unknown> = (...args: Parameters<F>) => ReturnType<F> | Promise<ReturnType<F>>;

export type JcoMonotonicClock = typeof MonotonicClock;
export type JcoWallClock = typeof WallClock;
export type JcoPollable = Poll.Pollable;
export interface JcoPoll {
  /**
   * jco declares the class with a private constructor: hosts construct their
   * own. The glue only tests `instanceof Pollable` and calls the prototype's
   * methods, so the contract is the prototype.
   */
  Pollable: { readonly prototype: Poll.Pollable };
  poll: Suspending<typeof Poll.poll>;
}
