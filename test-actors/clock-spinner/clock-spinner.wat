;; clock-spinner: reads monotonic-clock.now in a tight loop, never waiting.
;;   input state:  none (spin 500 ms) or 8 bytes = u64 LE spin duration, ns
;;   output state: 8 bytes = u64 LE number of now() calls
;;   any other state length: err("clock-spinner: state must be 8 bytes, a u64 LE duration in ns")
;; Recorded, each now() is one event: the chain must stream to disk and stay
;; within max_events. Memory: 0x00 init return area, 0x40 output, 0x100 message.
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "clock-spinner: state must be 8 bytes, a u64 LE duration in ns")

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
    (local $d i64) (local $start i64) (local $count i64)
    (local.set $d (i64.const 500000000))
    (if (i32.and (local.get $has_state) (i32.ne (local.get $state_len) (i32.const 8)))
      (then
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x100))
        (i32.store (i32.const 8) (i32.const 62))
        (return (i32.const 0))))
    (if (local.get $has_state)
      (then (local.set $d (i64.load (local.get $state_ptr)))))
    (global.set $heap (i32.const 0x1000))
    (local.set $start (call $now))
    (loop $spin
      (local.set $count (i64.add (local.get $count) (i64.const 1)))
      (br_if $spin (i64.lt_u (i64.sub (call $now) (local.get $start)) (local.get $d))))
    (i64.store (i32.const 0x40) (local.get $count))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 8))
    (i32.const 0))
)
