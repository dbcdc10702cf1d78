/* qgemm_wasmsimd.c - WebAssembly SIMD128 int8 microkernels (qgemm.h).
 *
 * Per block of 8 k: the row's 8 int16 activations are one v128; each
 * column's 8 int8 weights load sign-extended to int16 in one instruction
 * (v128.load8x8_s: pmovsxbw from memory on x86), and i32x4.dot_i16x8_s
 * (pmaddwd) adds their pairwise products into 4 int32 lanes, summed across
 * lanes once at the end. Compiles to nothing without -msimd128. */
#include "qgemm.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include "flush.h"

#define DOT_ADD(acc, a, w) wasm_i32x4_add((acc), wasm_i32x4_dot_i16x8((a), (w)))

/* [sum x0, sum x1, sum x2, sum x3]: integer adds, so any order is exact */
static inline v128_t sum4(v128_t x0, v128_t x1, v128_t x2, v128_t x3) {
  const v128_t a = wasm_i32x4_add(wasm_i32x4_shuffle(x0, x1, 0, 1, 4, 5),
                                  wasm_i32x4_shuffle(x0, x1, 2, 3, 6, 7));
  const v128_t b = wasm_i32x4_add(wasm_i32x4_shuffle(x2, x3, 0, 1, 4, 5),
                                  wasm_i32x4_shuffle(x2, x3, 2, 3, 6, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
}

/* c[0..nc) (+)= acc * (sa * sw[0..4)), the scalar kernel's float ops, flushed */
__attribute__((noinline)) static void store4(float *c, int nc, v128_t acc, float sa, const float *sw, int accumulate) {
  v128_t y = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc),
                            wasm_f32x4_mul(wasm_f32x4_splat(sa), wasm_v128_load(sw)));
  if (nc == 4) {
    if (accumulate) y = wasm_f32x4_add(wasm_v128_load(c), y);
    wasm_v128_store(c, rnn_flush_f32x4(y));
    return;
  }
  float tile[4];
  wasm_v128_store(tile, y);
  for (int j = 0; j < nc; j++) c[j] = rnn_flush(accumulate ? c[j] + tile[j] : tile[j]);
}

void rnn_qgemv_1x8c8__wasmsimd(int nc, int kc, const int16_t *qa, float sa, const int8_t *w,
                               const float *sw, float *c, int accumulate) {
  /* two panels through one pointer (the second at a constant offset) */
  const ptrdiff_t next = (ptrdiff_t)kc * RNN_QGEMM_NR;
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  const int8_t *const w_end = w + next;
  do {
    const v128_t va = wasm_v128_load(qa);
    qa += RNN_QGEMM_KR;
    c0 = DOT_ADD(c0, va, wasm_i16x8_load8x8(w));
    c1 = DOT_ADD(c1, va, wasm_i16x8_load8x8(w + 8));
    c2 = DOT_ADD(c2, va, wasm_i16x8_load8x8(w + 16));
    c3 = DOT_ADD(c3, va, wasm_i16x8_load8x8(w + 24));
    c4 = DOT_ADD(c4, va, wasm_i16x8_load8x8(w + next));
    c5 = DOT_ADD(c5, va, wasm_i16x8_load8x8(w + next + 8));
    c6 = DOT_ADD(c6, va, wasm_i16x8_load8x8(w + next + 16));
    c7 = DOT_ADD(c7, va, wasm_i16x8_load8x8(w + next + 24));
    w += RNN_QGEMM_NR * RNN_QGEMM_KR;
  } while (w != w_end);
  store4(c, nc < 4 ? nc : 4, sum4(c0, c1, c2, c3), sa, sw, accumulate);
  if (nc > 4) store4(c + 4, nc - 4, sum4(c4, c5, c6, c7), sa, sw + 4, accumulate);
}

#else
typedef int rnn_qgemm_wasmsimd_unused; /* ISO C forbids an empty translation unit */
#endif
