// Mixed-poll cost and lateness (docs/JCO.md quotes it). Run with stdin on a FIFO nobody writes to,
// so preview2-shim's stdin stream stays unready:
//   mkfifo /tmp/f; exec 7<>/tmp/f; node bench/mixed-poll.ts <&7
import { TimingRuntime } from '../src/timing/timing-runtime.ts';
import { TimingHost } from '../src/wasi/host.ts';
import { timingImports } from '../src/wasi/imports.ts';
import type { Pollable } from '../src/wasi/poll.ts';
import { stdin } from '@bytecodealliance/preview2-shim/cli';
import * as shimIo from '@bytecodealliance/preview2-shim/io';
import * as shimClocks from '@bytecodealliance/preview2-shim/clocks';
import { preview2ShimPoller } from '../src/wasi/foreign.ts';

const host = new TimingHost({ runtime: new TimingRuntime(), mode: 'jspi' });
const { 'wasi:io/poll': io, 'wasi:clocks/monotonic-clock': mono } = timingImports(host);
// (a) lateness with a JS foreign pollable ready at a known instant
const late: number[] = [];
let checks = 0;
for (let i = 0; i < 40; i++) {
  const readyAt = performance.now() + 10 + Math.random() * 5;
  const theirs = { ready: () => (checks++, performance.now() >= readyAt), block() {} };
  const timer = mono.subscribeDuration(1_000_000_000n);
  await io.poll([timer, theirs as unknown as Pollable]);
  late.push(performance.now() - readyAt);
  timer[Symbol.dispose]();
}
late.sort((a, b) => a - b);
console.log(`JS foreign: lateness p50 ${late[20].toFixed(2)} ms, p90 ${late[36].toFixed(2)}, max ${late[39].toFixed(2)}; checks per ms of wait ${(checks / 40 / 12.5).toFixed(2)}`);
// (b) CPU per check while waiting on a never-ready JS foreign pollable for 1 s
{
  let n = 0;
  const theirs = { ready: () => (n++, false), block() {} };
  const timer = mono.subscribeDuration(1_000_000_000n);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await io.poll([timer, theirs as unknown as Pollable]);
  const cpu = process.cpuUsage(c0); const wall = performance.now() - t0;
  console.log(`JS foreign, 1 s wait: ${n} checks, CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (${((cpu.user + cpu.system) / n).toFixed(1)} µs per check incl. timer), wall ${wall.toFixed(0)} ms`);
}
// (c) preview2-shim stdin pollable, checked through its poll, 1 s wait
{
  const s = stdin.getStdin();
  const theirs = s.subscribe();
  const poller = preview2ShimPoller({ poll: shimIo.poll as never, monotonicClock: shimClocks.monotonicClock });
  const out: number[] = [];
  poller.readyNow([theirs], out); // first check: their stale ready() is corrected
  const t = performance.now();
  for (let i = 0; i < 200; i++) poller.readyNow([theirs], out);
  console.log(`preview2-shim check (one poll round trip to its worker): ${((performance.now() - t) * 1000 / 200).toFixed(1)} µs each, ready=${out.length}`);
  const t2 = performance.now();
  for (let i = 0; i < 200; i++) (theirs as { ready(): boolean }).ready();
  console.log(`preview2-shim ready() alone: ${((performance.now() - t2) * 1000 / 200).toFixed(1)} µs each`);
  const timer = mono.subscribeDuration(1_000_000_000n);
  let ticks = 0; const iv = setInterval(() => ticks++, 1);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await io.poll([timer, theirs as unknown as Pollable]);
  clearInterval(iv);
  const cpu = process.cpuUsage(c0);
  console.log(`preview2-shim stdin, 1 s mixed wait: CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms, wall ${(performance.now() - t0).toFixed(0)} ms, 1 ms interval ticks ${ticks}`);
}
{
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await io.poll([mono.subscribeDuration(1_000_000_000n)]);
  const cpu = process.cpuUsage(c0);
  console.log(`idle 1 s (our timer only, preview2-shim loaded): CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms, wall ${(performance.now() - t0).toFixed(0)} ms`);
}
process.exit(0);
