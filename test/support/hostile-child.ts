// Child process for test/e2e/hostile-more.test.ts: twenty sleepers (5, 20, ...,
// 290 ms) in one runtime, beside `count` copies of one hostile actor started
// with one state (or none: the sleepers alone), and prints the sleepers' worst
// lateness and the hostile outcomes as JSON. A child of its own because the
// parent runs it with --liftoff-only (see the test).
//   argv: <actor> <count> <state hex>
// Without arguments (a test runner loading every file under test/) it does nothing.
import { join, resolve } from 'node:path';

const [actorName, count, stateHex] = process.argv.slice(2);
if (stateHex !== undefined) {
  const { HandlerRegistry } = await import('../../src/handler/registry.ts');
  const { TimingHandler } = await import('../../src/handler/timing-handler.ts');
  const { loadManifest } = await import('../../src/manifest/manifest.ts');
  const { Actor } = await import('../../src/runtime/actor.ts');
  const { prepareComponent } = await import('../../src/runtime/fleet.ts');
  const ROOT = resolve(import.meta.dirname, '..', '..');
  const prepare = (name: string) => prepareComponent(loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml')), 'jspi');
  const [sleeper, hostile] = [await prepare('sleeper'), await prepare(actorName)];
  const run = async (copies: number) => {
    const registry = new HandlerRegistry();
    registry.register(new TimingHandler({ min_sleep_duration: 0 }, null, { mode: 'jspi' }));
    const sleepers = Array.from({ length: 20 }, (_, i) => Actor.spawn(sleeper, registry, { id: `sleeper${i}`, record: false }));
    const slept = sleepers.map((s, i) => {
      const state = new Uint8Array(8);
      new DataView(state.buffer).setBigUint64(0, BigInt(5 + 15 * i) * 1_000_000n, true);
      return s.init(state);
    });
    await new Promise((done) => setImmediate(done)); // every sleeper waits
    const t0 = performance.now();
    const guests = Array.from({ length: copies }, (_, i) => Actor.spawn(hostile, registry, { id: `hostile${i}`, record: false }));
    const outcomes = await Promise.all(guests.map((g) => g.init(Buffer.from(stateHex, 'hex'))));
    const ms = performance.now() - t0;
    let late = 0;
    for (const outcome of await Promise.all(slept)) {
      if (outcome.status !== 'ok' || outcome.state === null) throw new Error(`a sleeper failed: ${JSON.stringify(outcome)}`);
      const view = new DataView(outcome.state.buffer, outcome.state.byteOffset);
      const [before, after, duration] = [0, 8, 16].map((at) => view.getBigUint64(at, true));
      late = Math.max(late, Number(after - before - duration) / 1e6);
    }
    for (const actor of [...sleepers, ...guests]) actor.stop();
    return { late, ms, statuses: outcomes.map((o) => o.status) };
  };
  await run(Number(count)); // warm-up: compile every function once
  const floor = (await run(0)).late;
  process.stdout.write(`${JSON.stringify({ floor, ...(await run(Number(count))) })}\n`);
}
