// Time text and axis ticks from nanoseconds to hours, and the heat strip's bins.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timelineHeatBins, timelineHeatColour } from '../../src/timeline/heat.ts';
import { timelineAxisTicks, timelineFormatNs } from '../../src/timeline/scale.ts';

/** The formatter groups long fractions with thin spaces; compare with plain ones. */
const fmt = (...args: Parameters<typeof timelineFormatNs>): string => timelineFormatNs(...args).replace(/\u2009/g, ' ');

test('values in the unit of their magnitude, steps in one unit for a whole axis', () => {
  assert.equal([0, 5, 1500, 5e6, 52_293_104, 1.5e9, 61e9, 3.7e12, -2e6].map((ns) => fmt(ns)),
    ['0 ns', '5 ns', '1.500 µs', '5.000 ms', '52.293 ms', '1.500 s', '1 min 01 s', '1 h 01 min 40 s', '−2.000 ms']);
  assert.is(fmt(1.5e9, 5e8), '1.5 s');
  assert.is(fmt(40e6, 20e6), '40 ms');
  assert.is(fmt(3e9 + 10, 10, true), '3.000 000 01 s');
  assert.is(fmt(7.2e12, 3.6e12), '2 h 00 min');
  assert.is(fmt(200_000, 200_000, true), '200 µs');
});

const labels = (t0: number, t1: number): string[] => timelineAxisTicks(t0, t1, 1100).ticks.map((t) => t.label);

test('ticks read well at every zoom, from nanoseconds to hours', () => {
  assert.equal(labels(0, 100), ['0 ns', '10 ns', '20 ns', '30 ns', '40 ns', '50 ns', '60 ns', '70 ns', '80 ns', '90 ns', '100 ns']);
  assert.equal(labels(0, 95e6), ['0 ms', '10 ms', '20 ms', '30 ms', '40 ms', '50 ms', '60 ms', '70 ms', '80 ms', '90 ms']);
  assert.equal(labels(0, 5e9).slice(0, 3), ['0.0 s', '0.5 s', '1.0 s']);
  assert.equal(labels(0, 7.2e12).slice(0, 5), ['0 s', '15 min', '30 min', '45 min', '1 h 00 min']);
  assert.equal(labels(0, 3e11).slice(0, 3), ['0 s', '30 s', '1 min 00 s']);
  const far = timelineAxisTicks(3e9, 3e9 + 100, 1100);
  assert.equal([far.base?.label.replace(/\u2009/g, ' '), far.ticks[1].label], ['3.000 000 00 s', '+10 ns']);
  const huge = timelineAxisTicks(0, 1e17, 1100);
  assert.ok(huge.ticks.length >= 2 && huge.ticks.length <= 12);
});

test('heat bins count wake-ups per equal slice of the view; colours run dark to bright', () => {
  const times = [0, 1, 2, 5, 9, 9, 10, 20];
  assert.equal(timelineHeatBins(times, 0, 10, 2), [3, 3]);
  assert.equal(timelineHeatBins(times, -5, 25, 3), [3, 4, 1]);
  assert.equal(timelineHeatBins([], 0, 1, 2), [0, 0]);
  assert.is(timelineHeatColour(0), 'rgb(68,1,84)');
  assert.is(timelineHeatColour(1), 'rgb(253,231,37)');
  assert.is(timelineHeatColour(2), 'rgb(253,231,37)');
});

test.run();
