;; external-waiter: init takes a pollable from theater-test:external-waiter/source,
;; blocks on it, drops it and returns ok(none). Only the host that serves
;; `source` can make it ready: on virtual time with nothing to set it, the run
;; can never wake and the host must stop it.
(module
  (import "theater-test:external-waiter/source" "subscribe" (func $subscribe (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop (param i32)))

  (memory (export "memory") 1)

  (func (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (i32.const 0x1000))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $p i32)
    (local.set $p (call $subscribe))
    (call $block (local.get $p))
    (call $drop (local.get $p))
    ;; ok(none)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 0))
    (i32.const 0))
)
