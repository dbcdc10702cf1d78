/* qgemm_scalar.c - portable C int8 microkernels: the reference the SIMD
 * kernels match bit for bit (same integer sums, same float ops after them).
 * Layouts and contracts: qgemm.h. Always built. */
#include "flush.h"
#include "qgemm.h"

/* Scalar even in -msimd128 builds (see gemm_scalar.c). */
#if defined(__wasm_simd128__) && defined(__clang__)
#define RNN_SCALAR_CODE __attribute__((target("no-simd128")))
#else
#define RNN_SCALAR_CODE
#endif

/* sum_k qa[k] * w[kb][j][k % KR] over one column j of one panel */
RNN_SCALAR_CODE static int32_t column_dot(int kc, const int16_t *qa, const int8_t *w, int j) {
  int32_t acc = 0;
  for (int k0 = 0; k0 < kc; k0 += RNN_QGEMM_KR, w += RNN_QGEMM_NR * RNN_QGEMM_KR)
    for (int i = 0; i < RNN_QGEMM_KR; i++) acc += qa[k0 + i] * w[j * RNN_QGEMM_KR + i];
  return acc;
}

/* c = (float)acc * (sa * sw), added to c when accumulating, flushed */
RNN_SCALAR_CODE static void store(float *c, int32_t acc, float sa, float sw, int accumulate) {
  const float y = (float)acc * (sa * sw);
  *c = rnn_flush(accumulate ? *c + y : y);
}

RNN_SCALAR_CODE
void rnn_qgemv_1x8c8__scalar(int nc, int kc, const int16_t *qa, float sa, const int8_t *w,
                             const float *sw, float *c, int accumulate) {
  for (int j = 0; j < nc; j++) {
    const int8_t *panel = w + (ptrdiff_t)(j / RNN_QGEMM_NR) * kc * RNN_QGEMM_NR;
    store(c + j, column_dot(kc, qa, panel, j % RNN_QGEMM_NR), sa, sw[j], accumulate);
  }
}
