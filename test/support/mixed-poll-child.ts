// Child process for test/e2e/mixed-poll.test.ts: polls [our timer, preview2-shim's
// stdin pollable] (or the reverse order) once through the drop-in's poll and prints
// what came back, as JSON.
//   argv: <timer ms> <order: timer-first | stream-first> <mode: jspi | sync> <how: poll | block>
// The parent writes to our stdin when it chooses, after reading "polling".
// Without arguments (a test runner loading every file under test/) it does nothing.
import type { JcoPollable } from '../../src/wasi/jco-types.ts';

const [timerMs, order, mode, how] = process.argv.slice(2);
if (how !== undefined) {
  const { stdin } = await import('@bytecodealliance/preview2-shim/cli');
  const { defaultTiming } = await import('../../src/dropin/default-timing.ts');
  const { monotonicClock } = await import('../../src/dropin/clocks.ts');
  const { poll } = await import('../../src/dropin/io.ts');
  defaultTiming.configure({ mode: mode === 'sync' ? 'sync' : 'jspi' });
  const stream = stdin.getStdin();
  const theirs = stream.subscribe() as unknown as JcoPollable;
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  // t0 before the timer and before the parent hears "polling": both are measured from it.
  const t0 = performance.now();
  const timer = monotonicClock.subscribeDuration(BigInt(Math.round(Number(timerMs) * 1e6)));
  const list = order === 'stream-first' ? [theirs, timer] : [timer, theirs];
  process.stdout.write('polling\n');
  let ready: number[] = [];
  if (how === 'block') {
    // As jco's glue does: the resource check first (it adopts the foreign pollable), then block() on it.
    if (!(theirs instanceof poll.Pollable)) throw new Error('not accepted as a Pollable');
    await theirs.block();
  } else {
    ready = Array.from(await poll.poll(list));
  }
  const ms = performance.now() - t0;
  clearInterval(interval);
  const bytes = stream.read(100n).length;
  process.stdout.write(`${JSON.stringify({ ready, ms, ticks, bytes, timerReady: timer.ready() })}\n`);
  process.exit(0);
}
