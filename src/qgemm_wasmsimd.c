/* qgemm_wasmsimd.c - WebAssembly SIMD128 int8 microkernels (qgemm.h).
 *
 * Weight-stationary over a c2 panel: per pair of k, the row's two int16
 * activations broadcast to all lanes (one v128.load32_splat), and
 * i32x4.dot_i16x8_s (pmaddwd) against each v128 of the panel (4 columns x 2
 * k) adds 4 columns' products into 4 int32 lanes: 16 columns are 4
 * accumulators, which are the outputs. V8 keeps 15 v128 registers free: the
 * 1-row kernel (4 accumulators) unrolls two pairs of k, the 4-row kernel (8
 * accumulators, each panel load used four times) takes one pair per
 * iteration; more spilled.
 * Cost under V8 (x64, node --print-wasm-code): per 8 products one pmaddwd,
 * one paddd and a load; the loops run 3.6 instructions per pmaddwd
 * (broadcasts, loop and stack check included), bound by instructions issued
 * rather than by pmaddwd's two a cycle. Compiles to nothing without -msimd128. */
#include "qgemm.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <string.h>

#include "qgemm_store.h"

#define DOT_ADD(acc, a, w) wasm_i32x4_add((acc), wasm_i32x4_dot_i16x8((a), (w)))

/* One row by one panel: the body of the 1x16 kernels. */
static inline __attribute__((always_inline)) void row16(int nc, int kc, const int16_t *qa, float sa, const int16_t *w,
                                                        const float *sw, float *c, int accumulate) {
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  const int16_t *const qa_end = qa + kc;
  do {
    v128_t a = wasm_v128_load32_splat(qa);
    c0 = DOT_ADD(c0, a, wasm_v128_load(w));
    c1 = DOT_ADD(c1, a, wasm_v128_load(w + 8));
    c2 = DOT_ADD(c2, a, wasm_v128_load(w + 16));
    c3 = DOT_ADD(c3, a, wasm_v128_load(w + 24));
    a = wasm_v128_load32_splat(qa + 2);
    c0 = DOT_ADD(c0, a, wasm_v128_load(w + 32));
    c1 = DOT_ADD(c1, a, wasm_v128_load(w + 40));
    c2 = DOT_ADD(c2, a, wasm_v128_load(w + 48));
    c3 = DOT_ADD(c3, a, wasm_v128_load(w + 56));
    qa += 2 * RNN_QGEMM_KR;
    w += 2 * RNN_QGEMM_KR * RNN_QGEMM_NR;
  } while (qa != qa_end);
  store16(c, nc, c0, c1, c2, c3, sa, sw, accumulate);
}

RNN_QGEMM_KERNEL(rnn_qgemm_1x16c2__wasmsimd) {
  (void)ldc;
  row16(nc, kc, qa, sa[0], w, sw, c, accumulate);
}

RNN_QGEMM2_KERNEL(rnn_qgemm2_1x16c2__wasmsimd) {
  if (bias && nc == RNN_QGEMM_NR)
    for (int i = 0; i < RNN_QGEMM_NR; i += 4) wasm_v128_store(c + i, wasm_v128_load(bias + i));
  else if (bias)
    memcpy(c, bias, (size_t)nc * sizeof(float));
  row16(nc, k1, q1, s1, w1, sw1, c, bias != NULL);
  row16(nc, k2, q2, s2, w2, sw2, c, 1);
}

/* Half a panel (8 columns: 2 v128 per pair of k) by 4 rows: 8 accumulators.
 * V8 keeps a loop's loads in program order and sinks the arithmetic below
 * them, so every value loaded in an iteration is live at once: 4 broadcasts
 * + 2 panel loads + 8 accumulators fit V8's 15 free v128 registers; the 2x16
 * tile (2 + 4 + 8, plus a temporary) spilled. */
/* the pair of k u pairs past qa, w: the 4 rows by 8 columns */
#define QUAD_PAIR(u)                                                                                \
  do {                                                                                              \
    const v128_t x0 = wasm_v128_load(w + (u) * 32), x1 = wasm_v128_load(w + (u) * 32 + 8);          \
    v128_t a = wasm_v128_load32_splat(qa + (u) * 8);                                                \
    c0 = DOT_ADD(c0, a, x0);                                                                        \
    c1 = DOT_ADD(c1, a, x1);                                                                        \
    a = wasm_v128_load32_splat(qa + (u) * 8 + 2);                                                   \
    d0 = DOT_ADD(d0, a, x0);                                                                        \
    d1 = DOT_ADD(d1, a, x1);                                                                        \
    a = wasm_v128_load32_splat(qa + (u) * 8 + 4);                                                   \
    e0 = DOT_ADD(e0, a, x0);                                                                        \
    e1 = DOT_ADD(e1, a, x1);                                                                        \
    a = wasm_v128_load32_splat(qa + (u) * 8 + 6);                                                   \
    f0 = DOT_ADD(f0, a, x0);                                                                        \
    f1 = DOT_ADD(f1, a, x1);                                                                        \
  } while (0)

RNN_QGEMM_KERNEL(rnn_qgemm_4x8c2__wasmsimd) {
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, d0 = c0, d1 = c0, e0 = c0, e1 = c0, f0 = c0, f1 = c0;
  const int16_t *const qa_end = qa + 4 * kc;
  do { /* one pair of k per iteration: two (12 loads) measured 10% slower */
    QUAD_PAIR(0);
    qa += 4 * RNN_QGEMM_KR;
    w += RNN_QGEMM_KR * RNN_QGEMM_NR;
  } while (qa != qa_end);
  if (nc < 8) {
    const v128_t acc[8] = {c0, c1, d0, d1, e0, e1, f0, f1};
    for (int r = 0; r < 4; r++) store_partial(c + r * ldc, nc, 2, acc + 2 * r, sa[r], sw, accumulate);
    return;
  }
  v128_t vsa = wasm_f32x4_splat(sa[0]);
  store4(c, c0, vsa, sw, accumulate);
  store4(c + 4, c1, vsa, sw + 4, accumulate);
  vsa = wasm_f32x4_splat(sa[1]);
  store4(c + ldc, d0, vsa, sw, accumulate);
  store4(c + ldc + 4, d1, vsa, sw + 4, accumulate);
  vsa = wasm_f32x4_splat(sa[2]);
  store4(c + 2 * ldc, e0, vsa, sw, accumulate);
  store4(c + 2 * ldc + 4, e1, vsa, sw + 4, accumulate);
  vsa = wasm_f32x4_splat(sa[3]);
  store4(c + 3 * ldc, f0, vsa, sw, accumulate);
  store4(c + 3 * ldc + 4, f1, vsa, sw + 4, accumulate);
}

#else
typedef int rnn_qgemm_wasmsimd_unused; /* ISO C forbids an empty translation unit */
#endif
