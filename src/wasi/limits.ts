/*
 * What one call may hand the host.
 *
 * poll(list): at most MAX_POLL_LIST entries. WASI lets a list repeat a pollable,
 * so its length is not bounded by the pollables an actor holds, and each entry
 * costs the jco glue a handle lookup and an object before the host sees the list
 * (100 M copies of one pollable held the thread for 12.3 s and took 4.3 GB).
 * 65 536 is 6.5 times the default max_pollables (10 000), so a guest can poll
 * every pollable it may hold, each more than once; lifting and scanning that
 * many takes about 1 ms (the glue's lift costs ~13 ns an entry), one fifth of
 * the thread's 5 ms slice. The fairness pass checks the length in the guest,
 * before the glue lifts the list (instrument-poll.ts in src/component); poll
 * checks it again for guests that were not instrumented.
 */
import { WasiTrap } from '../base/trap.ts';

/** Most entries one poll call may list. */
export const MAX_POLL_LIST = 65_536;

/** Traps a poll list longer than MAX_POLL_LIST. */
export function checkPollList(count: number): void {
  if (count > MAX_POLL_LIST) {
    throw new WasiTrap(`poll list of ${count} entries exceeds the limit of ${MAX_POLL_LIST} entries per call (a list may repeat a pollable, but not without bound)`);
  }
}
