import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENTRY_LIMIT, EntryTable } from '../../src/wheel/entries.ts';

test('allocate hands out fresh entries, then recycles released ones last-in first-out', () => {
  const table = new EntryTable(2);
  assert.equal([table.allocate(table.nextLinks), table.allocate(table.nextLinks), table.allocate(table.nextLinks)], [0, 1, 2]);
  table.release(1, table.nextLinks);
  table.release(0, table.nextLinks);
  assert.equal([table.allocate(table.nextLinks), table.allocate(table.nextLinks), table.allocate(table.nextLinks)], [0, 1, 3]);
});

test('growth doubles the arrays and keeps their contents', () => {
  const table = new EntryTable(1);
  for (let i = 0; i < 5; i++) {
    const index = table.allocate(table.nextLinks);
    table.deadlineTicks[index] = 1e13 + i;
    table.payloads[index] = 2 ** 32 - 1 - i;
    table.prevLinks[index] = -i;
  }
  assert.is(table.capacity, 8);
  assert.equal([...table.deadlineTicks.subarray(0, 5)], [1e13, 1e13 + 1, 1e13 + 2, 1e13 + 3, 1e13 + 4]);
  assert.equal([...table.payloads.subarray(0, 5)], [2 ** 32 - 1, 2 ** 32 - 2, 2 ** 32 - 3, 2 ** 32 - 4, 2 ** 32 - 5]);
  assert.equal([...table.prevLinks.subarray(0, 5)], [0, -1, -2, -3, -4]);
});

test('the wheel holds at most ENTRY_LIMIT entries', () => {
  assert.is(ENTRY_LIMIT, 2 ** 24);
});

test('a handle matches only while its entry is live', () => {
  const table = new EntryTable(4);
  const index = table.allocate(table.nextLinks);
  const handle = table.handleOf(index);
  assert.is(table.indexOf(handle), index);
  table.release(index, table.nextLinks);
  assert.is(table.indexOf(handle), -1);
  assert.is(table.allocate(table.nextLinks), index);
  const reused = table.handleOf(index);
  assert.equal([table.indexOf(handle), table.indexOf(reused), reused === handle], [-1, index, false]);
  // Entry 3 was never allocated: its generation 0 matches handle 3's, but is even (free).
  assert.is(table.indexOf(3), -1);
});

test.run();
