/* gemm.c - packing, blocking drivers and the reference product (see gemm.h). */
#include "gemm.h"

/* Steps of k per kernel call. One packed panel slice (KC * NR floats = 8 KB)
 * stays in L1 while every row block of A streams past it. */
#define RNN_GEMM_KC 256
/* Columns of B packed at a time by rnn_sgemm: with KC this bounds the
 * workspace to KC * NC floats (1 MB). */
#define RNN_GEMM_NC 1024

#ifdef __wasm_simd128__
#define RNN_GEMM_DEFAULT(tile) rnn_gemm_##tile##__wasmsimd
#define RNN_GEMM_DEFAULT_NAME "rnn_gemm_4x8__wasmsimd"
#else
#define RNN_GEMM_DEFAULT(tile) rnn_gemm_##tile##__scalar
#define RNN_GEMM_DEFAULT_NAME "rnn_gemm_4x8__scalar"
#endif

static rnn_gemm_ukernel gemm_4x8 = RNN_GEMM_DEFAULT(4x8);
static rnn_gemm_ukernel gemm_1x8 = RNN_GEMM_DEFAULT(1x8);
static const char *gemm_name = RNN_GEMM_DEFAULT_NAME;

const char *rnn_gemm_use_scalar(int force_scalar) {
  if (force_scalar) {
    gemm_4x8 = rnn_gemm_4x8__scalar;
    gemm_1x8 = rnn_gemm_1x8__scalar;
    gemm_name = "rnn_gemm_4x8__scalar";
  } else {
    gemm_4x8 = RNN_GEMM_DEFAULT(4x8);
    gemm_1x8 = RNN_GEMM_DEFAULT(1x8);
    gemm_name = RNN_GEMM_DEFAULT_NAME;
  }
  return gemm_name;
}

static int min_int(int x, int y) { return x < y ? x : y; }

static int panel_count(int N) { return (N + RNN_GEMM_NR - 1) / RNN_GEMM_NR; }

size_t rnn_gemm_packed_size(int K, int N) {
  if (K <= 0 || N <= 0) return 0;
  return (size_t)panel_count(N) * RNN_GEMM_NR * (size_t)K;
}

void rnn_gemm_pack_b(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                     float *packed) {
  if (K <= 0 || N <= 0) return;
  for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NR) {
    const int nc = min_int(RNN_GEMM_NR, N - n0);
    for (int k = 0; k < K; k++) {
      const float *brow = b + k * sbk + n0 * sbn;
      int j = 0;
      for (; j < nc; j++) packed[j] = brow[j * sbn];
      for (; j < RNN_GEMM_NR; j++) packed[j] = 0.0f;
      packed += RNN_GEMM_NR;
    }
  }
}

void rnn_gemm_packed(int M, int N, int K, const float *a, ptrdiff_t sam,
                     ptrdiff_t sak, const float *packed, float *c, ptrdiff_t ldc,
                     int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { /* empty sum */
    if (!accumulate)
      for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) c[m * ldc + n] = 0.0f;
    return;
  }
  const rnn_gemm_ukernel k4x8 = gemm_4x8, k1x8 = gemm_1x8;
  const int panels = panel_count(N);
  for (int k0 = 0; k0 < K; k0 += RNN_GEMM_KC) {
    const int kc = min_int(RNN_GEMM_KC, K - k0);
    const int acc = accumulate || k0 > 0; /* later K blocks add to the first */
    const float *ak = a + k0 * sak;
    /* Panels outside, rows inside: each panel slice is read from memory once
     * and reused from L1 by all M rows; weights are the big operand here. */
    for (int p = 0; p < panels; p++) {
      const int n0 = p * RNN_GEMM_NR;
      const int nc = min_int(RNN_GEMM_NR, N - n0);
      const float *w = packed + ((size_t)p * K + k0) * RNN_GEMM_NR;
      int m = 0;
      for (; m + RNN_GEMM_MR <= M; m += RNN_GEMM_MR)
        k4x8(RNN_GEMM_MR, nc, kc, ak + m * sam, sam, sak, w, c + m * ldc + n0,
             ldc, acc);
      for (; m < M; m++)
        k1x8(1, nc, kc, ak + m * sam, sam, sak, w, c + m * ldc + n0, ldc, acc);
    }
  }
}

size_t rnn_gemm_workspace_size(int K, int N) {
  if (K <= 0 || N <= 0) return 0;
  return rnn_gemm_packed_size(min_int(K, RNN_GEMM_KC), min_int(N, RNN_GEMM_NC));
}

void rnn_sgemm(int M, int N, int K, const float *a, ptrdiff_t sam, ptrdiff_t sak,
               const float *b, ptrdiff_t sbk, ptrdiff_t sbn, float *c,
               ptrdiff_t ldc, int accumulate, float *workspace) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    rnn_gemm_packed(M, N, K, a, sam, sak, workspace, c, ldc, accumulate);
    return;
  }
  /* Pack one KC x NC block of B at a time and multiply it in; every element
   * of B is packed exactly once. */
  for (int k0 = 0; k0 < K; k0 += RNN_GEMM_KC) {
    const int kc = min_int(RNN_GEMM_KC, K - k0);
    for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NC) {
      const int nc = min_int(RNN_GEMM_NC, N - n0);
      rnn_gemm_pack_b(kc, nc, b + k0 * sbk + n0 * sbn, sbk, sbn, workspace);
      rnn_gemm_packed(M, nc, kc, a + k0 * sak, sam, sak, workspace, c + n0, ldc,
                      accumulate || k0 > 0);
    }
  }
}

void rnn_gemm_ref(int M, int N, int K, const float *a, ptrdiff_t sam,
                  ptrdiff_t sak, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                  float *c, ptrdiff_t ldc, int accumulate) {
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      double sum = accumulate ? c[m * ldc + n] : 0.0;
      for (int k = 0; k < K; k++)
        sum += (double)a[m * sam + k * sak] * b[k * sbk + n * sbn];
      c[m * ldc + n] = (float)sum;
    }
}
