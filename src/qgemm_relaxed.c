/* qgemm_relaxed.c - relaxed-SIMD int8 microkernels, the c4 flavour of
 * qgemm.h (rnn-int8-relaxed.wasm; built by clang-19 with -mrelaxed-simd).
 *
 * Weight-stationary over a c4 panel: per 4 k, the row's 4 offset
 * activations (uint8 in [1, 127]) broadcast to all lanes (one
 * v128.load32_splat), and per v128 of the panel (4 columns x 4 k, int8)
 * i16x8.relaxed_dot_i8x16_i7x16_s (pmaddubsw on x64: 16 products, pairs
 * summed to int16: |2 * 127 * 127| cannot saturate), widened by
 * i32x4.dot_i16x8_s against ones (pmaddwd) and added into the 4 columns'
 * int32 lanes. That is i32x4.relaxed_dot_i8x16_i7x16_add_s spelled as two
 * instructions: V8 lowers both to the same pmaddubsw, pmaddwd, paddd
 * (without AVX-VNNI), and Node 20's V8 11.3 computes the fused form wrong
 * (twice the dot, the addend dropped; Chromium and Firefox are right).
 * i32x4.extadd_pairwise_i16x8_s would do the widening, but V8 11.3 reloads
 * its constant from memory at every use: the ones stay in a register.
 * The sums hold sum qw * (qa + 64); the row sums take 64 * wsum off before
 * the store, so the integers are the scalar kernels' (qgemm_scalar.c).
 * 16 products per 4 instructions (load, pmaddubsw, pmaddwd, paddd), against
 * 8 per 3 in the SIMD128 kernels. Compiles to nothing without relaxed SIMD. */
#include "qgemm.h"

#ifdef __wasm_relaxed_simd__
#include <string.h>

#include "qgemm_store.h"

#define DOT4_ADD(acc, w, a) \
  wasm_i32x4_add((acc), wasm_i32x4_dot_i16x8(wasm_i16x8_relaxed_dot_i8x16_i7x16((w), (a)), ones))

/* acc - 64 * wsum[0..4): the sums without the activations' offset */
static inline v128_t unoffset(v128_t acc, const int32_t *wsum) {
  return wasm_i32x4_sub(acc, wasm_i32x4_shl(wasm_v128_load(wsum), 6));
}
_Static_assert(RNN_QGEMM_C4_OFFSET == 1 << 6, "unoffset shifts by log2 of the offset");

/* One row by one panel: the body of the 1x16 kernels. */
static inline __attribute__((always_inline)) void row16c4(int nc, int kc, const uint8_t *qa, float sa, const int8_t *w,
                                                        const int32_t *wsum, const float *sw, float *c,
                                                        int accumulate) {
  const v128_t ones = wasm_i16x8_splat(1);
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  const uint8_t *const qa_end = qa + kc;
  do {
    const v128_t a = wasm_v128_load32_splat(qa);
    c0 = DOT4_ADD(c0, wasm_v128_load(w), a);
    c1 = DOT4_ADD(c1, wasm_v128_load(w + 16), a);
    c2 = DOT4_ADD(c2, wasm_v128_load(w + 32), a);
    c3 = DOT4_ADD(c3, wasm_v128_load(w + 48), a);
    qa += RNN_QGEMM_C4_KR;
    w += RNN_QGEMM_C4_KR * RNN_QGEMM_NR;
  } while (qa != qa_end);
  c0 = unoffset(c0, wsum), c1 = unoffset(c1, wsum + 4), c2 = unoffset(c2, wsum + 8), c3 = unoffset(c3, wsum + 12);
  store16(c, nc, c0, c1, c2, c3, sa, sw, accumulate);
}

RNN_QGEMM_C4_KERNEL(rnn_qgemm_1x16c4__wasmrelaxed) {
  (void)ldc;
  row16c4(nc, kc, qa, sa[0], w, wsum, sw, c, accumulate);
}

RNN_QGEMM2_C4_KERNEL(rnn_qgemm2_1x16c4__wasmrelaxed) {
  if (bias && nc == RNN_QGEMM_NR)
    for (int i = 0; i < RNN_QGEMM_NR; i += 4) wasm_v128_store(c + i, wasm_v128_load(bias + i));
  else if (bias)
    memcpy(c, bias, (size_t)nc * sizeof(float));
  row16c4(nc, k1, q1, s1, w1, ws1, sw1, c, bias != NULL);
  row16c4(nc, k2, q2, s2, w2, ws2, sw2, c, 1);
}

/* Half a panel (8 columns: 2 v128 per 4 k) by 4 rows (interleaved by 4 k):
 * 8 accumulators, 2 panel loads, 4 broadcasts and the ones, as the SIMD128
 * 4x8c2 kernel (qgemm_wasmsimd.c) plus one register. */
RNN_QGEMM_C4_KERNEL(rnn_qgemm_4x8c4__wasmrelaxed) {
  const v128_t ones = wasm_i16x8_splat(1);
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, d0 = c0, d1 = c0, e0 = c0, e1 = c0, f0 = c0, f1 = c0;
  const uint8_t *const qa_end = qa + 4 * kc;
  do {
    const v128_t x0 = wasm_v128_load(w), x1 = wasm_v128_load(w + 16), q = wasm_v128_load(qa);
    v128_t a = wasm_i32x4_shuffle(q, q, 0, 0, 0, 0);
    c0 = DOT4_ADD(c0, x0, a);
    c1 = DOT4_ADD(c1, x1, a);
    a = wasm_i32x4_shuffle(q, q, 1, 1, 1, 1);
    d0 = DOT4_ADD(d0, x0, a);
    d1 = DOT4_ADD(d1, x1, a);
    a = wasm_i32x4_shuffle(q, q, 2, 2, 2, 2);
    e0 = DOT4_ADD(e0, x0, a);
    e1 = DOT4_ADD(e1, x1, a);
    a = wasm_i32x4_shuffle(q, q, 3, 3, 3, 3);
    f0 = DOT4_ADD(f0, x0, a);
    f1 = DOT4_ADD(f1, x1, a);
    qa += 4 * RNN_QGEMM_C4_KR;
    w += RNN_QGEMM_C4_KR * RNN_QGEMM_NR;
  } while (qa != qa_end);
  v128_t acc[8] = {c0, c1, d0, d1, e0, e1, f0, f1};
  for (int i = 0; i < 8; i++) acc[i] = unoffset(acc[i], wsum + 4 * (i & 1));
  if (nc < 8) {
    for (int r = 0; r < 4; r++) store_partial(c + r * ldc, nc, 2, acc + 2 * r, sa[r], sw, accumulate);
    return;
  }
  for (int r = 0; r < 4; r++) {
    const v128_t vsa = wasm_f32x4_splat(sa[r]);
    store4(c + r * ldc, acc[2 * r], vsa, sw, accumulate);
    store4(c + r * ldc + 4, acc[2 * r + 1], vsa, sw + 4, accumulate);
  }
}

#else
typedef int rnn_qgemm_relaxed_unused; /* ISO C forbids an empty translation unit */
#endif
