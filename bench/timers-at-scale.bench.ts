// 100 000 pending timers with random deadlines over 2.5 s, all filed up front,
// then left to fire: lateness of each expiry against its exact requested
// deadline (ns, from a fresh hrtime read in the expiry callback), and the CPU
// time of the whole phase. Ours: the Scheduler (one wheel, one setTimeout).
// Peer: one setTimeout per timer.
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { hrtimeClock, nodeTimer } from '../src/clock/clock.ts';
import { TimeSource } from '../src/clock/time-source.ts';
import { CountingTimer } from '../test/support/fake-time.ts';
import { makeRandom } from './harness.ts';
import { percentile, target } from './support.ts';

export { run };

const COUNT = 100_000;
const SPREAD_MS = 2_500;
/** Filing 100 000 timers takes tens of ms: deadlines start after it, so lateness is the firing, not the filing. */
const FIRST_MS = 250n;

interface Result { latenessMs: number[]; cpuMs: number; wallMs: number; maxArmed: number; arms: number }

function deadlinesFrom(startNs: bigint): bigint[] {
  const random = makeRandom(9);
  return Array.from({ length: COUNT }, () => startNs + FIRST_MS * 1_000_000n + BigInt(Math.floor(random() * SPREAD_MS * 1e6)));
}

function ours(): Promise<Result> {
  const time = new TimeSource(hrtimeClock);
  const timer = new CountingTimer(nodeTimer());
  // Late-bound: the expiry sink is fixed at construction, and it reads the scheduler.
  let onExpire: (i: number) => void = () => {};
  const scheduler = new Scheduler({ time, timer, capacity: COUNT, onExpire: (i) => onExpire(i) });
  const start = process.hrtime.bigint();
  const deadlines = deadlinesFrom(start);
  const lateness = new Float64Array(COUNT);
  let fired = 0;
  let maxArmed = 0;
  const cpu = process.cpuUsage();
  return new Promise((resolve) => {
    onExpire = (i) => {
      lateness[i] = Number(process.hrtime.bigint() - deadlines[i]) / 1e6;
      maxArmed = Math.max(maxArmed, timer.armed);
      if (++fired === COUNT) {
        scheduler.release();
        const used = process.cpuUsage(cpu);
        resolve({ latenessMs: Array.from(lateness), cpuMs: (used.user + used.system) / 1000, wallMs: Number(process.hrtime.bigint() - start) / 1e6, maxArmed, arms: timer.arms });
      }
    };
    scheduler.retain();
    for (let i = 0; i < COUNT; i++) scheduler.schedule(time.deadlineToTick(deadlines[i]), i);
    maxArmed = Math.max(maxArmed, timer.armed);
  });
}

function perTimer(): Promise<Result> {
  const start = process.hrtime.bigint();
  const deadlines = deadlinesFrom(start);
  const lateness = new Float64Array(COUNT);
  let fired = 0;
  const cpu = process.cpuUsage();
  return new Promise((resolve) => {
    for (let i = 0; i < COUNT; i++) {
      const fire = (): void => {
        const now = process.hrtime.bigint();
        if (now < deadlines[i]) { setTimeout(fire, Math.ceil(Number(deadlines[i] - now) / 1e6)); return; } // never early
        lateness[i] = Number(now - deadlines[i]) / 1e6;
        if (++fired === COUNT) {
          const used = process.cpuUsage(cpu);
          resolve({ latenessMs: Array.from(lateness), cpuMs: (used.user + used.system) / 1000, wallMs: Number(process.hrtime.bigint() - start) / 1e6, maxArmed: COUNT, arms: COUNT });
        }
      };
      setTimeout(fire, Math.ceil(Number(deadlines[i] - start) / 1e6));
    }
  });
}

function row(name: string, r: Result): string {
  const late = [...r.latenessMs].sort((a, b) => a - b);
  return `| ${name} | ${late[0].toFixed(3)} | ${percentile(late, 50).toFixed(3)} | ${percentile(late, 99).toFixed(3)} | ${(late.at(-1) as number).toFixed(3)} | ${r.cpuMs.toFixed(0)} | ${r.wallMs.toFixed(0)} | ${r.maxArmed.toLocaleString('en-US')} |`;
}

async function run(): Promise<string> {
  globalThis.gc?.();
  const a = await ours();
  globalThis.gc?.();
  const b = await perTimer();
  return [
    `### Timers at scale: ${COUNT.toLocaleString('en-US')} pending, deadlines spread over ${SPREAD_MS / 1000} s, starting ${FIRST_MS} ms after filing began`,
    '',
    'Lateness (ms) of each expiry against its exact requested deadline; min < 0 would be early. CPU = user + system for the whole phase.',
    '',
    '| peer | min | p50 | p99 | max | CPU ms | wall ms | native timers armed at once |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('ours: wheel + one setTimeout', a),
    row('setTimeout per timer', b),
    '',
    '| target | measured | verdict |',
    '| --- | ---: | --- |',
    target('scale-early', 'never early: 100 000 timers over 2.5 s', `min lateness ${a.latenessMs.reduce((m, x) => Math.min(m, x), Infinity).toFixed(3)} ms`, a.latenessMs.every((ms) => ms >= 0)),
    target('scale-armed', 'host timers armed at once = 1: 100 000 timers', `${a.maxArmed} (armed ${a.arms.toLocaleString('en-US')}× in all)`, a.maxArmed <= 1),
    '',
  ].join('\n');
}

if (import.meta.main) console.log(await run());
