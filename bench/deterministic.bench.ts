// Deterministic time (issue 11): what virtual time and replay cost.
//
//   virtual fleet   10 000 hours-sleeper actors, 3 virtual hours each, through
//                   runFleet with clock 'virtual': wall time and virtual wake-ups/s
//   replay          a recorded wasi-clocks-test chain replayed through the actor
//                   (spawn + init + matching), and the session's matching alone
//   per call        the bench actor's now() and now+subscribe+block+drop loops on
//                   a real and a virtual runtime, recording off
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { EventRecorder } from '../src/events/recorder.ts';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { loadManifest } from '../src/manifest/manifest.ts';
import { parseRecording } from '../src/replay/load.ts';
import { rewound } from '../src/replay/recorded.ts';
import { ReplayHandler } from '../src/replay/replay-handler.ts';
import { ReplaySession } from '../src/replay/session.ts';
import { Actor } from '../src/runtime/actor.ts';
import { prepareComponent, runFleet } from '../src/runtime/fleet.ts';
import { DEFAULT_ASYNC_EXPORTS } from '../src/component/transpile.ts';
import { TimingRuntime } from '../src/timing/timing-runtime.ts';
import { virtualRuntime } from '../src/timing/virtual.ts';
import { buildChain, chainEnd, formatChainJsonl } from '../src/events/chain.ts';
import { actorComponent } from './support.ts';

export { run };

const ACTORS = join(import.meta.dirname, '..', 'test-actors');
const FLEET_N = 10_000;
const REPLAYS = 300;

async function virtualFleet(): Promise<string> {
  const manifest = loadManifest(join(ACTORS, 'hours-sleeper', 'manifest.toml'));
  await runFleet(manifest, { clock: 'virtual', instances: 200, record: false, cacheDir: false }); // warm-up
  const rows: string[] = [];
  for (const maxLive of [undefined, FLEET_N]) {
    globalThis.gc?.();
    const started = performance.now();
    const fleet = await runFleet(manifest, { clock: 'virtual', instances: FLEET_N, maxLive, record: false, cacheDir: false });
    const wallMs = performance.now() - started;
    if (fleet.ok !== FLEET_N) throw new Error(`virtual fleet: ${fleet.ok} of ${FLEET_N} ok`);
    const rate = FLEET_N / (fleet.runMs / 1000);
    rows.push(`| ${FLEET_N.toLocaleString('en-US')} × 3 h, maxLive ${fleet.maxLive.toLocaleString('en-US')}${maxLive === undefined ? ' (default)' : ''} | ${wallMs.toFixed(0)} | ${fleet.spawnMs.toFixed(0)} | ${fleet.runMs.toFixed(0)} | ${Math.round(rate).toLocaleString('en-US')} |`);
  }
  return [
    '### Virtual time: a fleet of three-hour sleepers',
    '',
    '`runFleet(hours-sleeper, { clock: "virtual", instances: 10 000 })`, recording off: each actor sleeps 3 virtual hours. Wall = the whole call (transpile cached); '
      + 'wake-ups/s = actors woken per second of the run phase. With the default cap the second wave starts after the first wakes, so virtual time ends at 6 h.',
    '',
    '| fleet | wall ms | spawn ms | run ms | virtual wake-ups/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

async function replaySpeed(): Promise<string> {
  const manifest = loadManifest(join(ACTORS, 'wasi-clocks-test', 'manifest.toml'));
  const component = await prepareComponent(manifest, 'jspi', false);
  const spec = manifest.handlers.find((h) => h.type === 'timing');
  if (spec === undefined) throw new Error('wasi-clocks-test: its manifest has no timing handler');
  const recordRegistry = new HandlerRegistry();
  recordRegistry.register(new TimingHandler(spec.config, null, { mode: 'jspi' }));
  const recorded = Actor.spawn(component, recordRegistry, { id: 'rec' });
  await recorded.init();
  recorded.stop();
  const text = formatChainJsonl(buildChain([...recorded.events!.events, chainEnd(recorded.events!.events, 'ok')]));
  const recording = parseRecording(text);
  const events = recording.entries.length;
  const limits = new TimingHandler(spec.config).limits;
  const replayOnce = async (): Promise<void> => {
    const registry = new HandlerRegistry();
    registry.register(new ReplayHandler(new ReplaySession(rewound(recording), limits)));
    const actor = Actor.spawn(component, registry, { id: 'replay', record: false });
    const outcome = await actor.init();
    actor.stop();
    if (outcome.status !== 'ok') throw new Error(`replay: ${JSON.stringify(outcome)}`);
  };
  for (let i = 0; i < 50; i++) await replayOnce();
  let started = performance.now();
  for (let i = 0; i < REPLAYS; i++) await replayOnce();
  const fullMs = (performance.now() - started) / REPLAYS;
  // Matching alone: the same calls fed to a session, no guest.
  const calls = recording.entries.filter((e) => e.kind === 'call');
  const keyOf = (iface: string): string => iface.slice(0, iface.lastIndexOf('@'));
  const matchOnce = (): void => {
    const session = new ReplaySession(rewound(recording), limits);
    const sink = new EventRecorder();
    session.attach(sink);
    for (const type of ['HandlerSetupStart', 'HandlerSetupSuccess', 'LinkerInstanceSuccess'] as const) session.host({ type });
    for (const entry of calls) {
      session.call(keyOf(entry.interface), entry.function, entry.input);
      if (entry.function === 'subscribe-duration') session.clamp(entry.input[0] as bigint);
      else if (entry.function === 'subscribe-instant') session.clamp(null);
    }
  };
  const parseMs = timeMs(() => parseRecording(text), 200);
  const matchMs = timeMs(matchOnce, 2000);
  const rate = (ms: number): string => Math.round(events / (ms / 1000)).toLocaleString('en-US');
  return [
    '### Replay speed',
    '',
    `The seed's test actor (wasi-clocks-test) recorded once (${events} events), then replayed ${REPLAYS} times in process, recording off.`,
    '',
    '| replay | per replay | events/s |',
    '| --- | ---: | ---: |',
    `| whole replay: spawn, init, every call served and matched | ${(fullMs * 1000).toFixed(0)} µs | ${rate(fullMs)} |`,
    `| matching alone (session fed the recorded calls, no guest) | ${(matchMs * 1000).toFixed(1)} µs | ${rate(matchMs)} |`,
    `| reading the chain (parse, hash check, model) | ${(parseMs * 1000).toFixed(0)} µs | ${rate(parseMs)} |`,
    '',
  ].join('\n');
}

function timeMs(fn: () => void, times: number): number {
  for (let i = 0; i < times / 10; i++) fn();
  const started = performance.now();
  for (let i = 0; i < times; i++) fn();
  return (performance.now() - started) / times;
}

async function perCall(): Promise<string> {
  const jspi = await actorComponent('bench', 'jspi', [...DEFAULT_ASYNC_EXPORTS, 'bench:actor/bench#run']);
  const open = { max_sleep_duration: 3_600_000, min_sleep_duration: 0 };
  const noop = { 'bench:noop/noop': { noop() {} } };
  type Run = (op: number, n: number) => bigint | Promise<bigint>;
  const make = (runtime: TimingRuntime): Run => {
    const { imports } = new TimingHandler(open, null, { mode: 'jspi', runtime }).instantiate({ actorId: 'bench', events: null });
    return jspi.instantiateSync<{ 'bench:actor/bench': { run: Run } }>({ ...imports, ...noop })['bench:actor/bench'].run;
  };
  const configs = [{ name: 'real clock', run: make(new TimingRuntime()) }, { name: 'virtual clock', run: make(virtualRuntime()) }];
  const ops = [{ op: 1, name: '`monotonic-clock.now`', n: 20_000 }, { op: 5, name: 'now + subscribe(0) + block + drop', n: 5_000 }];
  const cells = new Map<string, number[]>();
  for (let round = 0; round < 5; round++) {
    for (const config of configs) {
      for (const { op, n } of ops) {
        const bench = new Bench({ time: 50, warmupTime: 20, iterations: 5 });
        bench.add('x', async () => { await config.run(op, n); });
        const [task] = await bench.run();
        if (!('latency' in task.result)) throw new Error(`${config.name}: ${task.result.state}`);
        const key = `${config.name}/${op}`;
        cells.set(key, [...(cells.get(key) ?? []), (task.result.latency.p50 * 1e6) / n]);
      }
    }
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return [
    '### Per-call cost on a real and a virtual runtime',
    '',
    'ns per guest call, recording off, the bench actor looping one op (median of 5 interleaved rounds). The real column is the "ours, recording off" '
      + 'configuration of "Per-call overhead" (same actor, same op), so the two tables agree when measured in one run.',
    '',
    `| call | ${configs.map((c) => c.name).join(' | ')} |`,
    `| --- | ${configs.map(() => '---:').join(' | ')} |`,
    ...ops.map(({ op, name }) => `| ${name} | ${configs.map((c) => median(cells.get(`${c.name}/${op}`)!).toFixed(0)).join(' | ')} |`),
    '',
  ].join('\n');
}

async function run(): Promise<string> {
  return [await virtualFleet(), await replaySpeed(), await perCall()].join('\n');
}

if (import.meta.main) console.log(await run());
