// Issue 20 through the binary: guest code the fairness pass used to miss is
// metered wherever it runs. A start function that spins traps (exit 3) at the
// hold limit, or at max_cpu_ms when that is smaller, instead of holding the
// process for seconds and exiting 0; a guest spinning on now() under virtual
// time, which never advances while it runs, traps at the virtual-time default
// budget instead of hanging.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { actorManifest, bin, manifestFor, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a spinning start function traps at the hold limit (200 ms by default), or at max_cpu_ms = 200', () => {
  const t0 = Date.now();
  const r = bin('run', actorManifest('start-spinner'));
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, /^theater-timing: trapped: wasi trap: actor "start-spinner#0" held the thread for 2\d\d ms in its start function, while it was instantiated, where it cannot yield to other actors \(at most 200 ms: max_hold_ms\)\n$/);
  assert.ok(Date.now() - t0 < 8_000, 'not the 10 s the start function asks for');
  const budget = writeManifest(dir, 'start-cpu.toml', manifestFor('start-spinner', '', '[[handler]]\ntype = "timing"\nmax_cpu_ms = 200\nmax_hold_ms = 0\n'));
  const cpu = bin('run', budget);
  assert.is(cpu.status, 3, cpu.stderr);
  assert.match(cpu.stderr, /trapped: wasi trap: cpu budget exceeded: actor "start-spinner#0" ran 2\d\d ms in one call, not counting waits \(max_cpu_ms 200\)\n$/);
});

test('--clock virtual: a guest that spins on now() traps at the virtual-time default budget, saying why', () => {
  const t0 = Date.now();
  const r = bin('run', actorManifest('clock-spinner'), '--clock', 'virtual');
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, /trapped: wasi trap: cpu budget exceeded: actor "clock-spinner#0" ran 5\d\d\d ms in one call, not counting waits \(max_cpu_ms 5000: the default under virtual time, where the clock stands still while a guest runs, so a guest that never waits would hang the run; set max_cpu_ms to change it\)\n$/);
  assert.ok(Date.now() - t0 < 30_000);
});

test.run();
