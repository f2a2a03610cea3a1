// A Theater actor in JavaScript, built by scripts/build-js-actors.ts with
// componentize-js. Its clocks and poll come from the host's timing handler;
// console.log and console.error reach the host as wasi:cli stdout and stderr.
//
// init(state): the state is UTF-8 text naming what to do:
//   none or "<ms>"   sleep that long (default 50 ms) with subscribe-duration + block,
//                    log one line, return "js-sleeper: slept <ns> ns (asked <ms> ms)"
//   "env:<NAME>"     return the variable's value from wasi:cli/environment
//                    (the host traps when the manifest grants no environment)
//   "open:<path>"    open the file under the first preopen with wasi:filesystem (a JS actor
//                    has no fs module: this is how it reads a file); the host traps
//   "random:<ms>"    draw 8 random bytes (crypto.getRandomValues), log them, sleep, draw 8
//                    more, log them, return "random <before> <after>" (the durable tests)
//   "flood:<n>"      log n lines of 100 bytes, then return "flooded <n>"
//   "escape"         log text full of control characters, return "escaped"
import { now, subscribeDuration } from 'wasi:clocks/monotonic-clock@0.2.3';
import { poll } from 'wasi:io/poll@0.2.3';
import { getEnvironment } from 'wasi:cli/environment@0.2.3';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.3';

const text = (bytes) => new TextDecoder().decode(bytes);
const encode = (s) => new TextEncoder().encode(s);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const drawRandom = () => hex(crypto.getRandomValues(new Uint8Array(8)));

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
    if (order.startsWith('open:')) {
      const path = order.slice(5);
      const preopens = getDirectories();
      if (preopens.length === 0) return [encode('no preopened directory')];
      const [root, name] = preopens[0];
      root.openAt({}, path, {}, { read: true });
      return [encode(`opened ${path} under ${name}`)];
    }
    if (order.startsWith('random:')) {
      const before = drawRandom();
      console.log(`random before ${before}`);
      sleep(Number(order.slice(7)));
      const after = drawRandom();
      console.log(`random after ${after}`);
      return [encode(`random ${before} ${after}`)];
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
