;; spinner: holds the thread without waiting, the way a hostile or busy guest
;; does, so the fairness tests can check that other actors still wake on time.
;;   input state: 12 bytes = u32 LE mode, u64 LE amount
;;     mode 0  compute: `amount` rounds of a 64-bit mixing function (no imports)
;;     mode 1  clock:   reads monotonic-clock.now() until `amount` ns have passed
;;     mode 2  poll:    `amount` times poll([subscribe-duration(0)]) and drop it
;;     mode 3  recurse: naive recursive fib(amount), no loop at all
;;   output state: 8 bytes = u64 LE (the mix, the number of reads, the number of
;;                 polls, or fib(amount)), so the work cannot be optimised away.
;;   any other state: err("spinner: state must be 12 bytes: u32 mode (0-3), u64 amount")
;; Memory map: 0x00 init return area, 0x10 poll return area, 0x30 poll list,
;; 0x40 output state, 0x100 message, 0x1000.. heap (bump, reset per poll).
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "spinner: state must be 12 bytes: u32 mode (0-3), u64 amount")

  (global $heap (mut i32) (i32.const 0x1000))
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

  (func $compute (param $rounds i64) (result i64)
    (local $x i64)
    (local.set $x (i64.const 0x9e3779b97f4a7c15))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $rounds)))
        (local.set $x (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 31)))
                               (i64.const 0xbf58476d1ce4e5b9)))
        (local.set $rounds (i64.sub (local.get $rounds) (i64.const 1)))
        (br $next)))
    (local.get $x))

  (func $clock (param $ns i64) (result i64)
    (local $start i64) (local $reads i64)
    (local.set $start (call $now))
    (loop $next
      (local.set $reads (i64.add (local.get $reads) (i64.const 1)))
      (br_if $next (i64.lt_u (i64.sub (call $now) (local.get $start)) (local.get $ns))))
    (local.get $reads))

  (func $polls (param $count i64) (result i64)
    (local $p i32) (local $done i64)
    (block $out
      (loop $next
        (br_if $out (i64.ge_u (local.get $done) (local.get $count)))
        (global.set $heap (i32.const 0x1000))
        (local.set $p (call $subscribe_duration (i64.const 0)))
        (i32.store (i32.const 0x30) (local.get $p))
        (call $poll (i32.const 0x30) (i32.const 1) (i32.const 0x10))
        (call $drop (local.get $p))
        (local.set $done (i64.add (local.get $done) (i64.const 1)))
        (br $next)))
    (local.get $done))

  (func $fib (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2)))))))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $mode i32) (local $amount i64) (local $out i64)
    (if (i32.or (i32.eqz (local.get $has_state)) (i32.ne (local.get $state_len) (i32.const 12)))
      (then (return (call $fail))))
    (local.set $mode (i32.load (local.get $state_ptr)))
    (local.set $amount (i64.load (i32.add (local.get $state_ptr) (i32.const 4))))
    (block $bad
      (block $m3
        (block $m2
          (block $m1
            (block $m0
              (br_table $m0 $m1 $m2 $m3 $bad (local.get $mode)))
            (local.set $out (call $compute (local.get $amount)))
            (br $bad))
          (local.set $out (call $clock (local.get $amount)))
          (br $bad))
        (local.set $out (call $polls (local.get $amount)))
        (br $bad))
      (local.set $out (call $fib (local.get $amount))))
    (if (i32.gt_u (local.get $mode) (i32.const 3)) (then (return (call $fail))))
    (i64.store (i32.const 0x40) (local.get $out))
    ;; ok(some(8 bytes at 0x40))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 8))
    (i32.const 0))

  (func $fail (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 59))
    (i32.const 0))
)
