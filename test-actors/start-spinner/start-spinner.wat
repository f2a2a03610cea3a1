;; start-spinner: its core module's start function reads monotonic-clock.now()
;; in a loop for 10 s, before any export can be called. The start function runs
;; while the component is instantiated, where the guest cannot yield, so only the
;; hold limit (max_hold_ms, default 200 ms) or max_cpu_ms can stop it.
;;   init (if it is ever reached): ok(none)
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0x1000))
  (global $reads (mut i64) (i64.const 0))
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (if (i32.gt_u (global.get $heap) (i32.const 0x10000)) (then unreachable))
    (local.get $ptr))
  (func $spin
    (local $start i64)
    (local.set $start (call $now))
    (loop $next
      (global.set $reads (i64.add (global.get $reads) (i64.const 1)))
      (br_if $next (i64.lt_u (i64.sub (call $now) (local.get $start)) (i64.const 10000000000)))))
  (start $spin)
  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (global.set $heap (i32.const 0x1000))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 0))
    (i32.const 0))
)
