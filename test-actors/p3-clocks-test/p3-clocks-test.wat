;; p3-clocks-test: the seed actor's checks (wasi-clocks-test) ported to WASI 0.3.
;;
;; Canonical ABI by hand (see test-actors/README.md):
;;   init(option<list<u8>>)    -> params (is_some, ptr, len); returns a pointer to
;;                                a 16-byte area: [0] u8 0=ok 1=err; ok: [4] u8
;;                                option tag, [8] ptr, [12] len; err: [4] ptr, [8] len
;;   wait-for / wait-until     -> `async func`s, lowered synchronously here (plain
;;                                imports that return when the wait is over)
;;   system-clock now          -> param retptr; instant at retptr: [0] s64 seconds,
;;                                [8] u32 nanoseconds
;; Memory map: 0x00 init return area, 0x20 instant, 0x40 success state, 0x100 +
;; 64*k NUL-terminated failure messages, 0x1000.. heap.
;; All times are nanoseconds (u64, compared unsigned).
(module
  (import "wasi:clocks/monotonic-clock@0.3.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "get-resolution" (func $resolution (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "wait-for" (func $wait_for (param i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "wait-until" (func $wait_until (param i64)))
  (import "wasi:clocks/system-clock@0.3.0" "now" (func $sys_now (param i32)))
  (import "wasi:clocks/system-clock@0.3.0" "get-resolution" (func $sys_resolution (result i64)))

  (memory (export "memory") 1)

  (data (i32.const 0x40) "p3-clocks-test: all checks passed")

  (data (i32.const 0x100) "monotonic resolution is zero")
  (data (i32.const 0x140) "monotonic now decreased")
  (data (i32.const 0x180) "wait-for(50 ms) returned early")
  (data (i32.const 0x1c0) "wait-for(50 ms) returned more than 1 s late")
  (data (i32.const 0x200) "wait-until(now + 20 ms) returned early")
  (data (i32.const 0x240) "wait-until(now + 20 ms) returned 1 s late")
  (data (i32.const 0x280) "wait-until of a past mark took 100 ms")
  (data (i32.const 0x2c0) "wait-until(0) took 100 ms")
  (data (i32.const 0x300) "wait-for(0) took 100 ms")
  (data (i32.const 0x340) "system-clock seconds implausible")
  (data (i32.const 0x380) "system-clock nanoseconds >= 1e9")
  (data (i32.const 0x3c0) "system-clock resolution is zero")
  (data (i32.const 0x400) "system-clock resolution >= 1 s")
  (data (i32.const 0x440) "monotonic now decreased across the checks")

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

  ;; err(<NUL-terminated message at $msg>)
  (func $fail (param $msg i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (local.get $msg))
    (i32.store (i32.const 8) (call $strlen (local.get $msg)))
    (i32.const 0))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $t0 i64) (local $a i64) (local $b i64) (local $mark i64)

    ;; --- monotonic: resolution, now never decreases ---
    (if (i64.eqz (call $resolution))
      (then (return (call $fail (i32.const 0x100)))))
    (local.set $t0 (call $now))
    (if (i64.lt_u (call $now) (local.get $t0))
      (then (return (call $fail (i32.const 0x140)))))

    ;; --- wait-for(50 ms): never early, not absurdly late ---
    (local.set $a (call $now))
    (call $wait_for (i64.const 50000000))
    (local.set $b (call $now))
    (if (i64.lt_u (i64.sub (local.get $b) (local.get $a)) (i64.const 50000000))
      (then (return (call $fail (i32.const 0x180)))))
    (if (i64.gt_u (i64.sub (local.get $b) (local.get $a)) (i64.const 1050000000))
      (then (return (call $fail (i32.const 0x1c0)))))

    ;; --- wait-until(now + 20 ms): not before the mark ---
    (local.set $mark (i64.add (call $now) (i64.const 20000000)))
    (call $wait_until (local.get $mark))
    (local.set $b (call $now))
    (if (i64.lt_u (local.get $b) (local.get $mark))
      (then (return (call $fail (i32.const 0x200)))))
    (if (i64.gt_u (i64.sub (local.get $b) (local.get $mark)) (i64.const 1000000000))
      (then (return (call $fail (i32.const 0x240)))))

    ;; --- a past mark returns at once (within min_sleep_duration) ---
    (local.set $a (call $now))
    (call $wait_until (i64.sub (local.get $a) (i64.const 1000000)))
    (if (i64.gt_u (i64.sub (call $now) (local.get $a)) (i64.const 100000000))
      (then (return (call $fail (i32.const 0x280)))))
    (local.set $a (call $now))
    (call $wait_until (i64.const 0))
    (if (i64.gt_u (i64.sub (call $now) (local.get $a)) (i64.const 100000000))
      (then (return (call $fail (i32.const 0x2c0)))))

    ;; --- zero waits ---
    (local.set $a (call $now))
    (call $wait_for (i64.const 0))
    (call $wait_for (i64.const 0))
    (if (i64.gt_u (i64.sub (call $now) (local.get $a)) (i64.const 100000000))
      (then (return (call $fail (i32.const 0x300)))))

    ;; --- system clock: plausible seconds, nanoseconds < 1e9, resolution ---
    (call $sys_now (i32.const 0x20))
    (if (i32.or (i64.le_s (i64.load (i32.const 0x20)) (i64.const 1600000000))
                (i64.ge_s (i64.load (i32.const 0x20)) (i64.const 4200000000)))
      (then (return (call $fail (i32.const 0x340)))))
    (if (i32.ge_u (i32.load (i32.const 0x28)) (i32.const 1000000000))
      (then (return (call $fail (i32.const 0x380)))))
    (if (i64.eqz (call $sys_resolution))
      (then (return (call $fail (i32.const 0x3c0)))))
    (if (i64.ge_u (call $sys_resolution) (i64.const 1000000000))
      (then (return (call $fail (i32.const 0x400)))))

    (if (i64.lt_u (call $now) (local.get $t0))
      (then (return (call $fail (i32.const 0x440)))))
    (call $ok (i32.const 0x40)))
)
