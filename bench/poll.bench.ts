// poll over 1 000 pollables: 999 far in the future (1 hour) and one that
// becomes ready after 1 ms (op 6), or is ready already (op 7). The guest times
// its own poll call; subtracting the 1 ms wait leaves the host's cost of
// scanning, waiting and waking. Same component and process for every peer.
import { Bench } from 'tinybench';
import { clocks, io } from '@bytecodealliance/preview2-shim';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { DEFAULT_ASYNC_EXPORTS, type TranspiledComponent } from '../src/component/transpile.ts';
import { naiveImports } from './peers/naive-host.ts';
import { actorComponent } from './support.ts';

export { run };

const COUNT = 1_000;
const noop = { 'bench:noop/noop': { noop() {} } };
type BenchExport = { run(op: number, n: number): bigint | Promise<bigint> };

function instantiate(component: TranspiledComponent, imports: Record<string, object>): BenchExport {
  return component.instantiateSync<{ 'bench:actor/bench': BenchExport }>({ ...imports, ...noop })['bench:actor/bench'];
}

async function medianUs(exp: BenchExport, op: number): Promise<{ hostUs: number; guestUs: number }> {
  const guest: number[] = [];
  const bench = new Bench({ time: 400, warmupTime: 100, iterations: 20 });
  bench.add(`op ${op}`, async () => { guest.push(Number(await exp.run(op, COUNT)) / 1000); });
  const [task] = await bench.run();
  if (!('latency' in task.result)) throw new Error(`${task.name}: ${task.result.state}`);
  guest.sort((a, b) => a - b);
  return { hostUs: task.result.latency.p50 * 1000, guestUs: guest[Math.floor(guest.length / 2)] };
}

async function run(): Promise<string> {
  const jspi = await actorComponent('bench', 'jspi', [...DEFAULT_ASYNC_EXPORTS, 'bench:actor/bench#run']);
  const sync = await actorComponent('bench', 'sync');
  const open = { max_sleep_duration: 3_600_000, min_sleep_duration: 0 };
  const peers: Array<[string, BenchExport]> = [
    ['ours (JSPI)', instantiate(jspi, new TimingHandler(open, null, { mode: 'jspi' }).instantiate({ actorId: 'poll', events: null }).imports)],
    ['ours, sync fallback', instantiate(sync, new TimingHandler(open, null, { mode: 'sync' }).instantiate({ actorId: 'poll-sync', events: null }).imports)],
    ['preview2-shim (sync)', instantiate(sync, { 'wasi:clocks/monotonic-clock': clocks.monotonicClock, 'wasi:io/poll': io.poll })],
    ['naive host', instantiate(jspi, naiveImports())],
  ];
  const lines = [
    `### poll over ${COUNT.toLocaleString('en-US')} pollables`,
    '',
    `Guest-timed \`poll\` call (µs, median). "becomes ready": 999 one-hour timers and one 1 ms timer, so the call waits ~1 ms; `
      + '"ready already": the last one is ready before the call, so it is a pure scan. The whole export call (subscribe 1 000, poll, drop 1 000) is in the last column.',
    '',
    '| peer | becomes ready: poll µs | over the 1 ms wait | ready already: poll µs | export call µs (ready already) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, exp] of peers) {
    const waits = await medianUs(exp, 6);
    const scan = await medianUs(exp, 7);
    lines.push(`| ${name} | ${waits.guestUs.toFixed(0)} | ${(waits.guestUs - 1000).toFixed(0)} | ${scan.guestUs.toFixed(1)} | ${scan.hostUs.toFixed(0)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

if (import.meta.main) console.log(await run());
