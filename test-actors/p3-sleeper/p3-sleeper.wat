;; p3-sleeper: the sleeper on WASI 0.3.0: init sleeps once with wait-for and returns its monotonic readings, so a fleet
;; benchmark can compute wake-up lateness without trusting the host.
;;   input state:  none (sleep 100 ms) or 8 bytes = u64 LE sleep duration, ns
;;   output state: 24 bytes = u64 LE [before, after, duration] in ns, where
;;                 before is read just before wait-for and after
;;                 just after it returns; lateness = after - before - duration.
;;   any other state length: err("sleeper: state must be 8 bytes, a u64 LE duration in ns")
;; Same ABI as wasi-clocks-test (see its header). Memory map: 0x00 init return
;; area, 0x40 output state, 0x1000.. heap (bump, reset per call).
(module
;; wait-for is an `async func`; this guest lowers it synchronously (a plain
;; import, as a toolchain without async support emits): the call returns when
;; the wait is over.
  (import "wasi:clocks/monotonic-clock@0.3.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "wait-for" (func $wait_for (param i64)))

  (memory (export "memory") 1)

  (data (i32.const 0x100) "sleeper: state must be 8 bytes, a u64 LE duration in ns")

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
    (local $d i64)
    (local.set $d (i64.const 100000000))
    (if (i32.and (local.get $has_state) (i32.ne (local.get $state_len) (i32.const 8)))
      (then
        ;; err("sleeper: state must be ...")
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x100))
        (i32.store (i32.const 8) (i32.const 55))
        (return (i32.const 0))))
    (if (i32.and (local.get $has_state) (i32.eq (local.get $state_len) (i32.const 8)))
      (then (local.set $d (i64.load (local.get $state_ptr)))))
    (global.set $heap (i32.const 0x1000))
    (i64.store (i32.const 0x40) (call $now))
    (call $wait_for (local.get $d))
    (i64.store (i32.const 0x48) (call $now))
    (i64.store (i32.const 0x50) (local.get $d))
    ;; ok(some(24 bytes at 0x40))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 24))
    (i32.const 0))
)
