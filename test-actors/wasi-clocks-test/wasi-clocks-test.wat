;; wasi-clocks-test: port of the Rust seed actor, plus the checks it lacked.
;;
;; Canonical ABI by hand (see test-actors/README.md):
;;   init(option<list<u8>>)       -> params (is_some, ptr, len); result is a
;;                                   pointer to a 16-byte return area:
;;                                   [0] u8 0=ok 1=err
;;                                   ok:  [4] u8 option tag, [8] ptr, [12] len
;;                                   err: [4] ptr, [8] len (UTF-8)
;;   poll(list<borrow<pollable>>) -> params (ptr, len, retptr); the host
;;                                   writes (ptr, len) of a list<u32> it
;;                                   allocated through cabi_realloc at retptr.
;;   wall-clock now/resolution    -> param retptr; datetime at retptr:
;;                                   [0] u64 seconds, [8] u32 nanoseconds.
;;
;; Memory map: 0x00 init return area, 0x10 poll return area, 0x20 datetime,
;; 0x30 poll argument list (4 handles), 0x40 success state, 0x100 + 64*k
;; NUL-terminated failure messages, 0x800 live pollable handles (64), 0x1000..
;; heap (bump, reset per call).
;; All times are nanoseconds (u64, compared unsigned).
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "resolution" (func $resolution (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-instant" (func $subscribe_instant (param i64) (result i32)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:clocks/wall-clock@0.2.3" "now" (func $wall_now (param i32)))
  (import "wasi:clocks/wall-clock@0.2.3" "resolution" (func $wall_resolution (param i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))

  (memory (export "memory") 1)

  (data (i32.const 0x40) "wasi-clocks-test: all checks passed")

  (data (i32.const 0x100) "monotonic resolution is zero")
  (data (i32.const 0x140) "monotonic now decreased")
  (data (i32.const 0x180) "100 ms instant ready before its deadline")
  (data (i32.const 0x1c0) "50 ms duration ready before its deadline")
  (data (i32.const 0x200) "poll on both returned an empty list")
  (data (i32.const 0x240) "poll returned an index out of range")
  (data (i32.const 0x280) "poll on both returned before 50 ms")
  (data (i32.const 0x2c0) "poll reported the 100 ms instant early")
  (data (i32.const 0x300) "poll on both did not report the 50 ms duration")
  (data (i32.const 0x340) "ready() false on an index poll reported")
  (data (i32.const 0x380) "1 ms pollable not ready after a 5 ms block")
  (data (i32.const 0x3c0) "5 ms block returned before its deadline")
  (data (i32.const 0x400) "poll on the 1 ms pollable did not return [0]")
  (data (i32.const 0x440) "20 ms block returned before its deadline")
  (data (i32.const 0x480) "20 ms block returned more than 1 s late")
  (data (i32.const 0x4c0) "poll([10ms, 10s]) did not return exactly [0]")
  (data (i32.const 0x500) "poll([10ms, 10s]) returned before 10 ms")
  (data (i32.const 0x540) "poll([10ms, 10s]) returned more than 1 s late")
  (data (i32.const 0x580) "10 s pollable ready after 10 ms")
  (data (i32.const 0x5c0) "instant in the past not ready after block")
  (data (i32.const 0x600) "poll on instant zero did not return [0]")
  (data (i32.const 0x640) "wall-clock seconds implausible")
  (data (i32.const 0x680) "wall-clock nanoseconds >= 1e9")
  (data (i32.const 0x6c0) "wall-clock resolution nanoseconds >= 1e9")
  (data (i32.const 0x700) "wall-clock resolution is zero")
  (data (i32.const 0x740) "poll([p, p]) on a ready p did not return [0, 1]")
  (data (i32.const 0x780) "monotonic now decreased across the checks")
  (data (i32.const 0x7c0) "past instants took more than 1 s to become ready")

  ;; Bump allocator. Grows memory on demand; freeing is a no-op.
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

  ;; ok(some(<NUL-terminated bytes at $msg>))
  (func $ok (param $msg i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (local.get $msg))
    (i32.store (i32.const 12) (call $strlen (local.get $msg)))
    (i32.const 0))

  ;; Every pollable this call creates is tracked, so that both the success
  ;; and the failure paths drop all of them (a leaked 10 s timer would keep
  ;; the host busy after a failed check).
  (global $live (mut i32) (i32.const 0))
  (func $track (param $h i32) (result i32)
    (i32.store (i32.add (i32.const 0x800) (i32.shl (global.get $live) (i32.const 2))) (local.get $h))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $h))
  (func $drop_all
    (block $done
      (loop $next
        (br_if $done (i32.eqz (global.get $live)))
        (global.set $live (i32.sub (global.get $live) (i32.const 1)))
        (call $drop (i32.load (i32.add (i32.const 0x800) (i32.shl (global.get $live) (i32.const 2)))))
        (br $next))))
  (func $sub_instant (param $t i64) (result i32) (call $track (call $subscribe_instant (local.get $t))))
  (func $sub_duration (param $d i64) (result i32) (call $track (call $subscribe_duration (local.get $d))))

  ;; err(<NUL-terminated message at $msg>), after dropping every live pollable.
  (func $fail (param $msg i32) (result i32)
    (call $drop_all)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (local.get $msg))
    (i32.store (i32.const 8) (call $strlen (local.get $msg)))
    (i32.const 0))

  ;; poll on [a] or [a, b]; returns the result pointer, length at 0x14.
  (func $poll1 (param $a i32) (result i32)
    (i32.store (i32.const 0x30) (local.get $a))
    (call $poll (i32.const 0x30) (i32.const 1) (i32.const 0x10))
    (i32.load (i32.const 0x10)))
  (func $poll2 (param $a i32) (param $b i32) (result i32)
    (i32.store (i32.const 0x30) (local.get $a))
    (i32.store (i32.const 0x34) (local.get $b))
    (call $poll (i32.const 0x30) (i32.const 2) (i32.const 0x10))
    (i32.load (i32.const 0x10)))
  (func $poll_len (result i32) (i32.load (i32.const 0x14)))

  ;; Does the list<u32> (ptr, len) contain idx?
  (func $contains (param $ptr i32) (param $len i32) (param $idx i32) (result i32)
    (local $i i32)
    (block $no
      (loop $next
        (br_if $no (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2))))
                    (local.get $idx))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $t0 i64) (local $t1 i64) (local $t2 i64) (local $t3 i64) (local $tsd i64)
    (local $pi i32) (local $pd i32) (local $p1 i32) (local $p5 i32)
    (local $pb i32) (local $pa i32) (local $pz i32) (local $pp i32)
    (local $r i32) (local $n i32) (local $i i32) (local $idx i32)
    (global.set $heap (i32.const 0x1000))
    (global.set $live (i32.const 0))

    ;; --- seed: now, resolution, now again never decreasing ---
    (local.set $t0 (call $now))
    (if (i64.eqz (call $resolution))
      (then (return (call $fail (i32.const 0x100)))))
    (local.set $t1 (call $now))
    (if (i64.lt_u (local.get $t1) (local.get $t0))
      (then (return (call $fail (i32.const 0x140)))))

    ;; --- seed: subscribe-instant 100 ms ahead, subscribe-duration 50 ms ---
    (local.set $pi (call $sub_instant (i64.add (local.get $t1) (i64.const 100000000))))
    (local.set $tsd (call $now))
    (local.set $pd (call $sub_duration (i64.const 50000000)))

    ;; ready() never blocks; if it says true, the deadline must have passed.
    (if (call $ready (local.get $pi))
      (then
        (if (i64.lt_u (call $now) (i64.add (local.get $t1) (i64.const 100000000)))
          (then (return (call $fail (i32.const 0x180)))))))
    (if (call $ready (local.get $pd))
      (then
        (if (i64.lt_u (call $now) (i64.add (local.get $tsd) (i64.const 50000000)))
          (then (return (call $fail (i32.const 0x1c0)))))))

    ;; --- seed: poll on both ---
    (local.set $r (call $poll2 (local.get $pi) (local.get $pd)))
    (local.set $n (call $poll_len))
    (local.set $t2 (call $now))
    (if (i32.eqz (local.get $n))
      (then (return (call $fail (i32.const 0x200)))))
    ;; Every reported index is in range and really ready.
    (local.set $i (i32.const 0))
    (block $checked
      (loop $next
        (br_if $checked (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $idx (i32.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.gt_u (local.get $idx) (i32.const 1))
          (then (return (call $fail (i32.const 0x240)))))
        (if (i32.eqz (call $ready (select (local.get $pi) (local.get $pd) (i32.eqz (local.get $idx)))))
          (then (return (call $fail (i32.const 0x340)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; The earliest deadline is the 50 ms duration: poll may not return sooner.
    (if (i64.lt_u (local.get $t2) (i64.add (local.get $tsd) (i64.const 50000000)))
      (then (return (call $fail (i32.const 0x280)))))
    (if (call $contains (local.get $r) (local.get $n) (i32.const 0))
      (then
        (if (i64.lt_u (local.get $t2) (i64.add (local.get $t1) (i64.const 100000000)))
          (then (return (call $fail (i32.const 0x2c0)))))))
    (if (i32.eqz (call $contains (local.get $r) (local.get $n) (i32.const 1)))
      (then (return (call $fail (i32.const 0x300)))))

    ;; --- seed: a 1 ms pollable checked after a 5 ms block, then poll on it ---
    (local.set $p1 (call $sub_duration (i64.const 1000000)))
    (local.set $t0 (call $now))
    (local.set $p5 (call $sub_duration (i64.const 5000000)))
    (call $block (local.get $p5))
    (if (i64.lt_u (call $now) (i64.add (local.get $t0) (i64.const 5000000)))
      (then (return (call $fail (i32.const 0x3c0)))))
    (if (i32.eqz (call $ready (local.get $p1)))
      (then (return (call $fail (i32.const 0x380)))))
    (local.set $r (call $poll1 (local.get $p1)))
    (if (i32.or (i32.ne (call $poll_len) (i32.const 1)) (i32.load (local.get $r)))
      (then (return (call $fail (i32.const 0x400)))))

    ;; --- duplicates: each ready position is reported ---
    (local.set $r (call $poll2 (local.get $p1) (local.get $p1)))
    (if (i32.or
          (i32.ne (call $poll_len) (i32.const 2))
          (i32.or (i32.ne (i32.load (local.get $r)) (i32.const 0))
                  (i32.ne (i32.load offset=4 (local.get $r)) (i32.const 1))))
      (then (return (call $fail (i32.const 0x740)))))

    ;; --- block never returns before its deadline, nor wildly late ---
    (local.set $t0 (call $now))
    (local.set $pb (call $sub_duration (i64.const 20000000)))
    (call $block (local.get $pb))
    (local.set $t1 (i64.sub (call $now) (local.get $t0)))
    (if (i64.lt_u (local.get $t1) (i64.const 20000000))
      (then (return (call $fail (i32.const 0x440)))))
    (if (i64.gt_u (local.get $t1) (i64.const 1020000000))
      (then (return (call $fail (i32.const 0x480)))))

    ;; --- poll waits when nothing is ready and reports only the ready index ---
    (local.set $t0 (call $now))
    (local.set $pa (call $sub_duration (i64.const 10000000)))
    (local.set $pz (call $sub_duration (i64.const 10000000000)))
    (local.set $r (call $poll2 (local.get $pa) (local.get $pz)))
    (local.set $t1 (i64.sub (call $now) (local.get $t0)))
    (if (i32.or (i32.ne (call $poll_len) (i32.const 1)) (i32.load (local.get $r)))
      (then (return (call $fail (i32.const 0x4c0)))))
    (if (i64.lt_u (local.get $t1) (i64.const 10000000))
      (then (return (call $fail (i32.const 0x500)))))
    (if (i64.gt_u (local.get $t1) (i64.const 1010000000))
      (then (return (call $fail (i32.const 0x540)))))
    (if (call $ready (local.get $pz))
      (then (return (call $fail (i32.const 0x580)))))

    ;; --- an instant in the past (and instant 0) becomes ready without a real wait ---
    ;; The host raises a zero delay to min_sleep_duration (the seed's rule
    ;; against tight-loop polling), so these wait at most that minimum: block
    ;; and poll return, the pollables are then ready, all within 1 s.
    (local.set $t0 (call $now))
    (local.set $pp (call $sub_instant
      (select (i64.sub (local.get $t0) (i64.const 1000000)) (i64.const 0)
              (i64.ge_u (local.get $t0) (i64.const 1000000)))))
    (call $block (local.get $pp))
    (if (i32.eqz (call $ready (local.get $pp)))
      (then (return (call $fail (i32.const 0x5c0)))))
    (local.set $pp (call $sub_instant (i64.const 0)))
    (local.set $r (call $poll1 (local.get $pp)))
    (if (i32.or (i32.ne (call $poll_len) (i32.const 1)) (i32.load (local.get $r)))
      (then (return (call $fail (i32.const 0x600)))))
    (if (i64.gt_u (i64.sub (call $now) (local.get $t0)) (i64.const 1000000000))
      (then (return (call $fail (i32.const 0x7c0)))))

    ;; --- wall clock: plausible seconds, nanoseconds < 1e9, resolution ---
    (call $wall_now (i32.const 0x20))
    (if (i32.or (i64.le_u (i64.load (i32.const 0x20)) (i64.const 1600000000))
                (i64.ge_u (i64.load (i32.const 0x20)) (i64.const 4200000000)))
      (then (return (call $fail (i32.const 0x640)))))
    (if (i32.ge_u (i32.load (i32.const 0x28)) (i32.const 1000000000))
      (then (return (call $fail (i32.const 0x680)))))
    (call $wall_resolution (i32.const 0x20))
    (if (i32.ge_u (i32.load (i32.const 0x28)) (i32.const 1000000000))
      (then (return (call $fail (i32.const 0x6c0)))))
    (if (i32.and (i64.eqz (i64.load (i32.const 0x20))) (i32.eqz (i32.load (i32.const 0x28))))
      (then (return (call $fail (i32.const 0x700)))))

    (local.set $t3 (call $now))
    (if (i64.lt_u (local.get $t3) (local.get $t0))
      (then (return (call $fail (i32.const 0x780)))))

    ;; Drop every pollable this call created (the 10 s one is still pending).
    (call $drop_all)
    (call $ok (i32.const 0x40)))
)
