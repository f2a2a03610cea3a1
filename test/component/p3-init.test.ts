// Our lift of theater:simple/actor#init for p3 components, over a hand-written
// core module: every branch of the result, the state copy-in, post-return.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'jco-transpile-p3/wasm-tools';
import { ComponentError, INIT_EXPORT, liftInit, usesAsyncBuiltins } from '../../src/component/p3-init.ts';

// init: no state -> ok(none); state[0] = 0 -> ok(some(state)); 1 -> err("bad"); 2 -> bad result tag; 3 -> bad option tag;
// 4 -> ok(some) and 5 -> err, each claiming 64 MiB + 1 bytes (more than the guest's one page holds).
const WAT = (withRealloc: boolean) => `(module
  (memory (export "memory") 1)
  (data (i32.const 0x100) "bad")
  (global $posts (export "posts") (mut i32) (i32.const 0))
  ${withRealloc ? '(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x200))' : ''}
  (func (export "cabi_post_${INIT_EXPORT}") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
  (func (export "${INIT_EXPORT}") (param $has i32) (param $ptr i32) (param $len i32) (result i32) (local $k i32)
    (if (i32.eqz (local.get $has)) (then
      (i32.store8 (i32.const 0) (i32.const 0)) (i32.store8 (i32.const 4) (i32.const 0)) (return (i32.const 0))))
    (local.set $k (i32.load8_u (local.get $ptr)))
    (if (i32.eqz (local.get $k)) (then
      (i32.store8 (i32.const 0) (i32.const 0)) (i32.store8 (i32.const 4) (i32.const 1))
      (i32.store (i32.const 8) (local.get $ptr)) (i32.store (i32.const 12) (local.get $len)) (return (i32.const 0))))
    (if (i32.eq (local.get $k) (i32.const 1)) (then
      (i32.store8 (i32.const 0) (i32.const 1)) (i32.store (i32.const 4) (i32.const 0x100)) (i32.store (i32.const 8) (i32.const 3)) (return (i32.const 0))))
    (if (i32.eq (local.get $k) (i32.const 2)) (then (i32.store8 (i32.const 0) (i32.const 7)) (return (i32.const 0))))
    (if (i32.eq (local.get $k) (i32.const 4)) (then
      (i32.store8 (i32.const 0) (i32.const 0)) (i32.store8 (i32.const 4) (i32.const 1))
      (i32.store (i32.const 8) (i32.const 0)) (i32.store (i32.const 12) (i32.const 0x4000001)) (return (i32.const 0))))
    (if (i32.eq (local.get $k) (i32.const 5)) (then
      (i32.store8 (i32.const 0) (i32.const 1)) (i32.store (i32.const 4) (i32.const 0)) (i32.store (i32.const 8) (i32.const 0x4000001)) (return (i32.const 0))))
    (i32.store8 (i32.const 0) (i32.const 0)) (i32.store8 (i32.const 4) (i32.const 5))
    (i32.const 0)))`;

type Wasm = { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, unknown> } };
const W = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
async function instance(withRealloc = true) {
  return new W.Instance(new W.Module(await parse(WAT(withRealloc))), {}).exports;
}

test('ok(none), ok(some(state)) copied in and out, err as ComponentError, bad tags as TypeError; post-return after each', async () => {
  const exports = await instance();
  const init = liftInit(exports)!;
  assert.equal(await init(), [undefined]);
  assert.equal(await init(null), [undefined]);
  assert.equal(await init(new Uint8Array([0, 7, 9])), [new Uint8Array([0, 7, 9])]);
  await init(new Uint8Array([1])).then(() => assert.unreachable(), (e: unknown) => {
    assert.instance(e, ComponentError);
    assert.is((e as ComponentError).payload, 'bad');
    assert.is((e as Error).constructor.name, 'ComponentError', 'runtime/actor.ts reads a guest err by this name');
  });
  await init(new Uint8Array([2])).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /invalid variant discriminant for expected/));
  await init(new Uint8Array([3])).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /invalid variant discriminant for option/));
  assert.is((exports.posts as { value: number }).value, 4, 'post-return ran after every lifted result');
});

test('a state or err message over 64 MiB traps before it is copied or decoded', async () => {
  const init = liftInit(await instance())!;
  await init(new Uint8Array([4])).then(() => assert.unreachable(), (e: Error) =>
    assert.is(e.message, 'wasi trap: init returned a state of 67108865 bytes; at most 67108864 (64 MiB) are taken'));
  await init(new Uint8Array([5])).then(() => assert.unreachable(), (e: Error) =>
    assert.is(e.message, 'wasi trap: init returned an err message of 67108865 bytes; at most 67108864 (64 MiB) are taken'));
});

test('no init export or no memory: not ours to lift; a state without cabi_realloc is refused', async () => {
  assert.is(liftInit({}), null);
  assert.is(liftInit({ [INIT_EXPORT]: () => 0 }), null);
  const init = liftInit(await instance(false))!;
  assert.equal(await init(), [undefined]);
  await init(new Uint8Array([0])).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /no cabi_realloc/));
});

test('async built-ins are recognised by their bracketed names', () => {
  assert.ok(usesAsyncBuiltins(['now', '[async-lower]wait-for']));
  assert.ok(usesAsyncBuiltins(['[async-lift]theater:simple/actor#init']));
  assert.not.ok(usesAsyncBuiltins(['now', 'wait-for', INIT_EXPORT, 'cabi_realloc']));
});

test.run();
