;; stale-pollable: uses a pollable handle it no longer holds. The host must trap
;; the actor ("wasi trap: pollable used after drop"), in every case:
;;   state byte 0 (no state: 'p')
;;   'p'  subscribe-duration(1 s), drop it, poll([it])
;;   'r'  subscribe-duration(1 s), drop it, ready(it)
;;   'b'  subscribe-duration(1 s), drop it, block(it)
;;   'd'  subscribe-duration(1 s), drop it, drop it again
;;   'f'  ready(4242): a handle it never had (forged)
;;   'F'  poll([4242])
;; If the host returns instead, init returns err("stale-pollable: the host did not trap").
;; Memory: 0x00 init return area, 0x20 poll list, 0x30 poll return area,
;; 0x100 message, 0x1000.. heap.
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 0x100) "stale-pollable: the host did not trap")

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

  (func $dropped (result i32)
    (local $p i32)
    (local.set $p (call $subscribe_duration (i64.const 1000000000)))
    (call $drop (local.get $p))
    (local.get $p))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $mode i32)
    (local.set $mode (i32.const 0x70)) ;; 'p'
    (if (i32.and (local.get $has_state) (i32.gt_u (local.get $state_len) (i32.const 0)))
      (then (local.set $mode (i32.load8_u (local.get $state_ptr)))))
    (global.set $heap (i32.const 0x1000))
    (if (i32.eq (local.get $mode) (i32.const 0x70)) ;; 'p'
      (then
        (i32.store (i32.const 0x20) (call $dropped))
        (call $poll (i32.const 0x20) (i32.const 1) (i32.const 0x30))))
    (if (i32.eq (local.get $mode) (i32.const 0x72)) ;; 'r'
      (then (drop (call $ready (call $dropped)))))
    (if (i32.eq (local.get $mode) (i32.const 0x62)) ;; 'b'
      (then (call $block (call $dropped))))
    (if (i32.eq (local.get $mode) (i32.const 0x64)) ;; 'd'
      (then (call $drop (call $dropped))))
    (if (i32.eq (local.get $mode) (i32.const 0x66)) ;; 'f'
      (then (drop (call $ready (i32.const 4242)))))
    (if (i32.eq (local.get $mode) (i32.const 0x46)) ;; 'F'
      (then
        (i32.store (i32.const 0x20) (i32.const 4242))
        (call $poll (i32.const 0x20) (i32.const 1) (i32.const 0x30))))
    ;; err("stale-pollable: the host did not trap")
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 37))
    (i32.const 0))
)
