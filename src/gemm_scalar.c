/* gemm_scalar.c - portable C f32 GEMM microkernels.
 *
 * Same tile and data flow as the wasmsimd kernels (one A value per row per k
 * times the 8 packed B values), so builds without SIMD128 and native test
 * builds run the same blocking. Always built.
 */
#include "flush.h"
#include "gemm.h"

/* Keep these kernels scalar even in -msimd128 builds, where clang would
 * otherwise auto-vectorise them: the tests then check real scalar code and the
 * benchmark's scalar column shows what the no-SIMD build (rnn-scalar.wasm)
 * gets. */
#if defined(__wasm_simd128__) && defined(__clang__)
#define RNN_SCALAR_CODE __attribute__((target("no-simd128")))
#else
#define RNN_SCALAR_CODE
#endif

/* Writes one row of results to the first nc columns of c, flushed (flush.h). */
RNN_SCALAR_CODE static void store_row(float *c, int nc, const float *row,
                                      int accumulate) {
  for (int j = 0; j < nc; j++) c[j] = rnn_flush(accumulate ? c[j] + row[j] : row[j]);
}

RNN_SCALAR_CODE
void rnn_gemm_4x8__scalar(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                          ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                          int accumulate) {
  /* Rows past mr alias the row before them: no row branches in the k loop. */
  const float *a0 = a;
  const float *a1 = mr > 1 ? a0 + sam : a0;
  const float *a2 = mr > 2 ? a1 + sam : a1;
  const float *a3 = mr > 3 ? a2 + sam : a2;

  float acc0[RNN_GEMM_NR] = {0}, acc1[RNN_GEMM_NR] = {0};
  float acc2[RNN_GEMM_NR] = {0}, acc3[RNN_GEMM_NR] = {0};
  for (int k = 0; k < kc; k++) {
    const float va0 = *a0, va1 = *a1, va2 = *a2, va3 = *a3;
    a0 += sak;
    a1 += sak;
    a2 += sak;
    a3 += sak;
    for (int j = 0; j < RNN_GEMM_NR; j++) {
      const float b = w[j];
      acc0[j] += va0 * b;
      acc1[j] += va1 * b;
      acc2[j] += va2 * b;
      acc3[j] += va3 * b;
    }
    w += RNN_GEMM_NR;
  }

  store_row(c, nc, acc0, accumulate);
  if (mr > 1) store_row(c + ldc, nc, acc1, accumulate);
  if (mr > 2) store_row(c + 2 * ldc, nc, acc2, accumulate);
  if (mr > 3) store_row(c + 3 * ldc, nc, acc3, accumulate);
}

RNN_SCALAR_CODE
void rnn_gemm_1x8__scalar(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                          ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                          int accumulate) {
  (void)mr, (void)sam, (void)ldc; /* one row, by contract */
  float acc[RNN_GEMM_NR] = {0};
  for (int k = 0; k < kc; k++) {
    const float va = *a;
    a += sak;
    for (int j = 0; j < RNN_GEMM_NR; j++) acc[j] += va * w[j];
    w += RNN_GEMM_NR;
  }
  store_row(c, nc, acc, accumulate);
}

RNN_SCALAR_CODE
void rnn_gemv_1x28__scalar(int kc, const float *a, ptrdiff_t sak, const float *w,
                           float *c, int accumulate) {
  float acc[RNN_GEMV_NR] = {0};
  for (int k = 0; k < kc; k++) {
    const float va = *a;
    a += sak;
    for (int j = 0; j < RNN_GEMV_NR; j++) acc[j] += va * w[j];
    w += RNN_GEMV_NR;
  }
  store_row(c, RNN_GEMV_NR, acc, accumulate);
}
