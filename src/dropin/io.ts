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
 * accepted by our Pollable and poll (see ../wasi/poll.ts, foreign pollables).
 */
import type { JcoPoll, JcoPollable } from '../wasi/jco-types.ts';
import { Pollable } from '../wasi/poll.ts';
import { defaultTiming } from './default-timing.ts';

export const poll = {
  Pollable,
  poll: (list: JcoPollable[]): Uint32Array | Promise<Uint32Array> => defaultTiming.imports['wasi:io/poll'].poll(list),
} satisfies JcoPoll;

export { defaultTiming };
