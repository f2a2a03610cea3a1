// A Theater actor in JavaScript, built by scripts/build-js-actors.ts with
// componentize-js. Its clocks and poll come from the host's timing handler;
// console.log and console.error reach the host as wasi:cli stdout and stderr.
//
// init(state): the state is UTF-8 text naming what to do:
//   none or "<ms>"   sleep that long (default 50 ms) with subscribe-duration + block,
//                    log one line, return "js-sleeper: slept <ns> ns (asked <ms> ms)"
//   "env:<NAME>"     return the variable's value from wasi:cli/environment
//                    (the host traps when the manifest grants no environment)
//   "flood:<n>"      log n lines of 100 bytes, then return "flooded <n>"
//   "escape"         log text full of control characters, return "escaped"
import { now, subscribeDuration } from 'wasi:clocks/monotonic-clock@0.2.3';
import { poll } from 'wasi:io/poll@0.2.3';
import { getEnvironment } from 'wasi:cli/environment@0.2.3';

const text = (bytes) => new TextDecoder().decode(bytes);
const encode = (s) => new TextEncoder().encode(s);

function sleep(ms) {
  const before = now();
  const pollable = subscribeDuration(BigInt(ms) * 1_000_000n);
  if (ms % 2 === 0) pollable.block();
  else poll([pollable]);
  return now() - before;
}

export const actor = {
  init(state) {
    const order = state === undefined ? '' : text(state);
    if (order.startsWith('env:')) {
      const name = order.slice(4);
      const found = getEnvironment().find(([key]) => key === name);
      return [encode(found === undefined ? `${name} is not set` : `${name}=${found[1]}`)];
    }
    if (order.startsWith('flood:')) {
      const n = Number(order.slice(6));
      for (let i = 0; i < n; i++) console.log(`flood line ${String(i).padStart(6, '0')} `.padEnd(99, '.'));
      return [encode(`flooded ${n}`)];
    }
    if (order === 'escape') {
      console.log('red \x1b[31malert\x1b[0m bell \x07 and a fake line:\rtheater-timing: forged');
      console.error('to stderr \u202e reversed');
      return [encode('escaped')];
    }
    const ms = order === '' ? 50 : Number(order);
    if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`js-sleeper: bad state ${JSON.stringify(order)}`);
    const slept = sleep(ms);
    console.log(`js-sleeper slept ${slept} ns (asked ${ms} ms)`);
    return [encode(`js-sleeper: slept ${slept} ns (asked ${ms} ms)`)];
  },
};
