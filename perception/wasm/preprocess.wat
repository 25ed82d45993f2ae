;; Kestrel's preprocessing kernels in WebAssembly SIMD (loaded by
;; perception/preprocess-wasm.ts).
;;
;; h2xRgb, v2x: exact 2x reduction for Pillow's antialiased bilinear filter
;; (perception/resample.ts): away from the image edges each output is
;; (a + 3b + 3c + d + 4) >> 3 over four consecutive source values, which is
;; exactly what Pillow's 22-bit fixed point gives there (the weights 1/8, 3/8,
;; 3/8, 1/8 are dyadic). Integer arithmetic only, so the SIMD result is the
;; JavaScript result, byte for byte.
;;
;; fillRgb: RGB bytes to the model's float32 planes, v * k + b per channel in
;; float32, the formula of the preprocessor's lookup tables (perception/
;; letterbox.ts), so both paths give the same floats.
;;
;; The module owns no data: the caller lays out its regions in the exported
;; memory, and grows it. Any region read with v128.load has at least 32 bytes
;; after it (the horizontal kernel loads 32 bytes for 30, fillRgb 16 for 12).
;;
;; Build: npm run build:wasm (tools/wasm/build.ts) writes preprocess-module.ts.
(module
  (memory (export "memory") 1)

  ;; The four-tap mix on eight 16-bit lanes: (a + d + 3 (b + c) + 4) >> 3.
  ;; A lane's sum is at most 8 x 255 + 4 = 2044, so nothing overflows.
  (func $mix (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (i16x8.shr_u
      (i16x8.add
        (i16x8.add (i16x8.add (local.get $a) (local.get $d)) (v128.const i16x8 4 4 4 4 4 4 4 4))
        (i16x8.mul (i16x8.add (local.get $b) (local.get $c)) (v128.const i16x8 3 3 3 3 3 3 3 3)))
      (i32.const 3)))

  ;; Scalar mix of four bytes `stride` apart from $p.
  (func $mix1 (param $p i32) (param $stride i32) (result i32)
    (i32.shr_u
      (i32.add
        (i32.add
          (i32.add (i32.load8_u (local.get $p)) (i32.const 4))
          (i32.load8_u (i32.add (local.get $p) (i32.mul (local.get $stride) (i32.const 3)))))
        (i32.mul
          (i32.add
            (i32.load8_u (i32.add (local.get $p) (local.get $stride)))
            (i32.load8_u (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1)))))
          (i32.const 3)))
      (i32.const 3)))

  ;; Horizontal pass, RGB: output pixels [$x0, $x1) of $rows rows, pixel x reading
  ;; source pixels 2x-1 .. 2x+2 ($x0 >= 1). Four output pixels (12 bytes) per step
  ;; from 30 source bytes: two loads, one shuffle per tap.
  (func (export "h2xRgb")
    (param $src i32) (param $srcStep i32) (param $rows i32)
    (param $dst i32) (param $dstStep i32) (param $x0 i32) (param $x1 i32)
    (local $y i32) (local $s i32) (local $d i32) (local $x i32)
    (local $v0 v128) (local $v1 v128) (local $r v128)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $s
          (i32.add
            (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $srcStep)))
            (i32.mul (i32.sub (i32.shl (local.get $x0) (i32.const 1)) (i32.const 1)) (i32.const 3))))
        (local.set $d
          (i32.add
            (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $dstStep)))
            (i32.mul (local.get $x0) (i32.const 3))))
        (local.set $x (local.get $x0))
        (block $groupsDone
          (loop $group
            (br_if $groupsDone (i32.gt_u (i32.add (local.get $x) (i32.const 4)) (local.get $x1)))
            (local.set $v0 (v128.load (local.get $s)))
            (local.set $v1 (v128.load offset=16 (local.get $s)))
            ;; Taps a, b, c, d of output pixels x..x+3, channel by channel (12 bytes each).
            (local.set $a (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $b (i8x16.shuffle 3 4 5 9 10 11 15 16 17 21 22 23 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $c (i8x16.shuffle 6 7 8 12 13 14 18 19 20 24 25 26 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $e (i8x16.shuffle 9 10 11 15 16 17 21 22 23 27 28 29 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $r
              (i8x16.narrow_i16x8_u
                (call $mix
                  (i16x8.extend_low_i8x16_u (local.get $a)) (i16x8.extend_low_i8x16_u (local.get $b))
                  (i16x8.extend_low_i8x16_u (local.get $c)) (i16x8.extend_low_i8x16_u (local.get $e)))
                (call $mix
                  (i16x8.extend_high_i8x16_u (local.get $a)) (i16x8.extend_high_i8x16_u (local.get $b))
                  (i16x8.extend_high_i8x16_u (local.get $c)) (i16x8.extend_high_i8x16_u (local.get $e)))))
            ;; 12 bytes: the next four would land on the next pixel, or past the row's end.
            (v128.store64_lane 0 (local.get $d) (local.get $r))
            (v128.store32_lane offset=8 2 (local.get $d) (local.get $r))
            (local.set $s (i32.add (local.get $s) (i32.const 24)))
            (local.set $d (i32.add (local.get $d) (i32.const 12)))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $group)))
        ;; The last 0-3 pixels of the range.
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $x) (local.get $x1)))
            (i32.store8 (local.get $d) (call $mix1 (local.get $s) (i32.const 3)))
            (i32.store8 offset=1 (local.get $d) (call $mix1 (i32.add (local.get $s) (i32.const 1)) (i32.const 3)))
            (i32.store8 offset=2 (local.get $d) (call $mix1 (i32.add (local.get $s) (i32.const 2)) (i32.const 3)))
            (local.set $s (i32.add (local.get $s) (i32.const 6)))
            (local.set $d (i32.add (local.get $d) (i32.const 3)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; Vertical pass, any channel count: output rows [$y0, $y1), row y reading
  ;; source rows 2y-1 .. 2y+2 ($y0 >= 1); $rowBytes bytes per row in and out.
  ;; Sixteen bytes per step.
  (func (export "v2x")
    (param $src i32) (param $rowBytes i32) (param $dst i32) (param $y0 i32) (param $y1 i32)
    (local $y i32) (local $s i32) (local $d i32) (local $i i32)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local.set $y (local.get $y0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $y1)))
        (local.set $s
          (i32.add (local.get $src)
            (i32.mul (i32.sub (i32.shl (local.get $y) (i32.const 1)) (i32.const 1)) (local.get $rowBytes))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $rowBytes)))
            (local.set $a (v128.load (local.get $s)))
            (local.set $b (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
            (local.set $c (v128.load (i32.add (local.get $s) (i32.shl (local.get $rowBytes) (i32.const 1)))))
            (local.set $e (v128.load (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            (v128.store (local.get $d)
              (i8x16.narrow_i16x8_u
                (call $mix
                  (i16x8.extend_low_i8x16_u (local.get $a)) (i16x8.extend_low_i8x16_u (local.get $b))
                  (i16x8.extend_low_i8x16_u (local.get $c)) (i16x8.extend_low_i8x16_u (local.get $e)))
                (call $mix
                  (i16x8.extend_high_i8x16_u (local.get $a)) (i16x8.extend_high_i8x16_u (local.get $b))
                  (i16x8.extend_high_i8x16_u (local.get $c)) (i16x8.extend_high_i8x16_u (local.get $e)))))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (i32.store8 (local.get $d) (call $mix1 (local.get $s) (local.get $rowBytes)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tail)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; Fill, RGB source: $h rows of $w pixels, $step bytes apart, into three
  ;; float32 planes. Source byte j of a pixel goes to the plane whose first
  ;; image pixel is at byte address $pj, scaled by $kj and offset by $bj;
  ;; $rowStride bytes between plane rows. Four pixels per step.
  (func (export "fillRgb")
    (param $src i32) (param $step i32) (param $w i32) (param $h i32)
    (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $rowStride i32)
    (param $k0 f32) (param $k1 f32) (param $k2 f32) (param $b0 f32) (param $b1 f32) (param $b2 f32)
    (local $y i32) (local $x i32) (local $s i32) (local $o i32) (local $v v128)
    (local $K0 v128) (local $K1 v128) (local $K2 v128) (local $B0 v128) (local $B1 v128) (local $B2 v128)
    (local.set $K0 (f32x4.splat (local.get $k0)))
    (local.set $K1 (f32x4.splat (local.get $k1)))
    (local.set $K2 (f32x4.splat (local.get $k2)))
    (local.set $B0 (f32x4.splat (local.get $b0)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $step))))
        ;; $o: byte offset of this row's first pixel within each plane.
        (local.set $o (i32.mul (local.get $y) (local.get $rowStride)))
        (local.set $x (i32.const 0))
        (block $groupsDone
          (loop $group
            (br_if $groupsDone (i32.gt_u (i32.add (local.get $x) (i32.const 4)) (local.get $w)))
            (local.set $v (v128.load (local.get $s)))
            ;; Bytes j, j+3, j+6, j+9 into the low byte of four 32-bit lanes (index 16: a zero).
            (v128.store (i32.add (local.get $p0) (local.get $o))
              (f32x4.add (local.get $B0) (f32x4.mul (local.get $K0) (f32x4.convert_i32x4_u
                (i8x16.shuffle 0 16 16 16 3 16 16 16 6 16 16 16 9 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))))
            (v128.store (i32.add (local.get $p1) (local.get $o))
              (f32x4.add (local.get $B1) (f32x4.mul (local.get $K1) (f32x4.convert_i32x4_u
                (i8x16.shuffle 1 16 16 16 4 16 16 16 7 16 16 16 10 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))))
            (v128.store (i32.add (local.get $p2) (local.get $o))
              (f32x4.add (local.get $B2) (f32x4.mul (local.get $K2) (f32x4.convert_i32x4_u
                (i8x16.shuffle 2 16 16 16 5 16 16 16 8 16 16 16 11 16 16 16 (local.get $v) (v128.const i32x4 0 0 0 0))))))
            (local.set $s (i32.add (local.get $s) (i32.const 12)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $group)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $x) (local.get $w)))
            (f32.store (i32.add (local.get $p0) (local.get $o))
              (f32.add (local.get $b0) (f32.mul (local.get $k0) (f32.convert_i32_u (i32.load8_u (local.get $s))))))
            (f32.store (i32.add (local.get $p1) (local.get $o))
              (f32.add (local.get $b1) (f32.mul (local.get $k1) (f32.convert_i32_u (i32.load8_u offset=1 (local.get $s))))))
            (f32.store (i32.add (local.get $p2) (local.get $o))
              (f32.add (local.get $b2) (f32.mul (local.get $k2) (f32.convert_i32_u (i32.load8_u offset=2 (local.get $s))))))
            (local.set $s (i32.add (local.get $s) (i32.const 3)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))
)
