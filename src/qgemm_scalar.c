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

/* sum_k qa[k] * W(k, j) over column j of one c2 panel */
RNN_SCALAR_CODE static int32_t column_dot(int kc, const int16_t *qa, const int16_t *w, int j) {
  int32_t acc = 0;
  for (int k = 0; k < kc; k += RNN_QGEMM_KR, w += RNN_QGEMM_NR * RNN_QGEMM_KR)
    for (int i = 0; i < RNN_QGEMM_KR; i++) acc += qa[k + i] * w[j * RNN_QGEMM_KR + i];
  return acc;
}

/* c = (float)acc * (sa * sw), added to c when accumulating, flushed */
RNN_SCALAR_CODE static void store(float *c, int32_t acc, float sa, float sw, int accumulate) {
  const float y = (float)acc * (sa * sw);
  *c = rnn_flush(accumulate ? *c + y : y);
}

RNN_SCALAR_CODE
RNN_QGEMM_KERNEL(rnn_qgemm_1x16c2__scalar) {
  (void)ldc;
  for (int j = 0; j < nc; j++) store(c + j, column_dot(kc, qa, w, j), sa[0], sw[j], accumulate);
}

RNN_SCALAR_CODE
RNN_QGEMM2_KERNEL(rnn_qgemm2_1x16c2__scalar) {
  if (bias)
    for (int j = 0; j < nc; j++) c[j] = bias[j];
  rnn_qgemm_1x16c2__scalar(nc, k1, q1, &s1, w1, sw1, c, 0, bias != NULL);
  rnn_qgemm_1x16c2__scalar(nc, k2, q2, &s2, w2, sw2, c, 0, 1);
}

/* w: columns 0-7 or 8-15 of a panel (the pairs of k still NR columns
 * apart); qa: 4 rows interleaved by pairs of k, [kc / 2][4][2] */
RNN_SCALAR_CODE
RNN_QGEMM_KERNEL(rnn_qgemm_4x8c2__scalar) {
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < nc; j++) {
      int32_t acc = 0;
      for (int p = 0; p < kc / RNN_QGEMM_KR; p++)
        for (int i = 0; i < RNN_QGEMM_KR; i++)
          acc += qa[p * 4 * RNN_QGEMM_KR + r * RNN_QGEMM_KR + i] * w[p * RNN_QGEMM_NR * RNN_QGEMM_KR + j * RNN_QGEMM_KR + i];
      store(c + r * ldc + j, acc, sa[r], sw[j], accumulate);
    }
}

/* The c4 flavour (qgemm.h): int8 weights by 4 k, activations offset by
 * RNN_QGEMM_C4_OFFSET, summed here without the offset (no row sums). */
#define C4 RNN_QGEMM_C4_KR
#define C4_OFF RNN_QGEMM_C4_OFFSET

RNN_SCALAR_CODE static int32_t column_dot_c4(int kc, const uint8_t *qa, int stride, const int8_t *w, int j) {
  int32_t acc = 0;
  for (int k = 0; k < kc; k += C4, w += RNN_QGEMM_NR * C4, qa += stride)
    for (int i = 0; i < C4; i++) acc += (qa[i] - C4_OFF) * w[j * C4 + i];
  return acc;
}

RNN_SCALAR_CODE
RNN_QGEMM_C4_KERNEL(rnn_qgemm_1x16c4__scalar) {
  (void)ldc, (void)wsum;
  for (int j = 0; j < nc; j++) store(c + j, column_dot_c4(kc, qa, C4, w, j), sa[0], sw[j], accumulate);
}

RNN_SCALAR_CODE
RNN_QGEMM2_C4_KERNEL(rnn_qgemm2_1x16c4__scalar) {
  if (bias)
    for (int j = 0; j < nc; j++) c[j] = bias[j];
  rnn_qgemm_1x16c4__scalar(nc, k1, q1, &s1, w1, ws1, sw1, c, 0, bias != NULL);
  rnn_qgemm_1x16c4__scalar(nc, k2, q2, &s2, w2, ws2, sw2, c, 0, 1);
}

/* qa: 4 rows interleaved by 4 k, [kc / 4][4][4] */
RNN_SCALAR_CODE
RNN_QGEMM_C4_KERNEL(rnn_qgemm_4x8c4__scalar) {
  (void)wsum;
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < nc; j++)
      store(c + r * ldc + j, column_dot_c4(kc, qa + r * C4, 4 * C4, w, j), sa[r], sw[j], accumulate);
}
