;; hog: holds the thread where the fairness pass used to see nothing, one way per
;; state. Every mode returns ok(none) when it is done (or the host stops it).
;;   a state of 65 536 bytes or more (any content): cabi_realloc, asked for the
;;        state's bytes (align 1), reads monotonic-clock.now() for (length) µs
;;        first; the glue calls it from JavaScript, where the guest cannot yield
;;   "P" + u64 LE ns:              init returns at once; its post-return function
;;                                 reads now() for ns (cannot yield either)
;;   "F" + u32 LE bytes + u32 LE rounds:  `rounds` memory.fill of that many bytes
;;   "C" + u32 LE bytes + u32 LE rounds:  `rounds` memory.copy of that many bytes,
;;                                 overlapping, alternately up and down by one byte
;;   "L" + u32 LE count:           poll on a list of `count` copies of one ready
;;                                 pollable (subscribe-duration(0)); the result is
;;                                 the number of ready entries, as u32 LE
;;   anything else: err("hog: unknown state")
;; Memory map: 0x00 init return area, 0x10 poll return area, 0x40 output state,
;; 0x100 message, 0x1000.. heap (bump, reset per call), 0x10000.. fill/copy area.
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "hog: unknown state")

  (global $heap (mut i32) (i32.const 0x1000))
  (global $post_ns (mut i64) (i64.const 0))

  ;; Grows memory so that [0, end) is addressable.
  (func $reserve (param $end i32)
    (local $pages i32)
    (local.set $pages
      (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 0xffff)) (i32.const 16)) (memory.size)))
    (if (i32.gt_s (local.get $pages) (i32.const 0))
      (then (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1)) (then unreachable)))))

  (func $spin (param $ns i64)
    (local $start i64)
    (local.set $start (call $now))
    (loop $next
      (br_if $next (i64.lt_u (i64.sub (call $now) (local.get $start)) (local.get $ns)))))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32)
    (if (i32.and (i32.eq (local.get $align) (i32.const 1)) (i32.ge_u (local.get $new_size) (i32.const 65536)))
      (then (call $spin (i64.mul (i64.extend_i32_u (local.get $new_size)) (i64.const 1000)))))
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (call $reserve (global.get $heap))
    (local.get $ptr))

  (func (export "cabi_post_theater:simple/actor#init") (param $ret i32)
    (call $spin (global.get $post_ns))
    (global.set $post_ns (i64.const 0)))

  (func $fill (param $size i32) (param $rounds i32)
    (call $reserve (i32.add (i32.const 0x10000) (local.get $size)))
    (block $out
      (loop $next
        (br_if $out (i32.eqz (local.get $rounds)))
        (memory.fill (i32.const 0x10000) (local.get $rounds) (local.get $size))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $next))))

  (func $copy (param $size i32) (param $rounds i32)
    (call $reserve (i32.add (i32.const 0x10001) (local.get $size)))
    (block $out
      (loop $next
        (br_if $out (i32.eqz (local.get $rounds)))
        (if (i32.and (local.get $rounds) (i32.const 1))
          (then (memory.copy (i32.const 0x10001) (i32.const 0x10000) (local.get $size)))
          (else (memory.copy (i32.const 0x10000) (i32.const 0x10001) (local.get $size))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $next))))

  (func $poll_list (param $count i32) (result i32)
    (local $p i32) (local $list i32) (local $i i32)
    (local.set $p (call $subscribe_duration (i64.const 0)))
    (local.set $list (i32.const 0x10000))
    (call $reserve (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (global.set $heap (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $count)))
        (i32.store (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2))) (local.get $p))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $poll (local.get $list) (local.get $count) (i32.const 0x10))
    (call $drop (local.get $p))
    (i32.load (i32.const 0x14)))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $mode i32)
    (if (i32.eqz (local.get $has_state)) (then (return (call $unknown))))
    (if (i32.ge_u (local.get $state_len) (i32.const 65536)) (then (return (call $none))))
    (if (i32.eqz (local.get $state_len)) (then (return (call $unknown))))
    (local.set $mode (i32.load8_u (local.get $state_ptr)))
    (if (i32.and (i32.eq (local.get $mode) (i32.const 0x50)) (i32.eq (local.get $state_len) (i32.const 9)))
      (then
        (global.set $post_ns (i64.load (i32.add (local.get $state_ptr) (i32.const 1))))
        (return (call $none))))
    (if (i32.and (i32.eq (local.get $mode) (i32.const 0x46)) (i32.eq (local.get $state_len) (i32.const 9)))
      (then
        (call $fill (i32.load (i32.add (local.get $state_ptr) (i32.const 1))) (i32.load (i32.add (local.get $state_ptr) (i32.const 5))))
        (return (call $none))))
    (if (i32.and (i32.eq (local.get $mode) (i32.const 0x43)) (i32.eq (local.get $state_len) (i32.const 9)))
      (then
        (call $copy (i32.load (i32.add (local.get $state_ptr) (i32.const 1))) (i32.load (i32.add (local.get $state_ptr) (i32.const 5))))
        (return (call $none))))
    (if (i32.and (i32.eq (local.get $mode) (i32.const 0x4c)) (i32.eq (local.get $state_len) (i32.const 5)))
      (then
        (i32.store (i32.const 0x40) (call $poll_list (i32.load (i32.add (local.get $state_ptr) (i32.const 1)))))
        (global.set $heap (i32.const 0x1000))
        (i32.store8 (i32.const 0) (i32.const 0))
        (i32.store8 (i32.const 4) (i32.const 1))
        (i32.store (i32.const 8) (i32.const 0x40))
        (i32.store (i32.const 12) (i32.const 4))
        (return (i32.const 0))))
    (call $unknown))

  ;; ok(none), with the heap reset for the next call.
  (func $none (result i32)
    (global.set $heap (i32.const 0x1000))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 0))
    (i32.const 0))

  ;; err("hog: unknown state")
  (func $unknown (result i32)
    (global.set $heap (i32.const 0x1000))
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 18))
    (i32.const 0))
)
