/* test_qgemm.c - the int8 products (qgemm.h): every kernel through the driver
 * against an independent integer reference (the same C bit for bit), the SIMD
 * kernels against the scalar ones, the pack's layout, and the error against
 * the float product. Last line "N passed, M failed". test_qgemm_c4.c runs
 * the same on the c4 flavour (QGEMM_C4_TEST: 7-bit activations, int8 panels
 * by 4 k). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush.h"
#include "qgemm.h"
#ifdef QGEMM_C4_TEST
#define A_QMAX 63.0f /* activations: RNN_QGEMM_C4_QMAX */
#define PANEL_KR 4
typedef int8_t packed_t;
#else
#define A_QMAX 127.0f
#define PANEL_KR 2
typedef int16_t packed_t;
#endif
#define TEST_RAND_SEED 777u
#include "test_rand.h"

static int passed, failed;
static void check(int ok, const char *what, int M, int N, int K) {
  if (ok) {
    passed++;
    return;
  }
  if (++failed <= 20) printf("FAIL %s M=%d N=%d K=%d\n", what, M, N, K);
}

typedef struct {
  const float *w; /* [N][K] */
  int K;
} wsrc;
static float get_w(const void *ctx, int k, int n) {
  const wsrc *s = ctx;
  return s->w[(size_t)n * s->K + k];
}

/* The rule of qgemm.h written out again, element by element (qmax 127, or
 * 63 for the c4 flavour's activations). */
static float ref_quantize(int K, const float *v, int *q, float qmax) {
  float amax = 0.0f;
  int bad = 0;
  for (int k = 0; k < K; k++) {
    if (!isfinite(v[k])) bad = 1;
    else if (fabsf(v[k]) > amax) amax = fabsf(v[k]);
  }
  if (bad) {
    for (int k = 0; k < K; k++) q[k] = 0;
    return NAN;
  }
  if (amax < 0x1p-100f) {
    for (int k = 0; k < K; k++) q[k] = 0;
    return 0.0f;
  }
  const float inv = qmax / amax;
  for (int k = 0; k < K; k++) q[k] = (int)nearbyintf(v[k] * inv);
  return rnn_flush(amax / qmax);
}

/* A weight row (qgemm.h): the scale rounded to bfloat16, q = v / scale rounded. */
static float ref_quantize_weight(int K, const float *v, int *q) {
  const float s = rnn_bf16(ref_quantize(K, v, q, 127.0f));
  if (s > 0.0f)
    for (int k = 0; k < K; k++) q[k] = (int)nearbyintf(v[k] * (1.0f / s));
  return s;
}

static void run_case(int M, int N, int K, int accumulate) {
  float *a = rand_array((size_t)M * K, 2.0f), *w = rand_array((size_t)N * K, 0.3f);
  if (M > 2) a[K + K / 2] = NAN; /* row 1 holds a NaN: its outputs are NaN */
  const wsrc src = {w, K};
  void *packed = aligned_alloc(16, (rnn_qgemm_packed_size(K, N) + 15) / 16 * 16);
  rnn_qgemm_pack(K, N, get_w, &src, packed);
  /* scales first, then the row sums */
  int *q = malloc(sizeof(int) * (size_t)K), *qa = malloc(sizeof(int) * (size_t)M * K);
  float *sw = malloc(sizeof(float) * (size_t)N), *sa = malloc(sizeof(float) * (size_t)M);
  const int Np = (N + 15) / 16 * 16;
  int layout_ok = 1;
  for (int n = 0; n < N; n++) {
    sw[n] = ref_quantize_weight(K, w + (size_t)n * K, q);
    int sum = 0;
    for (int k = 0; k < K; k++) sum += q[k];
    layout_ok &= memcmp(&sw[n], (float *)packed + n, 4) == 0;
    layout_ok &= ((int32_t *)packed)[Np + n] == sum;
    const int Kp = (K + 3) / 4 * 4;
    const packed_t *qw = (const packed_t *)((const char *)packed + (size_t)Np * 8) + (size_t)(n / 16) * Kp * 16;
    for (int k = 0; k < K; k++) layout_ok &= qw[(k / PANEL_KR) * 16 * PANEL_KR + (n % 16) * PANEL_KR + k % PANEL_KR] == q[k];
  }
  check(layout_ok, "pack layout", M, N, K);
  for (int m = 0; m < M; m++) sa[m] = ref_quantize(K, a + (size_t)m * K, qa + (size_t)m * K, A_QMAX);

  const ptrdiff_t ldc = N + 3;
  float *init = rand_array((size_t)M * ldc, 1.0f), *want = malloc(sizeof(float) * (size_t)M * ldc);
  memcpy(want, init, sizeof(float) * (size_t)M * ldc);
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      int32_t acc = 0;
      ref_quantize_weight(K, w + (size_t)n * K, q);
      for (int k = 0; k < K; k++) acc += qa[(size_t)m * K + k] * q[k];
      const float y = (float)acc * (sa[m] * sw[n]);
      float *c = want + m * ldc + n;
      *c = rnn_flush(accumulate ? *c + y : y);
    }
  size_t ws_bytes = rnn_qgemm_workspace_size(K);
  void *ws = aligned_alloc(16, (ws_bytes + 15) / 16 * 16);
  float *got = malloc(sizeof(float) * (size_t)M * ldc);
  for (int scalar = 0; scalar <= 1; scalar++) {
    rnn_qgemm_use_scalar(scalar);
    memcpy(got, init, sizeof(float) * (size_t)M * ldc);
    rnn_qgemm_packed(M, N, K, a, K, packed, got, ldc, accumulate, ws, ws_bytes);
    check(memcmp(got, want, sizeof(float) * (size_t)M * ldc) == 0,
          scalar ? "scalar kernels = integer reference" : "default kernels = integer reference", M, N, K);
  }
  rnn_qgemm_use_scalar(0);
  /* against the float product: the error of 8-bit (c4: 7-bit activation) operands */
  double worst = 0.0;
  for (int m = 0; m < M; m++) {
    if (m == 1 && M > 2) continue;
    for (int n = 0; n < N; n++) {
      double exact = accumulate ? init[m * ldc + n] : 0.0, mag = 0.0;
      for (int k = 0; k < K; k++) {
        exact += (double)a[(size_t)m * K + k] * w[(size_t)n * K + k];
        mag += fabs((double)a[(size_t)m * K + k] * w[(size_t)n * K + k]);
      }
      const double err = fabs(got[m * ldc + n] - exact) / (mag + 1e-30);
      if (err > worst) worst = err;
    }
  }
  check(worst < 0.02 * 127.0 / A_QMAX, "close to the float product", M, N, K); /* 7-bit rows: twice the error */
  if (M > 2) check(isnan(got[ldc]), "a NaN in a row makes its outputs NaN", M, N, K);
  free(a), free(w), free(packed), free(q), free(qa), free(sw), free(sa);
  free(init), free(want), free(ws), free(got);
}

/* rnn_qgemv2_packed = c = bias, then the two products accumulating, bit for bit */
static void run_fused(int N, int K1, int K2, int with_bias) {
  float *a1 = rand_array((size_t)K1, 2.0f), *a2 = rand_array((size_t)K2, 1.0f);
  float *w1 = rand_array((size_t)N * K1, 0.3f), *w2 = rand_array((size_t)N * K2, 0.1f);
  float *bias = rand_array((size_t)N, 0.5f);
  const wsrc src1 = {w1, K1}, src2 = {w2, K2};
  void *p1 = aligned_alloc(16, (rnn_qgemm_packed_size(K1, N) + 15) / 16 * 16);
  void *p2 = aligned_alloc(16, (rnn_qgemm_packed_size(K2, N) + 15) / 16 * 16);
  rnn_qgemm_pack(K1, N, get_w, &src1, p1);
  rnn_qgemm_pack(K2, N, get_w, &src2, p2);
  const size_t ws_bytes = rnn_qgemm_workspace_size(K1 > K2 ? K1 : K2);
  void *ws = aligned_alloc(16, (ws_bytes + 15) / 16 * 16);
  float *want = malloc(sizeof(float) * (size_t)N), *got = malloc(sizeof(float) * (size_t)N);
  for (int scalar = 0; scalar <= 1; scalar++) {
    rnn_qgemm_use_scalar(scalar);
    if (with_bias) memcpy(want, bias, sizeof(float) * (size_t)N);
    rnn_qgemm_packed(1, N, K1, a1, K1, p1, want, N, with_bias, ws, ws_bytes);
    rnn_qgemm_packed(1, N, K2, a2, K2, p2, want, N, 1, ws, ws_bytes);
    rnn_qgemv2_packed(N, K1, a1, p1, K2, a2, p2, with_bias ? bias : NULL, got, ws, ws_bytes);
    check(memcmp(got, want, sizeof(float) * (size_t)N) == 0,
          scalar ? "scalar fused [x, 1, h] = two products" : "default fused [x, 1, h] = two products", 1, N, K1 + K2);
  }
  rnn_qgemm_use_scalar(0);
  free(a1), free(a2), free(w1), free(w2), free(bias), free(p1), free(p2), free(ws), free(want), free(got);
}

int main(void) {
  const int shapes[][3] = {{1, 8, 8},   {1, 13, 5},  {1, 1024, 289}, {2, 4, 8},  {3, 5, 17},
                           {7, 33, 40}, {32, 64, 256}, {70, 12, 9},  {1, 3, 1},  {65, 9, 700}};
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
    for (int acc = 0; acc <= 1; acc++) run_case(shapes[i][0], shapes[i][1], shapes[i][2], acc);
  const int fused[][3] = {{1024, 32, 256}, {13, 5, 17}, {33, 9, 40}, {16, 1, 3}};
  for (size_t i = 0; i < sizeof fused / sizeof *fused; i++)
    for (int b = 0; b <= 1; b++) run_fused(fused[i][0], fused[i][1], fused[i][2], b);
#ifndef QGEMM_C4_TEST
  /* an all-zero row quantizes to scale 0 and gives zeros */
  float zero[16] = {0};
  int16_t q16[16];
  check(rnn_quantize_row(16, zero, q16) == 0.0f && q16[3] == 0, "zero row", 1, 1, 16);
#endif
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
