// A pollable from another source, triggered by hand, waited on together with
// timers: the documented interface of src/wasi/external.ts, used the way a
// stream handler would use it through the registry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandlerRegistry, type ActorContext, type Handler } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { externalPollable, type PollableSource } from '../../src/wasi/external.ts';
import type { TimingImports } from '../../src/wasi/imports.ts';
import type { Pollable } from '../../src/wasi/poll.ts';
import { fakeRuntime } from '../support/fake-time.ts';

const MS = 1_000_000n;

/** A toy stream handler: its subscribe() returns a pollable the test makes ready by hand. */
function streamHandler(timing: TimingHandler, sources: PollableSource[]): Handler {
  return {
    name: 'stream',
    provides: ['test:stream/events@0.1.0'],
    instantiate(actor: ActorContext) {
      const host = timing.hostFor(actor.actorId);
      if (host === undefined) throw new Error('timing must be registered first');
      return {
        imports: {
          'test:stream/events': {
            subscribe(): Pollable {
              const source = externalPollable(host);
              sources.push(source);
              return source.pollable;
            },
          },
        },
        dispose() {},
      };
    },
  };
}

function setup(mode: 'jspi' | 'sync' = 'jspi') {
  const { clock, timer, runtime, table } = fakeRuntime({ capacity: 8 });
  const timing = new TimingHandler({}, null, { runtime, mode });
  const sources: PollableSource[] = [];
  const registry = new HandlerRegistry();
  registry.register(timing);
  registry.register(streamHandler(timing, sources));
  const built = registry.buildImports(
    ['wasi:clocks/monotonic-clock@0.2.3', 'wasi:io/poll@0.2.3', 'test:stream/events@0.1.0'],
    { actorId: 'reader', events: null },
  );
  const imports = built.imports as unknown as TimingImports & { 'test:stream/events': { subscribe(): Pollable } };
  return { clock, timer, table, timing, sources, built, imports };
}

test('poll waits on a timer and a stream pollable; the one triggered by hand wakes it', async () => {
  const { timer, table, sources, imports } = setup();
  const slow = imports['wasi:clocks/monotonic-clock'].subscribeDuration(1000n * MS);
  const data = imports['test:stream/events'].subscribe();
  assert.is(data.ready(), false);
  const waiting = imports['wasi:io/poll'].poll([slow, data]);
  assert.instance(waiting, Promise);
  sources[0].setReady();
  assert.equal(Array.from(await waiting), [1]);
  assert.is(data.ready(), true);
  sources[0].setReady(false);
  assert.is(data.ready(), false);
  // ...and the timer still wins when it comes first.
  const again = imports['wasi:io/poll'].poll([slow, data]);
  timer.advanceMs(1000);
  assert.equal(Array.from(await again), [0]);
  assert.is(table.live, 2);
});

test('after the guest drops it, setReady is a no-op that returns false', () => {
  const { sources, imports, table } = setup();
  const data = imports['test:stream/events'].subscribe();
  assert.ok(sources[0].live);
  data[Symbol.dispose]();
  assert.not.ok(sources[0].live);
  assert.is(sources[0].setReady(), false);
  assert.is(table.live, 0);
});

test('hostFor finds live actors only; stopping the actor frees its external pollables', () => {
  const { timing, built, imports, table } = setup();
  imports['test:stream/events'].subscribe();
  assert.ok(timing.hostFor('reader') !== undefined);
  assert.is(timing.hostFor('nobody'), undefined);
  built.dispose();
  assert.is(timing.hostFor('reader'), undefined);
  assert.is(table.live, 0);
});

test('sync mode: only external pollables, none ready, traps instead of hanging', () => {
  const { imports } = setup('sync');
  const data = imports['test:stream/events'].subscribe();
  assert.throws(() => imports['wasi:io/poll'].poll([data]), /^wasi trap: poll would block forever/);
});

test.run();
