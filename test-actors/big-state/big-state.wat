;; big-state: hands the host as many bytes as it is told, as its state or its err.
;;   state: a mode byte + u32 LE n
;;     'S'  ok(some(n zero bytes)): a binary state (shown as hex)
;;     'T'  ok(some(n bytes of "a")): a text state
;;     'E'  err(n bytes of "x")
;;   anything else: err("big-state: unknown state")
;; The bytes sit at 0x10000; memory grows to hold them (a trap past 4 GiB).
(module
  (memory (export "memory") 1)
  (data (i32.const 0x100) "big-state: unknown state")

  (global $heap (mut i32) (i32.const 0x1000))
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (call $reserve (global.get $heap))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  ;; Grows memory so that [0, end) is addressable (end is unsigned, up to 4 GiB).
  (func $reserve (param $end i32)
    (local $pages i32)
    (local.set $pages
      (i32.sub
        (i32.wrap_i64 (i64.shr_u (i64.add (i64.extend_i32_u (local.get $end)) (i64.const 0xffff)) (i64.const 16)))
        (memory.size)))
    (if (i32.gt_s (local.get $pages) (i32.const 0))
      (then (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1)) (then unreachable)))))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $mode i32) (local $n i32)
    (global.set $heap (i32.const 0x1000))
    (if (i32.or (i32.eqz (local.get $has_state)) (i32.ne (local.get $state_len) (i32.const 5)))
      (then (return (call $unknown))))
    (local.set $mode (i32.load8_u (local.get $state_ptr)))
    (local.set $n (i32.load align=1 (i32.add (local.get $state_ptr) (i32.const 1))))
    (call $reserve (i32.add (i32.const 0x10000) (local.get $n)))
    (if (i32.eq (local.get $mode) (i32.const 0x53)) ;; 'S'
      (then
        (memory.fill (i32.const 0x10000) (i32.const 0) (local.get $n))
        (return (call $ok (local.get $n)))))
    (if (i32.eq (local.get $mode) (i32.const 0x54)) ;; 'T'
      (then
        (memory.fill (i32.const 0x10000) (i32.const 0x61) (local.get $n))
        (return (call $ok (local.get $n)))))
    (if (i32.eq (local.get $mode) (i32.const 0x45)) ;; 'E'
      (then
        (memory.fill (i32.const 0x10000) (i32.const 0x78) (local.get $n))
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x10000))
        (i32.store (i32.const 8) (local.get $n))
        (return (i32.const 0))))
    (call $unknown))

  (func $ok (param $n i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x10000))
    (i32.store (i32.const 12) (local.get $n))
    (i32.const 0))

  (func $unknown (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 24))
    (i32.const 0))
)
