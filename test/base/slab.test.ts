// The generational slab under the wheel's entries and the pollable table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { growArray, indexOfHandle, Slab } from '../../src/base/slab.ts';

function slab(capacity: number, limit?: number) {
  const owner = { links: new Int32Array(capacity), grown: [] as number[] };
  const made = new Slab({
    capacity, limit, fullMessage: `full at ${String(limit)}`,
    onGrow: (grown) => { owner.links = growArray(owner.links, grown); owner.grown.push(grown); },
  });
  return { slab: made, owner };
}

test('allocate hands out fresh entries, then recycles released ones last-in first-out', () => {
  const { slab: s, owner } = slab(2);
  assert.equal([s.allocate(owner.links), s.allocate(owner.links), s.allocate(owner.links)], [0, 1, 2]);
  s.release(1, owner.links);
  s.release(0, owner.links);
  assert.equal([s.allocate(owner.links), s.allocate(owner.links), s.allocate(owner.links)], [0, 1, 3]);
  assert.equal(owner.grown, [4], 'the owner was told to grow its arrays');
});

test('growth stops at the limit with a RangeError', () => {
  const { slab: s, owner } = slab(3, 6);
  for (let i = 0; i < 6; i++) s.allocate(owner.links);
  assert.is(s.capacity, 6);
  assert.equal(owner.grown, [6]);
  assert.throws(() => s.allocate(owner.links), /^full at 6$/);
  assert.is(slab(1).slab.limit, 2 ** 24, 'default: every index a handle can hold');
});

test('a handle matches only while its entry is live', () => {
  const { slab: s, owner } = slab(4);
  const index = s.allocate(owner.links);
  const handle = s.handleOf(index);
  assert.is(s.indexOf(handle), index);
  s.release(index, owner.links);
  assert.is(s.indexOf(handle), -1);
  assert.is(s.allocate(owner.links), index);
  const reused = s.handleOf(index);
  assert.equal([s.indexOf(handle), s.indexOf(reused), reused === handle], [-1, index, false]);
  // Entry 3 was never allocated: its generation 0 matches handle 3's, but is even (free).
  assert.is(s.indexOf(3), -1);
  for (const bad of [-1, 0.5, handle + 0.5, NaN, Infinity, 2 ** 53, 2 ** 60]) assert.is(s.indexOf(bad), -1, String(bad));
});

test('generations wrap without ever reaching 2^53 handles', () => {
  const { slab: s, owner } = slab(1);
  s.generations[0] = 2 ** 29 - 2; // even: free, one step from the wrap
  const index = s.allocate(owner.links);
  const handle = s.handleOf(index);
  assert.ok(Number.isSafeInteger(handle));
  assert.is(s.indexOf(handle), 0);
  assert.is(indexOfHandle(handle), 0);
  s.release(0, owner.links);
  assert.is(s.generations[0], 0);
  assert.is(s.indexOf(handle), -1);
});

test('a limit past what a handle can index is refused', () => {
  for (const limit of [0, 2 ** 24 + 1, 1.5]) assert.throws(() => slab(1, limit), /limit must be an integer in 1\.\.16777216/);
});

test('a slab without onGrow still grows (an owner that subclasses it overrides grown())', () => {
  const bare = new Slab({ capacity: 1, fullMessage: 'full' });
  const links = new Int32Array(4);
  assert.equal([bare.allocate(links), bare.allocate(links), bare.allocate(links)], [0, 1, 2]);
  assert.is(bare.capacity, 4);
});

test('growArray keeps the contents and the element type', () => {
  const grown = growArray(Float64Array.of(1.5, 2.5), 4);
  assert.ok(grown instanceof Float64Array);
  assert.equal([...grown], [1.5, 2.5, 0, 0]);
});

test.run();
