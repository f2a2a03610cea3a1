;; pollable-hoarder: asks for many pollables and keeps them all.
;;   input state:  none (20 000) or 4 bytes = u32 LE count
;;   any other state length: err("pollable-hoarder: state must be 4 bytes, a u32 LE count")
;; It subscribes count one-hour timers without dropping any, then sleeps 20 ms
;; (subscribe-duration + block) so that hoarders run side by side, and returns
;; ok(some(u32 LE count)). Past its quota or the process's pollable limit the
;; host must trap it, and only it.
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "pollable-hoarder: state must be 4 bytes, a u32 LE count")

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
    (local $n i32) (local $i i32)
    (local.set $n (i32.const 20000))
    (if (i32.and (local.get $has_state) (i32.ne (local.get $state_len) (i32.const 4)))
      (then
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x100))
        (i32.store (i32.const 8) (i32.const 56))
        (return (i32.const 0))))
    (if (local.get $has_state)
      (then (local.set $n (i32.load (local.get $state_ptr)))))
    (global.set $heap (i32.const 0x1000))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (call $subscribe_duration (i64.const 3600000000000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (call $block (call $subscribe_duration (i64.const 20000000)))
    (i32.store (i32.const 0x40) (local.get $n))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 4))
    (i32.const 0))
)
