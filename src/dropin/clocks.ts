/*
 * `theater-handler-timing/wasi/clocks`: a `jco transpile --map` target shaped like
 * @bytecodealliance/preview2-shim/clocks, served by the process-wide defaultTiming:
 *
 *   jco transpile app.wasm -o out --map 'wasi:clocks/*=theater-handler-timing/wasi/clocks#*' ...
 *
 * jco's glue destructures these objects when it loads, so every function here is a
 * fixed forwarder to the default host's imports, built on the guest's first call
 * (see default-timing.ts).
 */
import type { Datetime } from '../clock/wall-clock.ts';
import type { JcoMonotonicClock, JcoWallClock } from '../wasi/jco-types.ts';
import type { Pollable } from '../wasi/poll.ts';
import { defaultTiming } from './default-timing.ts';

export const monotonicClock = {
  now: (): bigint => defaultTiming.imports['wasi:clocks/monotonic-clock'].now(),
  resolution: (): bigint => defaultTiming.imports['wasi:clocks/monotonic-clock'].resolution(),
  subscribeInstant: (when: bigint): Pollable => defaultTiming.imports['wasi:clocks/monotonic-clock'].subscribeInstant(when),
  subscribeDuration: (duration: bigint): Pollable => defaultTiming.imports['wasi:clocks/monotonic-clock'].subscribeDuration(duration),
} satisfies JcoMonotonicClock;

export const wallClock = {
  now: (): Datetime => defaultTiming.imports['wasi:clocks/wall-clock'].now(),
  resolution: (): Datetime => defaultTiming.imports['wasi:clocks/wall-clock'].resolution(),
} satisfies JcoWallClock;

export { defaultTiming };
