;; p3-bench: the per-call benchmark actor for WASI 0.3 (bench/p3.bench.ts).
;; init loops n times over one call and returns n, so a host times n calls in
;; one export call (the export's own cost amortised over n).
;;   input state:  8 bytes = u32 LE op, u32 LE n
;;                 ops: 0 nothing (the floor), 1 monotonic-clock now,
;;                      2 wait-for(0) (sync-lowered), 3 system-clock now
;;   output state: 8 bytes = u64 LE n
;;   any other state: err("p3-bench: state must be 8 bytes: u32 op, u32 n")
;; Memory map: 0x00 init return area, 0x20 instant, 0x40 output, 0x100 message.
(module
  (import "wasi:clocks/monotonic-clock@0.3.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "wait-for" (func $wait_for (param i64)))
  (import "wasi:clocks/system-clock@0.3.0" "now" (func $sys_now (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "p3-bench: state must be 8 bytes: u32 op, u32 n")

  (global $heap (mut i32) (i32.const 0x1000))
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 0x10000)))
      (then unreachable))
    (local.get $ptr))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $op i32) (local $n i32) (local $i i32) (local $sum i64)
    (global.set $heap (i32.const 0x1000))
    (if (i32.or (i32.eqz (local.get $has_state)) (i32.ne (local.get $state_len) (i32.const 8)))
      (then
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x100))
        (i32.store (i32.const 8) (i32.const 46))
        (return (i32.const 0))))
    (local.set $op (i32.load (local.get $state_ptr)))
    (local.set $n (i32.load offset=4 (local.get $state_ptr)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eq (local.get $op) (i32.const 1))
          (then (local.set $sum (i64.add (local.get $sum) (call $now)))))
        (if (i32.eq (local.get $op) (i32.const 2))
          (then (call $wait_for (i64.const 0))))
        (if (i32.eq (local.get $op) (i32.const 3))
          (then (call $sys_now (i32.const 0x20))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.store (i32.const 0x40) (i64.extend_i32_u (local.get $n)))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 8))
    (i32.const 0))
)
