// Mixed polls (issue 19.3): our timer and a preview2-shim stream pollable in one
// poll, through the drop-in's poll, in a child process whose stdin is a FIFO the
// test writes to at a chosen time (a FIFO, not a Node pipe: preview2-shim spins its
// worker on a non-blocking stdin, which would stall every call into it). Real time,
// wide bounds: never before the stream has data, and before the other timer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CHILD = resolve(import.meta.dirname, '..', 'support', 'mixed-poll-child.ts');
const scratch = mkdtempSync(join(tmpdir(), 'mixed-poll-'));
let fifos = 0;
test.after(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome { ready: number[]; ms: number; ticks: number; bytes: number; timerReady: boolean; feedLateMs: number }

/** Runs the child: it polls [timer, stream] (or the reverse); we write to its stdin `streamMs` after it starts polling. */
function mixedPoll(timerMs: number, streamMs: number, order: 'timer-first' | 'stream-first', mode: 'jspi' | 'sync', how: 'poll' | 'block' = 'poll'): Promise<Outcome> {
  const fifo = join(scratch, `in-${fifos++}`);
  execFileSync('mkfifo', [fifo]);
  // Read-write, so opening never blocks; the child's reads block in preview2-shim's worker.
  const stdin = openSync(fifo, 'r+');
  const child = spawn(process.execPath, [CHILD, String(timerMs), order, mode, how], { stdio: [stdin, 'pipe', 'inherit'] });
  // Our read-write end stays open until the child exits: a write due after the child
  // is gone (its exit event can come late on a loaded machine) then never fails with EPIPE.
  const writer = openSync(fifo, 'w');
  return new Promise((done, fail) => {
    let out = '';
    let feed: NodeJS.Timeout | undefined;
    let feedLateMs = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (feed === undefined && out.startsWith('polling\n')) {
        const at = performance.now() + streamMs;
        feed = setTimeout(() => {
          feedLateMs = performance.now() - at;
          try {
            writeSync(writer, 'hello\n');
          } catch (error) {
            // The child may already have returned and exited (its 'exit' event not yet
            // seen here): a FIFO without a reader refuses the write. Nothing to deliver.
            if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
          }
        }, streamMs);
      }
    });
    child.on('exit', (code) => {
      // A write still due must not land on the fd number the next test's FIFO reuses.
      clearTimeout(feed);
      closeSync(writer);
      closeSync(stdin);
      if (code !== 0) return fail(new Error(`child exited ${code}: ${out}`));
      done({ ...(JSON.parse(out.trim().split('\n').pop()!) as Outcome), feedLateMs });
    });
  });
}

/**
 * Runs a case until it is judged on a fair run: the test delivered its stream data
 * on time (within 10 ms of the chosen instant) and the child was not starved past
 * the case's own margin (`fair`). A loaded machine may run either process's timers
 * late, and such a run says nothing about the poll. Three tries at most; the last
 * one is judged anyway, so a poll that is wrong every time still fails.
 */
async function onTime(run: () => Promise<Outcome>, fair: (o: Outcome) => boolean = () => true): Promise<Outcome> {
  let outcome = await run();
  for (let i = 0; i < 2 && (outcome.feedLateMs > 10 || !fair(outcome)); i++) outcome = await run();
  return outcome;
}

for (const mode of ['jspi', 'sync'] as const) {
  for (const order of ['timer-first', 'stream-first'] as const) {
    const [timerAt, streamAt] = order === 'timer-first' ? [0, 1] : [1, 0];
    test(`${mode}, ${order}: poll [50 ms timer, stream ready at ~20 ms] returns the stream's index at ~20 ms, with its data`, async () => {
      const r = await onTime(() => mixedPoll(50, 20, order, mode), (o) => o.ms < 50 && o.ready.length === 1);
      assert.equal(r.ready, [streamAt], JSON.stringify(r));
      assert.ok(r.ms >= 19.5 && r.ms < 50, `returned after ${r.ms.toFixed(1)} ms`);
      assert.ok(r.bytes > 0, 'the stream had data');
    });

    test(`${mode}, ${order}: poll [20 ms timer, stream ready at ~50 ms] returns the timer's index at ~20 ms`, async () => {
      const r = await onTime(() => mixedPoll(20, 50, order, mode), (o) => o.ms < 50 && o.ready.length === 1);
      assert.equal(r.ready, [timerAt], JSON.stringify(r));
      assert.ok(r.ms >= 19.9 && r.ms < 50, `returned after ${r.ms.toFixed(1)} ms`);
      assert.is(r.bytes, 0, 'the stream had no data yet');
    });
  }
}

test('jspi: block() on an adopted preview2-shim pollable (as the glue calls it) suspends instead of blocking the thread', async () => {
  const r = await onTime(() => mixedPoll(10_000, 100, 'timer-first', 'jspi', 'block'));
  assert.ok(r.ms >= 99.5 && r.ms < 1000, `returned after ${r.ms.toFixed(1)} ms`);
  assert.ok(r.bytes > 0);
  // preview2-shim's own block() would hold the thread: not one tick.
  assert.ok(r.ticks >= 10, `the interval ticked ${r.ticks} times`);
});

test.run();
