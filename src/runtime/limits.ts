// How many actors one process may keep alive at once, and why.
//
// Measured on this machine (Node 26.10, jco 1.11.2, JSPI; /proc/self/maps):
//   an instantiated actor holds ~2 mappings (its linear memory reservation and
//   guard), and a suspended JSPI call ~2 more (its stack segment): ~4 per live,
//   suspended actor. Mappings of stopped actors linger until V8 collects them.
// Two limits follow:
//   vm.max_map_count (65530 by default) mappings per process: past it, mmap
//     fails; FACTS.md saw a 20 000-actor run hang for 20 minutes;
//   the address space for wasm memory reservations (~8 GiB each): here 15 000
//     live instances instantiated and 17 000 failed ("Cannot allocate Wasm
//     memory for new instance").
// The default cap budgets 6 mappings per actor (4 measured, plus room for the
// lingering mappings of stopped actors and for components with more than one
// memory) against 60% of vm.max_map_count (the rest is Node's own):
// 65530 * 0.6 / 6 = 6553 actors, well inside both limits. Actors over the cap
// wait in a FIFO queue (gate.ts). `maxLive` / `--max-live` overrides it.
import { readFileSync } from 'node:fs';

/** Mappings budgeted per live, suspended actor: 4 measured, with margin. */
export const MAPPINGS_PER_ACTOR = 6;
/** Share of vm.max_map_count the fleet may use; the rest is Node's own. */
export const MAP_BUDGET_SHARE = 0.6;
export const FALLBACK_MAX_MAP_COUNT = 65_530;

export function maxMapCount(path = '/proc/sys/vm/max_map_count'): number {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(value) && value > 0 ? value : FALLBACK_MAX_MAP_COUNT;
  } catch {
    return FALLBACK_MAX_MAP_COUNT;
  }
}

/** The default cap on live actors: 6 553 with the default vm.max_map_count. */
export function defaultMaxLive(mapCount = maxMapCount()): number {
  return Math.max(1, Math.floor((mapCount * MAP_BUDGET_SHARE) / MAPPINGS_PER_ACTOR));
}
