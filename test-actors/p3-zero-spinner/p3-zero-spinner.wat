;; p3-zero-spinner: the guest min_sleep_duration exists to stop, on WASI 0.3.
;; init loops n times on wait-for(0) (sync-lowered), and reports how long the
;; loop took by its own monotonic clock.
;;   input state:  none (n = 1000) or 4 bytes = u32 LE n
;;   output state: 16 bytes = u64 LE [elapsed ns, n]
;;   any other state length: err("zero-spinner: state must be 4 bytes, a u32 LE count")
;; Same ABI as wasi-clocks-test (see its header). Memory map: 0x00 init return
;; area, 0x40 output state, 0x100 failure message, 0x1000.. heap.
(module
  (import "wasi:clocks/monotonic-clock@0.3.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "wait-for" (func $wait_for (param i64)))

  (memory (export "memory") 1)

  (data (i32.const 0x100) "zero-spinner: state must be 4 bytes, a u32 LE count")

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

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $n i32) (local $i i32) (local $t0 i64)
    (local.set $n (i32.const 1000))
    (if (local.get $has_state)
      (then
        (if (i32.ne (local.get $state_len) (i32.const 4))
          (then
            ;; err("zero-spinner: state must be ...")
            (i32.store8 (i32.const 0) (i32.const 1))
            (i32.store (i32.const 4) (i32.const 0x100))
            (i32.store (i32.const 8) (i32.const 51))
            (return (i32.const 0))))
        (local.set $n (i32.load (local.get $state_ptr)))))
    (local.set $t0 (call $now))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $wait_for (i64.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.store (i32.const 0x40) (i64.sub (call $now) (local.get $t0)))
    (i64.store (i32.const 0x48) (i64.extend_i32_u (local.get $n)))
    ;; ok(some(16 bytes at 0x40))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 16))
    (i32.const 0))
)
