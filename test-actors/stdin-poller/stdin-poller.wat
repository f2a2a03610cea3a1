;; stdin-poller: a guest that mixes our pollables with another host's. Its init
;; subscribes to stdin (wasi:cli/stdin, a preview2-shim stream in the drop-in
;; recipe) and then either
;;   poll([subscribe-duration(ms), stdin pollable])  -> the ready indices, or
;;   block on the stdin pollable                     -> nothing,
;; and drops everything (pollables before their stream).
;;   input state:  8 bytes = u32 LE timer ms, u32 LE how (0 = poll, 1 = block)
;;   output state: the ready indices, u32 LE each (empty after a block)
;; Same ABI as wasi-clocks-test (see its header). Memory map: 0x00 init return
;; area, 0x10 poll return area, 0x30 poll argument list, 0x1000.. heap.
(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))
  (import "wasi:io/streams@0.2.3" "[method]input-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/streams@0.2.3" "[resource-drop]input-stream" (func $drop_stream (param i32)))
  (import "wasi:cli/stdin@0.2.3" "get-stdin" (func $get_stdin (result i32)))

  (memory (export "memory") 1)

  (data (i32.const 0x100) "stdin-poller: state must be 8 bytes, u32 ms and u32 how")

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
    (local $in i32) (local $sp i32) (local $t i32) (local $ptr i32) (local $len i32)
    (if (i32.or (i32.eqz (local.get $has_state)) (i32.ne (local.get $state_len) (i32.const 8)))
      (then
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store (i32.const 4) (i32.const 0x100))
        (i32.store (i32.const 8) (i32.const 56))
        (return (i32.const 0))))
    (global.set $heap (i32.const 0x1000))
    (local.set $in (call $get_stdin))
    (local.set $sp (call $subscribe (local.get $in)))
    (if (i32.load (i32.add (local.get $state_ptr) (i32.const 4)))
      (then
        (call $block (local.get $sp)))
      (else
        (local.set $t (call $subscribe_duration
          (i64.mul (i64.extend_i32_u (i32.load (local.get $state_ptr))) (i64.const 1000000))))
        (i32.store (i32.const 0x30) (local.get $t))
        (i32.store (i32.const 0x34) (local.get $sp))
        (call $poll (i32.const 0x30) (i32.const 2) (i32.const 0x10))
        (local.set $ptr (i32.load (i32.const 0x10)))
        (local.set $len (i32.shl (i32.load (i32.const 0x14)) (i32.const 2)))
        (call $drop (local.get $t))))
    (call $drop (local.get $sp))
    (call $drop_stream (local.get $in))
    ;; ok(some(the indices: len*4 bytes at ptr)); after a block, ptr = len = 0.
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (local.get $ptr))
    (i32.store (i32.const 12) (local.get $len))
    (i32.const 0))
)
