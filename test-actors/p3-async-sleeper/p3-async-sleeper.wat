;; p3-async-sleeper: the spec-strict WASI 0.3 actor: `init` is an `async func`,
;; lifted in the callback form, and wait-for is lowered asynchronously.
;;   [async-lift]init      reads `before`, starts wait-for with [async-lower]: a
;;                         subtask status (state in the low 4 bits: 2 = returned,
;;                         handle above); returns EXIT (0) when it already returned,
;;                         else WAIT (2) | waitable-set << 4 after joining the
;;                         subtask to a new waitable set
;;   [callback]…init       on event SUBTASK (1) with state RETURNED (2): drops the
;;                         subtask, reads `after`, [task-return]init, EXIT
;;   [task-return]init     result<tuple<option<list<u8>>>, string> flattened to four
;;                         i32: (0 ok, 1 some, ptr, len)
;;   input state:  none (100 ms) or 8 bytes = u64 LE duration, ns
;;   output state: 24 bytes = u64 LE [before, after, duration] (as the sleeper's)
;; Served by jco-transpile's task machinery with our wheel-resolved waitFor: no
;; core-level fast path for this form (docs/P3.md).
(module
  (import "wasi:clocks/monotonic-clock@0.3.0" "now" (func $now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.3.0" "[async-lower]wait-for" (func $wait_for (param i64) (result i32)))
  (import "$root" "[waitable-set-new]" (func $ws_new (result i32)))
  (import "$root" "[waitable-join]" (func $join (param i32 i32)))
  (import "$root" "[subtask-drop]" (func $subtask_drop (param i32)))
  (import "[export]theater:simple/actor" "[task-return]init" (func $task_return (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $d (mut i64) (i64.const 100000000))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x1000))
  (func $finish
    (i64.store (i32.const 0x48) (call $now))
    (i64.store (i32.const 0x50) (global.get $d))
    (call $task_return (i32.const 0) (i32.const 1) (i32.const 0x40) (i32.const 24)))
  (func (export "[async-lift]theater:simple/actor#init") (param $has i32) (param $ptr i32) (param $len i32) (result i32)
    (local $st i32) (local $ws i32)
    (if (i32.and (local.get $has) (i32.eq (local.get $len) (i32.const 8)))
      (then (global.set $d (i64.load (local.get $ptr)))))
    (i64.store (i32.const 0x40) (call $now))
    (local.set $st (call $wait_for (global.get $d)))
    (if (i32.eq (i32.and (local.get $st) (i32.const 0xf)) (i32.const 2))
      (then (call $finish) (return (i32.const 0))))
    (local.set $ws (call $ws_new))
    (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
    (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
  (func (export "[callback][async-lift]theater:simple/actor#init") (param $event i32) (param $p1 i32) (param $p2 i32) (result i32)
    (if (i32.and (i32.eq (local.get $event) (i32.const 1)) (i32.eq (local.get $p2) (i32.const 2)))
      (then
        (call $subtask_drop (local.get $p1))
        (call $finish)
        (return (i32.const 0))))
    (i32.const 1))
)
