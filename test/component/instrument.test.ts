// The fairness pass (src/component/instrument.ts, weigh.ts, custom-sections.ts):
// which functions and loops get a fuel check and with what weight, how the
// exports set may_suspend, and what the checks do when run, in both modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUEL_PER_CHECK, instrumentCoreModule, YIELD_MODULE } from '../../src/component/instrument.ts';
import { trimCustomSections } from '../../src/component/custom-sections.ts';
import { CALL_WEIGHT, ENTRY_CHARGE_MIN, IMPORT_CALL_WEIGHT } from '../../src/component/weigh.ts';
import { BULK_CHUNK, BULK_FREE } from '../../src/component/instrument-bulk.ts';
import { MAX_POLL_LIST } from '../../src/wasi/limits.ts';

const tools = (await import('@bytecodealliance/jco')) as { parse(wat: string): Promise<Uint8Array> };
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, (...args: number[]) => number> };
  Suspending: new (fn: () => Promise<void>) => object;
  promising(fn: (...args: number[]) => number): (...args: number[]) => Promise<number>;
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const GUEST = `(module
  (import "host" "tick" (func $tick))
  (func $leaf (export "leaf") (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
  (func $count (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $nested (export "nested") (param $n i32)
    (local $i i32) (local $j i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
  (func $recurse (export "recurse") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $recurse (i32.sub (local.get $n) (i32.const 1)))))))
  (func $ticker (export "ticker") (call $tick))
)`;

const parse = (wat: string) => tools.parse(wat);

test('checks: loop headers get one each, calling functions an entry check, leaf functions none', async () => {
  const report = await instrumentCoreModule(await parse(GUEST), { asyncExports: [] });
  const by = Object.fromEntries(report.functions.map((f) => [f.name, f]));
  assert.equal(Object.keys(by).sort(), ['count', 'leaf', 'nested', 'recurse', 'ticker']);
  assert.equal(by.leaf, { name: 'leaf', loops: [], entry: false });
  assert.is(by.count.loops.length, 1);
  assert.is(by.count.entry, false);
  assert.is(by.nested.loops.length, 2);
  const [outer, inner] = by.nested.loops;
  assert.ok(outer > inner, `the outer loop's weight ${outer} counts the inner loop as one node, and more of its own`);
  assert.ok(inner > 3 && inner < 20, `an iteration of the inner loop weighs its nodes (${inner})`);
  assert.equal(by.recurse, { name: 'recurse', loops: [], entry: true });
  assert.equal(by.ticker.entry, true);
  assert.equal(report.exports, [], 'no async export: no export sets may_suspend');
  assert.ok(wasm.validate(report.bytes));
});

test('weights: a call into an import costs more than a call inside the module', async () => {
  const wat = `(module (import "h" "f" (func $f)) (func $g)
    (func (export "a") (loop $l (call $f) (br $l)))
    (func (export "b") (loop $l (call $g) (br $l))))`;
  const report = await instrumentCoreModule(await parse(wat), { asyncExports: [] });
  const [a, b] = report.functions.filter((f) => f.loops.length === 1).map((f) => f.loops[0]);
  // b also pays for $g's one node: a direct call to a light leaf weighs the leaf.
  assert.is(a - b, IMPORT_CALL_WEIGHT - CALL_WEIGHT - 1);
});

/** Instantiates the instrumented guest with a recording check import. */
async function run(asyncExports: string[], answer: number) {
  const report = await instrumentCoreModule(await parse(GUEST), { asyncExports });
  const seen: number[] = [];
  let yields = 0;
  const imports = {
    host: { tick() {} },
    [YIELD_MODULE]: {
      check(maySuspend: number) {
        seen.push(maySuspend);
        return answer;
      },
      yield: new wasm.Suspending(async () => {
        yields++;
        await new Promise((resolve) => setImmediate(resolve));
      }),
    },
  };
  const instance = new wasm.Instance(new wasm.Module(report.bytes), imports);
  return { report, instance, seen, yields: () => yields };
}

test('running: fuel runs out about every FUEL_PER_CHECK weight units, and the loop still computes', async () => {
  const { instance, seen } = await run([], 1);
  const n = 1_000_000;
  assert.is(instance.exports.count(n), n);
  const weight = 7;
  const expected = Math.floor((n * weight) / FUEL_PER_CHECK);
  assert.ok(seen.length >= expected / 2 && seen.length <= expected * 2, `${seen.length} checks for ${n} iterations`);
  assert.ok(seen.every((m) => m === 0), 'no export may suspend, so the check is told so (and yield is never called)');
  seen.length = 0;
  for (let i = 0; i < 40; i++) assert.is(instance.exports.recurse(5_000), 5_000);
  assert.ok(seen.length >= 1, 'recursion without a loop still runs out of fuel');
});

test('may_suspend: the async export may suspend, and a sync export may not', async () => {
  const { instance, seen, yields, report } = await run(['count'], 1);
  assert.equal(report.exports.find((e) => e.name === 'count'), { name: 'count', maySuspend: true });
  assert.equal(report.exports.find((e) => e.name === 'recurse'), { name: 'recurse', maySuspend: false });
  const counted = await wasm.promising(instance.exports.count)(500_000);
  assert.is(counted, 500_000);
  assert.ok(seen.length > 0 && seen.every((m: number) => m === 1 as number));
  assert.is(yields(), seen.length, 'every check that answered 1 suspended once');
  seen.length = 0;
  for (let i = 0; i < 40; i++) assert.is(instance.exports.recurse(5_000), 5_000, 'a plain call with check answering 1 does not throw SuspendError');
  assert.ok(seen.length > 0 && seen.every((m: number) => m === 0 as number));
});

const TRICKY = `(module
  (global $sum (mut i32) (i32.const 0))
  ;; a loop with a result, as the whole body
  (func $valued (export "valued") (param $n i32) (result i32)
    (loop $l (result i32)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))
      (i32.const 42)))
  ;; void return from inside a loop, and a branch to a label outside it
  (func $void_return (export "void_return") (param $n i32)
    (block $out
      (loop $l
        (global.set $sum (i32.add (global.get $sum) (i32.const 1)))
        (if (i32.eq (global.get $sum) (local.get $n)) (then (return)))
        (br_if $out (i32.gt_u (global.get $sum) (i32.const 100000000)))
        (br $l))))
  ;; typed return from inside a nested loop
  (func $find (export "find") (param $n i32) (result i32)
    (local $i i32) (local $j i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (if (i32.eq (i32.mul (local.get $i) (local.get $j)) (local.get $n)) (then (return (i32.add (i32.mul (local.get $i) (i32.const 1000)) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 1000))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 1000))))
    (i32.const -1))
  ;; a loop that never falls out (unreachable type)
  (func $forever_until (export "forever_until") (param $n i32) (result i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (if (i32.eqz (local.get $n)) (then (return (i32.const 7))))
      (br $l))
    (unreachable))
  ;; a tail call out of a loop
  (func $tail (export "tail") (param $n i32) (result i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 10))))
    (return_call $valued (local.get $n)))
)`;

test('rewriting keeps what the code computes: loop results, returns from loops, tail calls, labels outside', async () => {
  const bytes = await parse(TRICKY);
  const plain = new wasm.Instance(new wasm.Module(bytes), {}).exports;
  const report = await instrumentCoreModule(bytes, { asyncExports: [] });
  assert.ok(wasm.validate(report.bytes));
  let checks = 0;
  const instrumented = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: { check: () => (checks++, 0), yield() {} } }).exports;
  for (const [name, arg] of [['valued', 3_000_000], ['find', 998 * 997], ['find', 5], ['find', 999_999_999], ['forever_until', 2_000_000], ['tail', 2_000_000]] as const) {
    assert.is(instrumented[name](arg), plain[name](arg), `${name}(${arg})`);
  }
  assert.is(instrumented.void_return(3_000_000), undefined);
  assert.ok(checks >= 10, `the work ran out of fuel ${checks} times`);
  const checksBefore = checks;
  // many short calls whose loops each stay under the local flush still add up: exits spend the local
  for (let i = 0; i < 20_000; i++) instrumented.valued(20);
  assert.ok(checks > checksBefore, 'short loop calls are counted at their exit');
});

const BULK = `(module (memory (export "memory") 80)
  (data $seg "hello")
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32) (memory.init $seg (local.get 0) (i32.const 0) (local.get 1)))
  (func (export "dead") (param i32) (memory.fill (unreachable) (local.get 0) (local.get 0))))`;

/** An instrumented module with a check that counts. */
async function counted(wat: string, extra: Record<string, unknown> = {}) {
  const report = await instrumentCoreModule(await parse(wat), { asyncExports: [] });
  const seen = { checks: 0, limits: [] as number[] };
  const yieldModule = { check: () => (seen.checks++, 0), yield() {}, 'poll-limit': (n: number) => { seen.limits.push(n >>> 0); throw new Error('poll-limit'); } };
  const instance = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: yieldModule, ...extra });
  return { report, seen, exports: instance.exports as unknown as Record<string, (...args: number[]) => number> & { memory: { buffer: ArrayBuffer } } };
}

test('bulk memory: fills and copies give the same bytes, split or not, overlapping either way; memory.init too', async () => {
  const { exports } = await counted(BULK);
  const memory = new Uint8Array(exports.memory.buffer);
  const size = memory.length - 1000;
  for (let i = 0; i < memory.length; i++) memory[i] = i % 251;
  const expected = memory.slice();
  const cases: Array<[string, number, number, number]> = [
    ['copy', 0, 999, size], // destination below the source: forward
    ['copy', 999, 0, size], // above: from the end
    ['copy', 7, 7, BULK_CHUNK * 2 + 3],
    ['copy', 100, 5, 40], // short: the original instruction alone
    ['fill', 3, 0xab, size],
    ['fill', 10, 1, 10],
  ];
  for (const [op, a, b, n] of cases) {
    exports[op](a, b, n);
    if (op === 'copy') expected.copyWithin(a, b, b + n);
    else expected.fill(b, a, a + n);
    assert.ok(Buffer.from(memory).equals(Buffer.from(expected)), `${op}(${a}, ${b}, ${n})`);
  }
  exports.init(20, 5);
  assert.is(new TextDecoder().decode(memory.subarray(20, 25)), 'hello');
  assert.throws(() => exports.init(20, 6), /out of bounds/);
  assert.throws(() => exports.init(20, BULK_FREE + 1), /out of bounds/, 'charged by its length, then past its segment');
  assert.throws(() => exports.dead(1), /unreachable/);
});

test('bulk memory: a long fill or copy checks every piece; out of bounds and wrap-around still trap', async () => {
  const { exports, seen } = await counted(BULK);
  const size = exports.memory.buffer.byteLength;
  seen.checks = 0;
  exports.fill(0, 1, size);
  const pieces = Math.floor(size / BULK_CHUNK);
  assert.ok(seen.checks >= pieces - 1 && seen.checks <= pieces + 1, `${seen.checks} checks for ${pieces} pieces`);
  seen.checks = 0;
  exports.copy(1, 0, size - 1);
  assert.ok(seen.checks >= pieces - 1, `${seen.checks} checks`);
  seen.checks = 0;
  for (let i = 0; i < 2_000; i++) exports.copy(0, 5_000, 4_000);
  assert.ok(seen.checks >= 20, `copies over BULK_FREE bytes are charged by their length too (${seen.checks} checks)`);
  seen.checks = 0;
  for (let i = 0; i < 2_000; i++) exports.copy(0, 5_000, BULK_FREE);
  // (at most one check: the fuel left over from the copies above carries on)
  assert.ok(seen.checks <= 1, `shorter ones weigh their nodes only (${seen.checks} checks)`);
  assert.throws(() => exports.fill(size - 10, 0, BULK_CHUNK * 3), /out of bounds/);
  assert.throws(() => exports.copy(0, size - 10, BULK_CHUNK * 3), /out of bounds/);
  assert.throws(() => exports.fill(-16, 0, BULK_CHUNK * 3), /out of bounds/, 'a range that wraps around is not split');
  assert.throws(() => exports.copy(0, -16, BULK_CHUNK * 3), /out of bounds/);
});

test('bulk memory: 64-bit memories are split too', async () => {
  const wat = `(module (memory $a (export "memory") i64 40) (memory $b 1)
    (func (export "fill") (param i64 i32 i64) (memory.fill $a (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy") (param i64 i64 i64) (memory.copy $a $a (local.get 0) (local.get 1) (local.get 2))))`;
  const report = await instrumentCoreModule(await parse(wat), { asyncExports: [] });
  let checks = 0;
  const exports = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: { check: () => (checks++, 0), yield() {} } }).exports as unknown as Record<string, (...args: Array<bigint | number>) => void> & { memory: { buffer: ArrayBuffer } };
  const memory = new Uint8Array(exports.memory.buffer);
  const size = BigInt(memory.length);
  exports.fill(0n, 9, size);
  assert.ok(memory.every((b) => b === 9));
  assert.ok(checks >= Number(size) / BULK_CHUNK - 1, `${checks} checks`);
  memory[0] = 1;
  exports.copy(1n, 0n, size - 1n);
  assert.is(memory[1], 1);
  exports.copy(0n, 1n, size - 1n);
  assert.throws(() => exports.fill(0n, 0, 2n ** 40n), /out of bounds/);
});

test('leaf functions: a long one is charged on entry, a short one weighs its nodes in its caller', async () => {
  const statements = Array.from({ length: ENTRY_CHARGE_MIN }, () => '(local.set $x (i32.add (local.get $x) (i32.const 1)))').join(' ');
  const wat = `(module
    (func $long (param $x i32) (result i32) ${statements} (local.get $x))
    (func $short (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
    (func (export "a") (param $n i32) (result i32) (local $x i32)
      (loop $l (local.set $x (call $long (local.get $x))) (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $x))
    (func (export "b") (param $n i32) (result i32) (local $x i32)
      (loop $l (local.set $x (call $short (local.get $x))) (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $x)))`;
  const { report, exports, seen } = await counted(wat);
  const by = Object.fromEntries(report.functions.map((f) => [f.name, f]));
  assert.is(by.long.entry, true);
  assert.is(by.short.entry, false);
  const [b] = report.functions.filter((f) => f.loops.length === 1).map((f) => f.loops[0]).slice(-1);
  assert.ok(b >= CALL_WEIGHT + 4, `the loop calling $short weighs $short's nodes too (${b})`);
  const calls = 2_000;
  assert.is(exports.a(calls), calls * ENTRY_CHARGE_MIN);
  const expected = (calls * ENTRY_CHARGE_MIN * 5) / FUEL_PER_CHECK;
  assert.ok(seen.checks >= expected / 2, `${seen.checks} checks for ${calls} calls of a ${ENTRY_CHARGE_MIN}-statement leaf (about ${expected})`);
});

test('poll: a list longer than MAX_POLL_LIST traps in the guest, before the glue lifts it; shorter ones pass', async () => {
  const wat = `(module
    (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
    (import "wasi:io/poll@0.2.0" "poll" (func $poll0 (param i32 i32 i32)))
    (import "other" "poll" (func $other (param i32 i32 i32)))
    (func (export "poll") (param i32) (call $poll (i32.const 0) (local.get 0) (i32.const 0)))
    (func (export "poll0") (param i32) (call $poll0 (i32.const 0) (local.get 0) (i32.const 0)))
    (func (export "other") (param i32) (call $other (i32.const 0) (local.get 0) (i32.const 0))))`;
  const lengths: number[] = [];
  const host = (n: number) => void lengths.push(n >>> 0);
  const { report, exports, seen } = await counted(wat, { 'wasi:io/poll@0.2.3': { poll: (_: number, n: number) => host(n) }, 'wasi:io/poll@0.2.0': { poll: (_: number, n: number) => host(n) }, other: { poll: (_: number, n: number) => host(n) } });
  assert.is(report.pollCalls, 2);
  exports.poll(MAX_POLL_LIST);
  exports.poll0(1);
  assert.throws(() => exports.poll(MAX_POLL_LIST + 1), /poll-limit/);
  assert.throws(() => exports.poll0(-1), /poll-limit/);
  exports.other(MAX_POLL_LIST + 1);
  assert.equal(seen.limits, [MAX_POLL_LIST + 1, 2 ** 32 - 1]);
  assert.equal(lengths, [MAX_POLL_LIST, 1, MAX_POLL_LIST + 1]);
});

test('refuses what it cannot read or walk, with a message', async () => {
  await assert.not.throws(() => undefined);
  try {
    await instrumentCoreModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 200]), { asyncExports: [] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.match((error as Error).message, /^(instrument|custom sections): /);
  }
  const callRef = `(module (type $t (func)) (func $g) (elem declare func $g)
    (func (export "f") (call_ref $t (ref.func $g))))`;
  try {
    await instrumentCoreModule(await parse(callRef), { asyncExports: [] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.match((error as Error).message, /^instrument: expression kind \d+ is not supported by the fairness pass/);
  }
});

test('custom sections: the name section keeps function names, other custom sections go', async () => {
  const bytes = await parse(`(module (@custom "extra" "payload") (func $named (block $label (br $label))))`);
  const trimmed = trimCustomSections(bytes);
  assert.ok(trimmed.length < bytes.length);
  const text = new TextDecoder('latin1').decode(trimmed);
  assert.ok(text.includes('named'), 'function names kept');
  assert.not.ok(text.includes('payload'), 'other custom sections dropped');
  assert.not.ok(text.includes('label'), 'label names (subsection 3) dropped');
  assert.ok(wasm.validate(trimmed));
  assert.throws(() => trimCustomSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x80)), /bad LEB128 at byte 9/);
  assert.throws(() => trimCustomSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 0)), /section 1 at byte 8 runs past the end/);
});


/** One counted-loop shape: compare op, step, and how k is stepped (a statement, or a tee in the condition; k on either side). */
function countedWat(cases: Array<{ op: string; step: number; form: 'stmt' | 'tee' | 'swap' | 'bare' }>): string {
  const mirror: Record<string, string> = { lt_u: 'gt_u', lt_s: 'gt_s', gt_u: 'lt_u', gt_s: 'lt_s', ne: 'ne' };
  const step = (s: number) => `(i32.add (local.get $k) (i32.const ${s}))`;
  const funcs = cases.map(({ op, step: s, form }, i) => {
    const incr = form === 'tee' || form === 'bare' ? '' : `(local.set $k ${step(s)})`;
    const cond = form === 'tee' ? `(i32.${op} (local.tee $k ${step(s)}) (local.get $n))`
      : form === 'swap' ? `(i32.${mirror[op]} (local.get $n) (local.get $k))`
      : form === 'bare' ? `(local.tee $k ${step(s)})`
      : `(i32.${op} (local.get $k) (local.get $n))`;
    return `(func (export "f${i}") (param $k i32) (param $n i32) (param $max i32) (result i32)
      (local $c i32)
      (block $out
        (loop $L
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $out (i32.ge_u (local.get $c) (local.get $max)))
          ${incr}
          (br_if $L ${cond})))
      (i32.add (i32.mul (local.get $c) (i32.const 65599)) (local.get $k)))`;
  });
  return `(module ${funcs.join('\n')})`;
}

test('counted inner loops: charged per chunk, and every shape computes what it did, at the edges of wrap-around', async () => {
  const cases: Array<{ op: string; step: number; form: 'stmt' | 'tee' | 'swap' | 'bare' }> = [];
  for (const op of ['lt_u', 'lt_s', 'gt_u', 'gt_s', 'ne']) {
    for (const step of [1, -1, 4, -4]) {
      for (const form of ['stmt', 'tee', 'swap'] as const) cases.push({ op, step, form });
    }
  }
  for (const step of [-1, -4, 2]) cases.push({ op: 'ne', step, form: 'bare' });
  const bytes = await parse(countedWat(cases));
  const report = await instrumentCoreModule(bytes, { asyncExports: [] });
  // lt stepping down and gt stepping up never end by their condition: those stay checked per iteration.
  const expected = cases.filter(({ op, step }) => !(op.startsWith('lt') && step < 0) && !(op.startsWith('gt') && step > 0)).length;
  assert.is(report.countedLoops, expected);
  let checks = 0;
  const plain = new wasm.Instance(new wasm.Module(bytes), {}).exports;
  const metered = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: { check: () => { checks++; return 0; }, yield: () => {} } }).exports;
  const edges = [0, 3, 100_000, 0x7ffffffe, 0x80000001, 0xfffffffd, 0xffffffff].map((x) => x | 0);
  for (let i = 0; i < cases.length; i++) {
    for (const k of edges) {
      for (const n of edges) {
        const [a, b] = [plain[`f${i}`]!(k, n, 300_000), metered[`f${i}`]!(k, n, 300_000)];
        if (a !== b) assert.unreachable(`case ${JSON.stringify(cases[i])} k=${k} n=${n}: ${a} plain, ${b} metered`);
      }
    }
  }
  // A loop that wraps around forever (k += 4 below 0xffffffff) is still metered all the way.
  checks = 0;
  const wrapping = cases.findIndex(({ op, step, form }) => op === 'lt_u' && step === 4 && form === 'stmt');
  const iterations = 20_000_000;
  metered[`f${wrapping}`]!(0, 0xffffffff | 0, iterations);
  const weight = report.functions[wrapping]!.loops[0]!;
  const due = Math.floor((iterations * weight) / FUEL_PER_CHECK);
  assert.ok(checks >= due / 2 && checks <= due * 2, `${checks} checks for ${iterations} iterations of weight ${weight} (about ${due} due)`);
  // And a long counted one is charged per chunk, about as often as per iteration.
  checks = 0;
  const counting = cases.findIndex(({ op, step, form }) => op === 'lt_u' && step === 1 && form === 'stmt');
  metered[`f${counting}`]!(0, iterations, iterations + 1);
  assert.ok(checks >= due / 2 && checks <= due * 2, `${checks} checks for ${iterations} counted iterations (about ${due} due)`);
});

test.run();
