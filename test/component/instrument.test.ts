// The fairness pass (src/component/instrument.ts, weigh.ts, custom-sections.ts):
// which functions and loops get a fuel check and with what weight, how the
// exports set may_suspend, and what the checks do when run, in both modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUEL_PER_CHECK, instrumentCoreModule, YIELD_MODULE } from '../../src/component/instrument.ts';
import { trimCustomSections } from '../../src/component/custom-sections.ts';
import { CALL_WEIGHT, IMPORT_CALL_WEIGHT } from '../../src/component/weigh.ts';

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
  assert.is(a - b, IMPORT_CALL_WEIGHT - CALL_WEIGHT);
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

test.run();
