;; bench: per-call overhead of the WASI clocks/poll imports, looped in the guest
;; so one export call amortises the host->guest entry over `iterations` calls.
;;
;; bench:actor/bench.run(op: u32, iterations: u32) -> u64, flat ABI
;; (param i32 i32) (result i64). Ops (an unknown op traps):
;;   0  bench:noop/noop.noop()                      the floor
;;   1  monotonic-clock.now()                       returns the wrapping sum
;;   2  subscribe-duration(0) + drop
;;   3  ready() on one ready pollable               returns the count of true
;;   4  block() on one already-ready pollable
;;   5  now() + subscribe-duration(0) + block() + drop, the composite per-call cost
;;   6  poll over `iterations` pollables: iterations-1 of 1 hour and a last one
;;      of 1 ms that becomes ready; returns the ns the poll call took (guest view)
;;   7  as 6, but the last one is already ready (subscribe-instant(0))
;; Ops 0-5 return a checksum or `iterations`, so the loop has an observable result.
;; "Already ready" pollables come from subscribe-instant(0): an instant in the
;; past, ready at once because the benches run with min_sleep_duration = 0 (a
;; larger minimum raises zero delays too).
;;
;; theater:simple/actor.init returns ok(some("bench: ready")) and does nothing.
;; Memory map: 0x00 init return area, 0x10 poll return area, 0x40 state,
;; 0x1000.. heap (bump, reset per call; op 6/7 put their handle list there).
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-instant" (func $subscribe_instant (param i64) (result i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))
  (import "bench:noop/noop" "noop" (func $noop))

  (memory (export "memory") 1)

  (data (i32.const 0x40) "bench: ready")

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
    (global.set $heap (i32.const 0x1000))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 12))
    (i32.const 0))

  ;; Op 6/7: n pollables, the last one (1 ms, or already ready) is the only
  ;; one that can be ready; returns the ns the poll call took.
  (func $poll_many (param $n i32) (param $last_ready i32) (result i64)
    (local $list i32) (local $i i32) (local $t0 i64) (local $t1 i64)
    (if (i32.eqz (local.get $n)) (then unreachable))
    (local.set $list (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 4)
      (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.sub (local.get $n) (i32.const 1))))
        (i32.store (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))
          (call $subscribe_duration (i64.const 3600000000000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))
      (if (result i32) (local.get $last_ready)
        (then (call $subscribe_instant (i64.const 0)))
        (else (call $subscribe_duration (i64.const 1000000)))))
    (local.set $t0 (call $now))
    (call $poll (local.get $list) (local.get $n) (i32.const 0x10))
    (local.set $t1 (call $now))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $drop (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.sub (local.get $t1) (local.get $t0)))

  (func (export "bench:actor/bench#run") (param $op i32) (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $p i32)
    (global.set $heap (i32.const 0x1000))
    (block $unknown
      (block $op7 (block $op6 (block $op5 (block $op4 (block $op3 (block $op2 (block $op1 (block $op0
        (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7 $unknown (local.get $op)))
        ;; 0: no-op import
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (call $noop)
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (return (i64.extend_i32_u (local.get $n))))
        ;; 1: now
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (local.set $acc (i64.add (local.get $acc) (call $now)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (return (local.get $acc)))
        ;; 2: subscribe-duration(0) + drop
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (call $drop (call $subscribe_duration (i64.const 0)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (return (i64.extend_i32_u (local.get $n))))
        ;; 3: ready on one ready pollable
        (local.set $p (call $subscribe_instant (i64.const 0)))
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (call $ready (local.get $p)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (call $drop (local.get $p))
        (return (local.get $acc)))
        ;; 4: block on an already-ready pollable
        (local.set $p (call $subscribe_instant (i64.const 0)))
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (call $block (local.get $p))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (call $drop (local.get $p))
        (return (i64.extend_i32_u (local.get $n))))
        ;; 5: now + subscribe-duration(0) + block + drop
        (loop $next
          (if (i32.lt_u (local.get $i) (local.get $n))
            (then
              (local.set $acc (i64.add (local.get $acc) (call $now)))
              (local.set $p (call $subscribe_duration (i64.const 0)))
              (call $block (local.get $p))
              (call $drop (local.get $p))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next))))
        (return (local.get $acc)))
        ;; 6: poll over n pollables, the last becomes ready after 1 ms
        (return (call $poll_many (local.get $n) (i32.const 0))))
      ;; 7: poll over n pollables, the last already ready
      (return (call $poll_many (local.get $n) (i32.const 1))))
    unreachable)
)
