;; err-forger: returns a string full of control characters, trying to forge the
;; host's output: a newline, then a fake "theater-timing:" line in ANSI red.
;;   state byte 0 (no state: 'e')
;;   'e'  err(<that string>)
;;   's'  ok(some(<that string>)): a state that decodes as UTF-8 but is not plain text
(module
  (memory (export "memory") 1)
  (data (i32.const 0x100) "boom\n\1b[31mtheater-timing: trapped: forged by the guest\1b[0m\0d\07")

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
    (global.set $heap (i32.const 0x1000))
    (if (i32.and (local.get $has_state) (i32.gt_u (local.get $state_len) (i32.const 0)))
      (then
        (if (i32.eq (i32.load8_u (local.get $state_ptr)) (i32.const 0x73)) ;; 's'
          (then
            (i32.store8 (i32.const 0) (i32.const 0))
            (i32.store8 (i32.const 4) (i32.const 1))
            (i32.store (i32.const 8) (i32.const 0x100))
            (i32.store (i32.const 12) (i32.const 60))
            (return (i32.const 0))))))
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 60))
    (i32.const 0))
)
