// The analysis appended to bench/RESULTS.md: what bounds each missed target and
// what was tried. Numbers live in the tables above, measured in the same run.
export const VERDICTS = `## Verdicts on the missed targets

**\`now()\` ≤ 1.2 × (recording off) and ≤ 2 × (recording on) the no-op import: missed, bounded by Node.**
A monotonic read costs Node about as much by itself as our whole \`now()\` import
(the "floor of any monotonic read" line above: \`process.hrtime.bigint()\` in a
plain JS loop, with no wasm and no jco glue), and the CPU profile above puts most
of the loop's time in Node's \`hrtimeBigInt\` and the wasm-to-JS transition, with
none of our code in its top entries. With recording off the import *is*
that function (no wrapper), and the jco 1.11.2 glue adds one \`BigInt.asUintN\`,
which the same loop shows to be free. No monotonic source in Node is cheaper
(\`performance.now()\` is slower, and the issue requires \`process.hrtime.bigint()\`).
Recording adds one small object and one array push per call (the "recording on"
column); hashing and JSON happen only when a chain is written.

**p99 wake-up lateness ≤ 2 ms with 1 000 sleepers: missed (2.6–3.4 ms across our runs); bounded by the 1 ms tick and Node's timer.**
The split line under the fleet table is the profile: every deadline is rounded
*up* to its 1 ms tick (so nothing fires early), which costs 0–1 ms (p50 ≈ 0.5);
then Node's \`setTimeout\` fires some way into the tick (0.2–2 ms late per
FACTS.md), and the sleepers due in that tick, woken together, resume one after
another at a JSPI resume each. The setTimeout-per-sleep peer wins this row: it
has no tick, and its 1 000 timers wake actors one at a time (and it pays 1 000
timers for it). Tried: arming the one timer from the exact current time rather
than the floored tick (kept: it removed up to 1 ms), and the sync fallback
sleeping from the exact time too (kept). Not tried: exact nanosecond deadlines
per pollable with expiry inside a tick (8 more bytes per pollable; Node's timer
is ms-grained anyway).

**≤ 32 B per pending pollable in the wheel and tables: each structure meets it (≈ 24 B each); their sum, ≈ 48 B presized, misses it.**
The wheel entry alone is 24 B (deadline f64, two links, generation, payload: see
"memory per pending timer", which meets ≤ 32 B), and the pollable table adds its
own ≈ 24 B (generation, the wheel handle as f64, owner, two owner-list links, two
bits). Dropping them all frees them all: live, wheel size and armed timers all
return to 0, and a refill reuses the freed entries without growing. Reaching 32 B
needs one entry table shared by the wheel and the pollables (deadline, slot links,
generation, owner, owner links = 32 B), which we left for a later change.

**A ready \`block\` under JSPI** costs a suspension (compare the JSPI and
sync-fallback columns). jco's JSPI wrapper is an \`async\` function, so it always
returns a Promise; we tried rewriting the generated wrappers into generators that
return a plain value when nothing waits, and measured no gain: V8 charges a
\`WebAssembly.Suspending\` import the same whether it returns a plain value or a
Promise (the "JSPI floor" line above). The patch was dropped; the cost is V8's.
`;
