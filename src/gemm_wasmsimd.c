/* gemm_wasmsimd.c - WebAssembly SIMD128 f32 GEMM microkernels ("loadsplat").
 *
 * Per k step each row broadcasts one A value straight from memory
 * (v128.load32_splat, a single vbroadcastss on x86 with AVX) and multiplies it
 * by the two v128 halves of the packed 8-wide B row. The 4x8 tile keeps 8
 * accumulators + 2 B vectors + splats inside x86's 16 XMM registers; wider
 * tiles spill under V8. Compiles to nothing without -msimd128.
 */
#include "gemm.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

/* acc + a*b. Kept as a macro so a relaxed-SIMD build can swap in
 * wasm_f32x4_relaxed_madd (FMA) without touching the kernels. */
#define RNN_MADD(a, b, acc) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (acc))

/* Writes one row of 8 results (2 vectors) to the first nc columns of c. */
static void store_row_tail(float *c, int nc, v128_t lo, v128_t hi,
                           int accumulate) {
  float row[RNN_GEMM_NR];
  wasm_v128_store(row, lo);
  wasm_v128_store(row + 4, hi);
  for (int j = 0; j < nc; j++) c[j] = accumulate ? c[j] + row[j] : row[j];
}

void rnn_gemm_4x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate) {
  /* Rows past mr alias the row before them: the hot loop has no row
   * branches, the extra rows compute duplicates that are never stored apart. */
  const float *a0 = a;
  const float *a1 = mr > 1 ? a0 + sam : a0;
  const float *a2 = mr > 2 ? a1 + sam : a1;
  const float *a3 = mr > 3 ? a2 + sam : a2;
  float *c0 = c;
  float *c1 = mr > 1 ? c0 + ldc : c0;
  float *c2 = mr > 2 ? c1 + ldc : c1;
  float *c3 = mr > 3 ? c2 + ldc : c2;

  v128_t acc0l = wasm_f32x4_splat(0.0f), acc0h = acc0l;
  v128_t acc1l = acc0l, acc1h = acc0l;
  v128_t acc2l = acc0l, acc2h = acc0l;
  v128_t acc3l = acc0l, acc3h = acc0l;
  int k = kc;
  do {
    const v128_t bl = wasm_v128_load(w);
    const v128_t bh = wasm_v128_load(w + 4);
    w += RNN_GEMM_NR;
    const v128_t va0 = wasm_v128_load32_splat(a0);
    const v128_t va1 = wasm_v128_load32_splat(a1);
    const v128_t va2 = wasm_v128_load32_splat(a2);
    const v128_t va3 = wasm_v128_load32_splat(a3);
    a0 += sak;
    a1 += sak;
    a2 += sak;
    a3 += sak;
    acc0l = RNN_MADD(va0, bl, acc0l);
    acc0h = RNN_MADD(va0, bh, acc0h);
    acc1l = RNN_MADD(va1, bl, acc1l);
    acc1h = RNN_MADD(va1, bh, acc1h);
    acc2l = RNN_MADD(va2, bl, acc2l);
    acc2h = RNN_MADD(va2, bh, acc2h);
    acc3l = RNN_MADD(va3, bl, acc3l);
    acc3h = RNN_MADD(va3, bh, acc3h);
  } while (--k != 0);

  if (nc == RNN_GEMM_NR) {
    if (accumulate) {
      /* All loads before any store: aliased rows must both see the old C. */
      const v128_t o0l = wasm_v128_load(c0), o0h = wasm_v128_load(c0 + 4);
      const v128_t o1l = wasm_v128_load(c1), o1h = wasm_v128_load(c1 + 4);
      const v128_t o2l = wasm_v128_load(c2), o2h = wasm_v128_load(c2 + 4);
      const v128_t o3l = wasm_v128_load(c3), o3h = wasm_v128_load(c3 + 4);
      acc0l = wasm_f32x4_add(acc0l, o0l);
      acc0h = wasm_f32x4_add(acc0h, o0h);
      acc1l = wasm_f32x4_add(acc1l, o1l);
      acc1h = wasm_f32x4_add(acc1h, o1h);
      acc2l = wasm_f32x4_add(acc2l, o2l);
      acc2h = wasm_f32x4_add(acc2h, o2h);
      acc3l = wasm_f32x4_add(acc3l, o3l);
      acc3h = wasm_f32x4_add(acc3h, o3h);
    }
    wasm_v128_store(c3, acc3l);
    wasm_v128_store(c3 + 4, acc3h);
    wasm_v128_store(c2, acc2l);
    wasm_v128_store(c2 + 4, acc2h);
    wasm_v128_store(c1, acc1l);
    wasm_v128_store(c1 + 4, acc1h);
    wasm_v128_store(c0, acc0l);
    wasm_v128_store(c0 + 4, acc0h);
  } else {
    /* Column tail (cold): only the mr real rows, one at a time. */
    store_row_tail(c0, nc, acc0l, acc0h, accumulate);
    if (mr > 1) store_row_tail(c1, nc, acc1l, acc1h, accumulate);
    if (mr > 2) store_row_tail(c2, nc, acc2l, acc2h, accumulate);
    if (mr > 3) store_row_tail(c3, nc, acc3l, acc3h, accumulate);
  }
}

void rnn_gemm_1x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate) {
  /* One row has only 2 accumulators, so the add latency would bound the loop:
   * unroll k by 4 into 8 independent accumulators and sum them at the end. */
  v128_t acc0l = wasm_f32x4_splat(0.0f), acc0h = acc0l;
  v128_t acc1l = acc0l, acc1h = acc0l;
  v128_t acc2l = acc0l, acc2h = acc0l;
  v128_t acc3l = acc0l, acc3h = acc0l;
  int k = kc;
  for (; k >= 4; k -= 4) {
    const v128_t va0 = wasm_v128_load32_splat(a);
    const v128_t va1 = wasm_v128_load32_splat(a + sak);
    const v128_t va2 = wasm_v128_load32_splat(a + 2 * sak);
    const v128_t va3 = wasm_v128_load32_splat(a + 3 * sak);
    a += 4 * sak;
    acc0l = RNN_MADD(va0, wasm_v128_load(w), acc0l);
    acc0h = RNN_MADD(va0, wasm_v128_load(w + 4), acc0h);
    acc1l = RNN_MADD(va1, wasm_v128_load(w + 8), acc1l);
    acc1h = RNN_MADD(va1, wasm_v128_load(w + 12), acc1h);
    acc2l = RNN_MADD(va2, wasm_v128_load(w + 16), acc2l);
    acc2h = RNN_MADD(va2, wasm_v128_load(w + 20), acc2h);
    acc3l = RNN_MADD(va3, wasm_v128_load(w + 24), acc3l);
    acc3h = RNN_MADD(va3, wasm_v128_load(w + 28), acc3h);
    w += 4 * RNN_GEMM_NR;
  }
  for (; k != 0; k--) {
    const v128_t va = wasm_v128_load32_splat(a);
    a += sak;
    acc0l = RNN_MADD(va, wasm_v128_load(w), acc0l);
    acc0h = RNN_MADD(va, wasm_v128_load(w + 4), acc0h);
    w += RNN_GEMM_NR;
  }
  acc0l = wasm_f32x4_add(wasm_f32x4_add(acc0l, acc1l), wasm_f32x4_add(acc2l, acc3l));
  acc0h = wasm_f32x4_add(wasm_f32x4_add(acc0h, acc1h), wasm_f32x4_add(acc2h, acc3h));

  if (nc == RNN_GEMM_NR) {
    if (accumulate) {
      acc0l = wasm_f32x4_add(acc0l, wasm_v128_load(c));
      acc0h = wasm_f32x4_add(acc0h, wasm_v128_load(c + 4));
    }
    wasm_v128_store(c, acc0l);
    wasm_v128_store(c + 4, acc0h);
  } else {
    store_row_tail(c, nc, acc0l, acc0h, accumulate);
  }
}

#else
/* ISO C forbids an empty translation unit. */
typedef int rnn_gemm_wasmsimd_unused;
#endif
