;; wasi-clocks-v020: now + subscribe-duration + block + poll through the
;; @0.2.0 interface names. Same ABI as wasi-clocks-test (see its header).
;; Memory map: 0x00 init return area, 0x10 poll return area, 0x30 poll
;; argument list, 0x40 success state, 0x100 + 64*k messages, 0x1000.. heap.
(module
  (import "wasi:clocks/monotonic-clock@0.2.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.0" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.0" "[resource-drop]pollable" (func $drop (param i32)))

  (memory (export "memory") 1)

  (data (i32.const 0x40) "wasi-clocks-v020: all checks passed")
  (data (i32.const 0x100) "0.2.0 block returned before its deadline")
  (data (i32.const 0x140) "0.2.0 pollable not ready after block")
  (data (i32.const 0x180) "0.2.0 poll did not return [0]")
  (data (i32.const 0x1c0) "0.2.0 monotonic now decreased")

  (global $heap (mut i32) (i32.const 0x1000))
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $pages i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (local.set $pages
      (i32.sub
        (i32.shr_u (i32.add (global.get $heap) (i32.const 0xffff)) (i32.const 16))
        (memory.size)))
    (if (i32.gt_s (local.get $pages) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1))
          (then unreachable))))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  (func $ok (param $msg i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (local.get $msg))
    (i32.store (i32.const 12) (call $strlen (local.get $msg)))
    (i32.const 0))

  (func $fail (param $msg i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (local.get $msg))
    (i32.store (i32.const 8) (call $strlen (local.get $msg)))
    (i32.const 0))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $t0 i64) (local $t1 i64) (local $p i32) (local $r i32)
    (global.set $heap (i32.const 0x1000))
    (local.set $t0 (call $now))
    (local.set $p (call $subscribe_duration (i64.const 10000000)))
    (call $block (local.get $p))
    (local.set $t1 (call $now))
    (if (i64.lt_u (local.get $t1) (local.get $t0))
      (then (call $drop (local.get $p)) (return (call $fail (i32.const 0x1c0)))))
    (if (i64.lt_u (i64.sub (local.get $t1) (local.get $t0)) (i64.const 10000000))
      (then (call $drop (local.get $p)) (return (call $fail (i32.const 0x100)))))
    (if (i32.eqz (call $ready (local.get $p)))
      (then (call $drop (local.get $p)) (return (call $fail (i32.const 0x140)))))
    (i32.store (i32.const 0x30) (local.get $p))
    (call $poll (i32.const 0x30) (i32.const 1) (i32.const 0x10))
    (local.set $r (i32.load (i32.const 0x10)))
    (call $drop (local.get $p))
    (if (i32.or (i32.ne (i32.load (i32.const 0x14)) (i32.const 1)) (i32.load (local.get $r)))
      (then (return (call $fail (i32.const 0x180)))))
    (call $ok (i32.const 0x40)))
)
