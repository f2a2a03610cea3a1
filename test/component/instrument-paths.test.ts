// The fairness pass's weights follow the path that runs (weigh.ts), heavy loops
// are charged per region (instrument-regions.ts), and small recursive cycles
// every k-th level (instrument-recursion.ts):
// what each weighs, that the code computes what it did, and that the checks
// still come about as often as the work that really ran asks for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUEL_PER_CHECK, instrumentCoreModule, YIELD_MODULE } from '../../src/component/instrument.ts';
import { REGION_MIN } from '../../src/component/instrument-regions.ts';

const tools = (await import('@bytecodealliance/jco')) as { parse(wat: string): Promise<Uint8Array> };
type Exports = Record<string, (...args: number[]) => number>;
const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Exports }; Module: new (b: Uint8Array) => object; validate(b: Uint8Array): boolean } }).WebAssembly;

/** `n` statements that each add to $acc: 4 nodes apiece. */
const heavy = (n: number) => Array.from({ length: n }, (_, i) => `(local.set $acc (i32.add (local.get $acc) (i32.const ${i + 1})))`).join(' ');

/** A loop with an if whose arms weigh h and 2 statements, and a br_table dispatch loop with three cases of h statements and one of 10. */
const branchy = (h: number) => `(module
  (func (export "arms") (param $n i32) (param $heavy i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (if (local.get $heavy) (then ${heavy(h)}) (else ${heavy(2)}))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "dispatch") (param $n i32) (param $op i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (block $end
        (block $c3 (block $c2 (block $c1 (block $c0
          (br_table $c0 $c1 $c2 $c3 (local.get $op)))
          ${heavy(h)} (br $end))
          ${heavy(h)} (br $end))
          ${heavy(h)} (br $end))
          ${heavy(10)})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

async function instrumented(wat: string) {
  const bytes = await tools.parse(wat);
  const report = await instrumentCoreModule(bytes, { asyncExports: [] });
  assert.ok(wasm.validate(report.bytes));
  let checks = 0;
  const plain = new wasm.Instance(new wasm.Module(bytes), {}).exports;
  const metered = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: { check: () => { checks++; return 0; }, yield: () => {} } }).exports;
  return { report, plain, metered, checks: () => checks, reset: () => { checks = 0; } };
}

test('weights: an if costs its dearer arm, a br_table dispatch its dearest case, not every case', async () => {
  const { report } = await instrumented(branchy(100));
  const [arms, dispatch] = report.functions.map((f) => f.loops[0]!);
  // 100 statements of 4 nodes, plus the loop's own few; the 2-statement arm adds nothing.
  assert.ok(arms >= 400 && arms < 430 && arms < REGION_MIN, `the if's loop weighs its heavy arm (${arms})`);
  // Three cases of 100 statements and one of 10: one case's path, about 400 nodes, not 1,240.
  assert.ok(dispatch >= 400 && dispatch < 440 && dispatch < REGION_MIN, `the dispatch loop weighs one case (${dispatch})`);
});

test('the path that runs is never under-counted: the heavy arm and the dearest case check as often as their nodes ask', async () => {
  const { plain, metered, checks, reset, report } = await instrumented(branchy(100));
  const n = 50_000;
  for (const [name, args, weight] of [['arms', [n, 1], report.functions[0]!.loops[0]!], ['dispatch', [n, 2], report.functions[1]!.loops[0]!]] as const) {
    reset();
    assert.is(metered[name]!(...args), plain[name]!(...args), name);
    // Each iteration runs its path's nodes, the weight: the checks come exactly as due.
    const due = Math.floor((n * weight) / FUEL_PER_CHECK);
    assert.ok(checks() >= due - 1 && checks() <= due + 1, `${name}: ${checks()} checks, ${due} due`);
  }
  // The light arm and the light case are over-counted (charged as the heavy one): never fewer checks than they need.
  reset();
  assert.is(metered.dispatch!(n, 3), plain.dispatch!(n, 3));
  assert.ok(checks() >= Math.floor((n * 50) / FUEL_PER_CHECK), `${checks()} checks`);
});

test('heavy loops (REGION_MIN and up) are charged per region: each path pays its own nodes, the light ones far less', async () => {
  const { plain, metered, checks, reset, report } = await instrumented(branchy(300));
  const [arms, dispatch] = report.functions.map((f) => f.loops[0]!);
  assert.ok(arms < 30 && dispatch < 30, `the headers charge only the regions before the branch (${arms}, ${dispatch})`);
  const n = 50_000;
  // [export, args, the nodes its path runs per iteration at least and at most (header, region, loop tail)]
  const cases = [['arms', [n, 1], 1_200, 1_240], ['arms', [n, 0], 8, 40], ['dispatch', [n, 1], 1_200, 1_240], ['dispatch', [n, 3], 40, 80]] as const;
  for (const [name, args, low, high] of cases) {
    reset();
    assert.is(metered[name]!(...args), plain[name]!(...args), `${name}(${args[1]})`);
    const [min, max] = [Math.floor((n * low) / FUEL_PER_CHECK), Math.ceil((n * high) / FUEL_PER_CHECK)];
    assert.ok(checks() >= min && checks() <= max, `${name}(${args[1]}): ${checks()} checks, ${min}-${max} due`);
  }
});

/** A loop around a try whose body throws on odd iterations, its catch h statements (binaryen's text: jco's parser has no legacy try). */
const tryLoop = (h: number) => `(module (tag $e (param i32))
  (func (export "f") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $next
      (try (do (if (i32.and (local.get $i) (i32.const 1)) (then (throw $e (local.get $i)))) ${heavy(2)})
        (catch $e (drop (pop i32)) ${heavy(h)}))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

test('try/catch: a catch weighs from the costliest point of its try, stays in its region (its pop comes first), and computes', async () => {
  const binaryen = (await import('binaryen')).default;
  for (const h of [10, 200]) {
    const module = binaryen.parseText(tryLoop(h));
    module.setFeatures(binaryen.Features.All);
    const bytes = module.emitBinary();
    module.dispose();
    const report = await instrumentCoreModule(bytes, { asyncExports: [] });
    const weight = report.functions[0]!.loops[0]!;
    assert.ok(weight >= 4 * h + 8, `the loop weighs its catch (${weight}, h ${h})`);
    let checks = 0;
    const plain = new wasm.Instance(new wasm.Module(bytes), {}).exports;
    const metered = new wasm.Instance(new wasm.Module(report.bytes), { [YIELD_MODULE]: { check: () => { checks++; return 0; }, yield: () => {} } }).exports;
    assert.is(metered.f!(100_000), plain.f!(100_000));
    assert.ok(checks >= Math.floor((100_000 * weight) / FUEL_PER_CHECK) - 1, `${checks} checks`);
  }
});

const RECURSIVE = `(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $even (export "even") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1)) (else (call $odd (i32.sub (local.get $n) (i32.const 1))))))
  (func $odd (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (call $even (i32.sub (local.get $n) (i32.const 1))))))
  (func $tri (export "tri") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
      (else (i32.add (call $tri (i32.sub (local.get $n) (i32.const 1)))
        (i32.add (call $tri (i32.shr_u (local.get $n) (i32.const 1))) (call $tri (i32.shr_u (local.get $n) (i32.const 2))))))))
  (func $big (export "big") (param $n i32) (result i32) (local $acc i32)
    ${heavy(100)}
    (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc)) (else (call $big (i32.sub (local.get $n) (i32.const 1)))))))`;

test('recursive cycles: small ones get copies charged every third level (binary, mutual, ternary: every second), large ones per call', async () => {
  const { report, plain, metered } = await instrumented(RECURSIVE);
  const cycles = Object.fromEntries(report.recursiveCycles.map((c) => [[...c.members].sort().join('+'), c]));
  assert.equal(Object.keys(cycles).sort(), ['even+odd', 'fib', 'tri']);
  assert.is(cycles.fib!.levels, 3);
  assert.is(cycles['even+odd']!.levels, 3);
  assert.is(cycles.tri!.levels, 2, 'three calls into the cycle: (3^3 - 1) / 2 / 3 > 3, so two levels');
  const fibWeight = cycles.fib!.charge / 3;
  assert.ok(fibWeight > 20 && fibWeight < 60, `fib's entry weighs its path (${fibWeight})`);
  assert.ok(report.functions.every((f) => f.entry || !['fib', 'even', 'odd', 'tri', 'big'].includes(f.name)));
  for (const n of [0, 1, 2, 3, 10, 20]) assert.is(metered.fib!(n), plain.fib!(n), `fib(${n})`);
  for (const n of [0, 1, 2, 3, 7, 5_000]) assert.is(metered.even!(n), plain.even!(n), `even(${n})`);
  for (const n of [0, 1, 5, 100]) assert.is(metered.tri!(n), plain.tri!(n), `tri(${n})`);
  assert.is(metered.big!(1_000), plain.big!(1_000));
});

test('recursive cycles: the checks come about as often as a charge per call would make them', async () => {
  const { report, metered, checks, reset } = await instrumented(RECURSIVE);
  const fib = report.recursiveCycles.find((c) => c.members.includes('fib'))!;
  const weight = fib.charge / fib.levels;
  // fib(25) makes 242,785 calls; charged per call that is calls * weight / FUEL_PER_CHECK checks.
  const calls = 242_785;
  reset();
  metered.fib!(25);
  const due = (calls * weight) / FUEL_PER_CHECK;
  assert.ok(checks() >= due / 3 && checks() <= due * 2, `fib: ${checks()} checks, ${due.toFixed(0)} due per call`);
  // A linear recursion is counted exactly: every third call charges three calls.
  const mutual = report.recursiveCycles.find((c) => c.members.includes('even'))!;
  reset();
  metered.even!(5_000);
  const dueMutual = (5_000 * mutual.charge) / mutual.levels / FUEL_PER_CHECK;
  assert.ok(checks() >= dueMutual * 0.9 - 1 && checks() <= dueMutual * 1.1 + 1, `even/odd: ${checks()} checks, ${dueMutual.toFixed(1)} due`);
});

test.run();
