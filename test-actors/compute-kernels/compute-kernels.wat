;; compute-kernels: realistic compute-heavy guest code with loop nests and
;; calls, for measuring what the fairness pass's fuel checks cost.
;;   input state: 12 bytes = u32 LE kernel, u32 LE n, u32 LE rounds
;;     kernel 0  hash:   fill n bytes (LCG), then `rounds` passes of a 64-bit
;;                       multiply-rotate hash over them, 8 bytes a step
;;     kernel 1  sort:   `rounds` times: fill n u32 (LCG), heapsort them (sift-down
;;                       is a function with its own loop), check the order
;;     kernel 2  matmul: `rounds` products of two n x n i32 matrices (a triple loop)
;;     kernel 3  scan:   fill n bytes with JSON-like text (a 128-byte template),
;;                       then `rounds` passes of a byte-at-a-time tokenizer (strings
;;                       with escapes, numbers, nesting depth, commas)
;;     kernel 4  fib:    `rounds` times the naive recursive fib(n) (call-heavy, no loop)
;;   output state: 8 bytes = u64 LE checksum (so no work can be optimised away)
;;   any other state, or n too large for the 4 MiB data area:
;;     err("compute-kernels: state must be 12 bytes: u32 kernel (0-4), u32 n, u32 rounds")
;; Memory map: 0x00 init return area, 0x40 output, 0x100 message, 0x10000.. data.
(module
  (memory (export "memory") 80)
  (data (i32.const 0x100) "compute-kernels: state must be 12 bytes: u32 kernel (0-4), u32 n, u32 rounds")
  ;; 128 bytes of JSON-like text, repeated by the scan kernel
  (data (i32.const 0x180) "{\"id\":12345,\"tags\":[\"a\\\"b\",\"c\"],\"v\":[1,22,333,4444],\"o\":{\"k\":\"x,y\",\"n\":[[7],[8,9]]}}, {\"q\":\"\\\\\",\"r\":6} [{\"w\":[10,20,30]},\"e\"]   ")

  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x200))

  (global $seed (mut i32) (i32.const 12345))
  (func $lcg (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (global.get $seed))

  (func $fill_u32 (param $count i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (i32.store (i32.add (i32.const 0x10000) (i32.shl (local.get $i) (i32.const 2))) (call $lcg))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func $hash (param $n i32) (param $rounds i32) (result i64)
    (local $h i64) (local $p i32) (local $end i32)
    (call $fill_u32 (i32.shr_u (local.get $n) (i32.const 2)))
    (local.set $end (i32.add (i32.const 0x10000) (i32.and (local.get $n) (i32.const -8))))
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $p (i32.const 0x10000))
        (block $end_pass
          (loop $step
            (br_if $end_pass (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load (local.get $p))) (i64.const 0x100000001b3)))
            (local.set $h (i64.xor (local.get $h) (i64.rotl (local.get $h) (i64.const 29))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $step)))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $h))

  (func $at (param $i i32) (result i32) (i32.add (i32.const 0x10000) (i32.shl (local.get $i) (i32.const 2))))

  ;; Restores the max-heap below `root` in a[0..end).
  (func $sift_down (param $root i32) (param $end i32)
    (local $child i32) (local $tmp i32)
    (block $done
      (loop $next
        (local.set $child (i32.add (i32.shl (local.get $root) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $child) (local.get $end)))
        (if (i32.and (i32.lt_u (i32.add (local.get $child) (i32.const 1)) (local.get $end))
                     (i32.lt_u (i32.load (call $at (local.get $child)))
                               (i32.load (call $at (i32.add (local.get $child) (i32.const 1))))))
          (then (local.set $child (i32.add (local.get $child) (i32.const 1)))))
        (br_if $done (i32.ge_u (i32.load (call $at (local.get $root))) (i32.load (call $at (local.get $child)))))
        (local.set $tmp (i32.load (call $at (local.get $root))))
        (i32.store (call $at (local.get $root)) (i32.load (call $at (local.get $child))))
        (i32.store (call $at (local.get $child)) (local.get $tmp))
        (local.set $root (local.get $child))
        (br $next))))

  (func $sort (param $n i32) (param $rounds i32) (result i64)
    (local $i i32) (local $tmp i32) (local $sum i64)
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (call $fill_u32 (local.get $n))
        (local.set $i (i32.shr_u (local.get $n) (i32.const 1)))
        (block $heaped
          (loop $heapify
            (br_if $heaped (i32.eqz (local.get $i)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (call $sift_down (local.get $i) (local.get $n))
            (br $heapify)))
        (local.set $i (local.get $n))
        (block $sorted
          (loop $extract
            (br_if $sorted (i32.le_u (local.get $i) (i32.const 1)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (local.set $tmp (i32.load (call $at (i32.const 0))))
            (i32.store (call $at (i32.const 0)) (i32.load (call $at (local.get $i))))
            (i32.store (call $at (local.get $i)) (local.get $tmp))
            (call $sift_down (i32.const 0) (local.get $i))
            (br $extract)))
        ;; the order is checked, and summed into the checksum
        (local.set $i (i32.const 1))
        (block $checked
          (loop $check
            (br_if $checked (i32.ge_u (local.get $i) (local.get $n)))
            (if (i32.gt_u (i32.load (call $at (i32.sub (local.get $i) (i32.const 1)))) (i32.load (call $at (local.get $i))))
              (then unreachable))
            (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (i32.load (call $at (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $check)))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $sum))

  ;; C = A x B for n x n i32 matrices at A = data, B = A + n*n, C = B + n*n.
  (func $matmul (param $n i32) (param $rounds i32) (result i64)
    (local $i i32) (local $j i32) (local $k i32) (local $acc i32) (local $nn i32)
    (local $a i32) (local $b i32) (local $c i32) (local $sum i64)
    (local.set $nn (i32.mul (local.get $n) (local.get $n)))
    (call $fill_u32 (i32.shl (local.get $nn) (i32.const 1)))
    (local.set $a (i32.const 0x10000))
    (local.set $b (i32.add (local.get $a) (i32.shl (local.get $nn) (i32.const 2))))
    (local.set $c (i32.add (local.get $b) (i32.shl (local.get $nn) (i32.const 2))))
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $i (i32.const 0))
        (loop $rows
          (local.set $j (i32.const 0))
          (loop $cols
            (local.set $acc (i32.const 0))
            (local.set $k (i32.const 0))
            (loop $dot
              (local.set $acc (i32.add (local.get $acc)
                (i32.mul
                  (i32.load (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 2))))
                  (i32.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 2)))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $dot (i32.lt_u (local.get $k) (local.get $n))))
            (i32.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))) (local.get $acc))
            (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $acc))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $cols (i32.lt_u (local.get $j) (local.get $n))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $sum))

;; Fills n bytes with the 128-byte template, then tokenizes them `rounds` times.
  (func $scan (param $n i32) (param $rounds i32) (result i64)
    (local $p i32) (local $end i32) (local $c i32) (local $in_str i32) (local $esc i32)
    (local $depth i32) (local $num i32) (local $sum i64)
    (local.set $end (i32.add (i32.const 0x10000) (local.get $n)))
    (local.set $p (i32.const 0x10000))
    (loop $fill
      (i32.store8 (local.get $p) (i32.load8_u (i32.add (i32.const 0x180) (i32.and (local.get $p) (i32.const 127)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $p) (local.get $end))))
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $p (i32.const 0x10000))
        (local.set $in_str (i32.const 0))
        (local.set $esc (i32.const 0))
        (local.set $depth (i32.const 0))
        (local.set $num (i32.const 0))
        (loop $byte
          (local.set $c (i32.load8_u (local.get $p)))
          (if (local.get $in_str)
            (then
              (if (local.get $esc)
                (then (local.set $esc (i32.const 0)))
                (else
                  (if (i32.eq (local.get $c) (i32.const 92))
                    (then (local.set $esc (i32.const 1)))
                    (else (if (i32.eq (local.get $c) (i32.const 34))
                      (then (local.set $in_str (i32.const 0))
                            (local.set $sum (i64.add (local.get $sum) (i64.const 1000003))))))))))
            (else
              (if (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
                (then (local.set $num (i32.add (i32.mul (local.get $num) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48)))))
                (else
                  (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $num))))
                  (local.set $num (i32.const 0))
                  (if (i32.eq (local.get $c) (i32.const 34)) (then (local.set $in_str (i32.const 1))))
                  (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 123)) ;; { or [
                    (then (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
                          (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (i32.mul (local.get $depth) (i32.const 7)))))))
                  (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 125)) ;; } or ]
                    (then (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))))
                  (if (i32.eq (local.get $c) (i32.const 44))
                    (then (local.set $sum (i64.add (local.get $sum) (i64.const 3)))))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $byte (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $sum))

  (func $fib (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func $fibs (param $n i32) (param $rounds i32) (result i64)
    (local $sum i64)
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $sum (i64.add (local.get $sum) (call $fib (local.get $n))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $sum))

  (func (export "theater:simple/actor#init")
    (param $has_state i32) (param $state_ptr i32) (param $state_len i32) (result i32)
    (local $kernel i32) (local $n i32) (local $rounds i32) (local $out i64)
    (if (i32.or (i32.eqz (local.get $has_state)) (i32.ne (local.get $state_len) (i32.const 12)))
      (then (return (call $fail))))
    (local.set $kernel (i32.load (local.get $state_ptr)))
    (local.set $n (i32.load (i32.add (local.get $state_ptr) (i32.const 4))))
    (local.set $rounds (i32.load (i32.add (local.get $state_ptr) (i32.const 8))))
    (global.set $seed (i32.const 12345))
    ;; the data area holds 4 MiB: n bytes (hash, scan), n u32 (sort), 3 n*n u32 (matmul); fib(n) for n <= 40
    (if (i32.or (i32.gt_u (local.get $kernel) (i32.const 4))
          (i32.or (i32.eqz (local.get $n))
            (i32.gt_u (local.get $n)
              (select (i32.const 0x400000)
                (select (i32.const 0x100000)
                  (select (i32.const 590) (i32.const 40) (i32.eq (local.get $kernel) (i32.const 2)))
                  (i32.eq (local.get $kernel) (i32.const 1)))
                (i32.or (i32.eqz (local.get $kernel)) (i32.eq (local.get $kernel) (i32.const 3)))))))
      (then (return (call $fail))))
    (if (i32.eqz (local.get $kernel)) (then (local.set $out (call $hash (local.get $n) (local.get $rounds)))))
    (if (i32.eq (local.get $kernel) (i32.const 1)) (then (local.set $out (call $sort (local.get $n) (local.get $rounds)))))
    (if (i32.eq (local.get $kernel) (i32.const 2)) (then (local.set $out (call $matmul (local.get $n) (local.get $rounds)))))
    (if (i32.eq (local.get $kernel) (i32.const 3)) (then (local.set $out (call $scan (local.get $n) (local.get $rounds)))))
    (if (i32.eq (local.get $kernel) (i32.const 4)) (then (local.set $out (call $fibs (local.get $n) (local.get $rounds)))))
    (i64.store (i32.const 0x40) (local.get $out))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 4) (i32.const 1))
    (i32.store (i32.const 8) (i32.const 0x40))
    (i32.store (i32.const 12) (i32.const 8))
    (i32.const 0))

  (func $fail (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 76))
    (i32.const 0))
)
