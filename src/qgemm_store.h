/* qgemm_store.h - the SIMD128 int8 kernels' last step (qgemm_wasmsimd.c,
 * qgemm_relaxed.c): int32 sums to floats, c (+)= acc * (sa * sw), with the
 * scalar kernels' float ops (qgemm_scalar.c's store), flushed. */
#ifndef RNN_QGEMM_STORE_H
#define RNN_QGEMM_STORE_H

#include <wasm_simd128.h>

#include "flush.h"
#include "qgemm.h"

/* c[0..4) (+)= acc * (sa * sw[0..4)): the scalar kernel's float ops, flushed */
static inline void store4(float *c, v128_t acc, v128_t sa, const float *sw, int accumulate) {
  v128_t y = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_mul(sa, wasm_v128_load(sw)));
  if (accumulate) y = wasm_f32x4_add(wasm_v128_load(c), y);
  wasm_v128_store(c, rnn_flush_f32x4(y));
}

/* The same for a partial tile, nc < 4 * nv columns: out of line, and its
 * caller keeps no v128 across the call (V8 spills a v128 live across a call
 * where it is defined: in the loop). */
__attribute__((noinline)) static void store_partial(float *c, int nc, int nv, const v128_t *acc, float sa,
                                                    const float *sw, int accumulate) {
  float tile[RNN_QGEMM_NR];
  for (int i = 0; i < nv; i++) {
    const v128_t y = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc[i]),
                                    wasm_f32x4_mul(wasm_f32x4_splat(sa), wasm_v128_load(sw + 4 * i)));
    wasm_v128_store(tile + 4 * i, y);
  }
  for (int j = 0; j < nc; j++) c[j] = rnn_flush(accumulate ? c[j] + tile[j] : tile[j]);
}

/* A 1x16 tile's four accumulators, c[0..nc) (+)= acc * (sa * sw): the full
 * store inline, a partial one out of line. */
static inline __attribute__((always_inline)) void store16(float *c, int nc, v128_t c0, v128_t c1, v128_t c2,
                                                         v128_t c3, float sa, const float *sw, int accumulate) {
  if (nc < RNN_QGEMM_NR) {
    const v128_t acc[4] = {c0, c1, c2, c3};
    store_partial(c, nc, 4, acc, sa, sw, accumulate);
    return;
  }
  const v128_t vsa = wasm_f32x4_splat(sa);
  store4(c, c0, vsa, sw, accumulate);
  store4(c + 4, c1, vsa, sw + 4, accumulate);
  store4(c + 8, c2, vsa, sw + 8, accumulate);
  store4(c + 12, c3, vsa, sw + 12, accumulate);
}

#endif
