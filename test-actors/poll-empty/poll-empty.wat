;; poll-empty: init calls wasi:io/poll.poll with an empty list.
;; A conforming host traps, so init never returns. If the host returns anyway,
;; init reports err so the test can tell "no trap" from "trap".
(module
  (import "wasi:io/poll@0.2.3" "poll" (func $poll (param i32 i32 i32)))

  (memory (export "memory") 1)

  ;; Bump allocator; reset at the start of each export call.
  (global $heap (mut i32) (i32.const 4096))
  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow
              (i32.add (i32.shr_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
              (i32.const -1))
          (then unreachable))))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  ;; 0x00..0x10 return area for init; 0x10..0x18 return area for poll.
  (data (i32.const 0x100) "poll on an empty list did not trap")

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (global.set $heap (i32.const 4096))
    (call $poll (i32.const 0x20) (i32.const 0) (i32.const 0x10))
    ;; err("poll on an empty list did not trap")
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 34))
    (i32.const 0))
)
