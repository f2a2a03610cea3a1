import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Fifo } from '../../src/base/fifo.ts';

test('first in, first out; empty shifts give undefined', () => {
  const fifo = new Fifo<string>();
  assert.is(fifo.shift(), undefined);
  fifo.push('a');
  fifo.push('b');
  assert.is(fifo.length, 2);
  assert.is(fifo.shift(), 'a');
  fifo.push('c');
  assert.equal([fifo.shift(), fifo.shift(), fifo.shift()], ['b', 'c', undefined]);
  assert.is(fifo.length, 0);
});

test('a long queue drops its consumed head and keeps its order', () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 5000; i++) fifo.push(i);
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) out.push(fifo.shift()!);
  for (let i = 5000; i < 6000; i++) fifo.push(i);
  assert.is(fifo.length, 3000);
  while (fifo.length > 0) out.push(fifo.shift()!);
  assert.equal(out, Array.from({ length: 6000 }, (_, i) => i));
});

test.run();
