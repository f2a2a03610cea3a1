import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Gate } from '../../src/runtime/gate.ts';
import { Mailbox } from '../../src/runtime/mailbox.ts';

function deferred() {
  return Promise.withResolvers<void>();
}

test('mailbox runs calls one at a time, in order, and survives failures', async () => {
  const box = new Mailbox();
  const log: string[] = [];
  const first = deferred();
  const a = box.send(async () => { log.push('a:start'); await first.promise; log.push('a:end'); return 1; });
  const b = box.send(() => { log.push('b'); throw new Error('b failed'); });
  const c = box.send(() => { log.push('c'); return 3; });
  await Promise.resolve();
  assert.equal(log, ['a:start']);
  first.resolve();
  assert.is(await a, 1);
  await b.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'b failed'));
  assert.is(await c, 3);
  assert.equal(log, ['a:start', 'a:end', 'b', 'c']);
  // Nothing left in the box: the next call starts on the next microtask.
  box.send(() => log.push('d'));
  await Promise.resolve();
  await Promise.resolve();
  assert.is(log.at(-1), 'd');
});

test('gate caps concurrency, queues the rest FIFO, and frees slots on failure', async () => {
  const gate = new Gate(2);
  const started: number[] = [];
  const releases = Array.from({ length: 2000 }, () => deferred());
  const runs = releases.map((d, i) => gate.run(async () => {
    started.push(i);
    await d.promise;
    if (i === 1) throw new Error('task 1 failed');
    return i;
  }));
  await Promise.resolve();
  assert.equal(started, [0, 1]);
  assert.is(gate.running, 2);
  assert.is(gate.waiting, 1998);
  for (const d of releases) {
    d.resolve();
    await new Promise<void>((r) => queueMicrotask(r));
  }
  const results = await Promise.allSettled(runs);
  assert.is(results.filter((r) => r.status === 'fulfilled').length, 1999);
  assert.equal(started, releases.map((_, i) => i));
  assert.is(gate.peak, 2);
  assert.is(gate.running, 0);
  assert.is(gate.waiting, 0);
});

test('gate rejects a bad limit, naming the value', () => {
  assert.throws(() => new Gate(0), /positive safe integer, got 0 \(number\)/);
  assert.throws(() => new Gate(1.5), /got 1.5/);
});

test.run();
