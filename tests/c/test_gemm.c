/* test_gemm.c - every GEMM kernel and driver against rnn_gemm_ref.
 * Exit code 0 when everything passes; last line "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "rnn.h"
#include "rnn_testing.h"
#define TEST_RAND_SEED 12345u
#include "test_rand.h"

static int passed, failed;


/* Marks C entries a product must not touch (bit-compared afterwards). */
static const float SENTINEL = -12345.5f;

/* Floats spanned by a matrix with these extents and strides. */
static size_t extent(int rows, int cols, ptrdiff_t srow, ptrdiff_t scol) {
  return (size_t)((rows - 1) * srow + (cols - 1) * scol + 1);
}

static void report(int ok, const char *what, const char *kernel, int M, int N,
                   int K, int accumulate, const char *detail) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  if (failed <= 20)
    printf("FAIL %s [%s] M=%d N=%d K=%d acc=%d: %s\n", what, kernel, M, N, K,
           accumulate, detail);
}

/* Compares got against want over the M x N block with a tolerance scaled by
 * sum_k |a||b| (+ |old C| when accumulating); everything else in the ldc-wide
 * buffer (rows x ldc floats) must equal `old` bit for bit. */
static int compare(int M, int N, int K, int rows, ptrdiff_t ldc, const float *a,
                   ptrdiff_t sam, ptrdiff_t sak, const float *b, ptrdiff_t sbk,
                   ptrdiff_t sbn, const float *old, const float *got,
                   const float *want, int accumulate, char *detail) {
  for (int m = 0; m < rows; m++)
    for (ptrdiff_t n = 0; n < ldc; n++) {
      const size_t i = (size_t)(m * ldc + n);
      if (m < M && n < N) {
        double bound = accumulate ? fabs(old[i]) : 0.0;
        for (int k = 0; k < K; k++)
          bound += fabs((double)a[m * sam + k * sak] * b[k * sbk + n * sbn]);
        const double err = fabs((double)got[i] - want[i]);
        if (!(err <= 1e-5 * bound + 1e-30)) {
          sprintf(detail, "C(%d,%d) = %.9g, want %.9g (bound %.3g)", m, (int)n,
                  got[i], want[i], bound);
          return 0;
        }
      } else if (memcmp(&got[i], &old[i], sizeof(float)) != 0) {
        sprintf(detail, "wrote outside C at row %d col %d", m, (int)n);
        return 0;
      }
    }
  return 1;
}

/* ---- microkernels: one panel, mr rows, nc columns, kc steps ---- */

typedef struct {
  const char *name;
  rnn_gemm_ukernel fn;
  int mr_max;
} kernel_case;

static void test_kernel(const kernel_case *kern) {
  static const int kcs[] = {1, 2, 3, 4, 5, 8, 17, 64};
  for (int mr = 1; mr <= kern->mr_max; mr++)
    for (int nc = 1; nc <= RNN_GEMM_NR; nc++)
      for (size_t ki = 0; ki < sizeof kcs / sizeof *kcs; ki++)
        for (int trans_a = 0; trans_a <= 1; trans_a++)
          for (int accumulate = 0; accumulate <= 1; accumulate++) {
            const int kc = kcs[ki];
            const ptrdiff_t sam = trans_a ? 1 : kc, sak = trans_a ? mr : 1;
            const int rows = RNN_GEMM_MR + 1; /* rows past mr must stay put */
            const ptrdiff_t ldc = RNN_GEMM_NR + 3;
            float *a = rand_array(extent(mr, kc, sam, sak), 1.0f);
            float *b = rand_array((size_t)kc * nc, 1.0f); /* [kc][nc] */
            float *w = malloc(rnn_gemm_packed_size(kc, nc) * sizeof *w);
            float *old = rand_array((size_t)rows * ldc, 1.0f);
            float *got = malloc((size_t)rows * ldc * sizeof *got);
            float *want = malloc((size_t)rows * ldc * sizeof *want);
            for (int i = 0; i < rows * ldc; i++)
              if (i / ldc >= mr || i % ldc >= nc) old[i] = SENTINEL;
            memcpy(got, old, (size_t)rows * ldc * sizeof *got);
            memcpy(want, old, (size_t)rows * ldc * sizeof *want);
            rnn_gemm_pack_b(kc, nc, b, nc, 1, w);
            kern->fn(mr, nc, kc, a, sam, sak, w, got, ldc, accumulate);
            rnn_gemm_ref(mr, nc, kc, a, sam, sak, b, nc, 1, want, ldc,
                         accumulate);
            char detail[160] = "";
            const int ok = compare(mr, nc, kc, rows, ldc, a, sam, sak, b, nc, 1,
                                   old, got, want, accumulate, detail);
            char what[64];
            sprintf(what, "kernel mr=%d transA=%d", mr, trans_a);
            report(ok, what, kern->name, mr, nc, kc, accumulate, detail);
            free(a), free(b), free(w), free(old), free(got), free(want);
          }
}

#ifdef __wasm_simd128__
/* The one-pointer kernel on A in micro-panels (full tiles) gives bitwise what
 * the strided kernel gives on the same A with sam = 1, sak = MR. */
static void test_kernel_pa(void) {
  static const int kcs[] = {1, 2, 3, 7, 64, 288};
  for (size_t ki = 0; ki < sizeof kcs / sizeof *kcs; ki++)
    for (int accumulate = 0; accumulate <= 1; accumulate++) {
      const int kc = kcs[ki];
      const ptrdiff_t ldc = RNN_GEMM_NR + 3;
      const int rows = RNN_GEMM_MR + 1;
      float *a = rand_array((size_t)RNN_GEMM_MR * kc, 1.0f);
      float *b = rand_array((size_t)kc * RNN_GEMM_NR, 1.0f);
      float *w = malloc(rnn_gemm_packed_size(kc, RNN_GEMM_NR) * sizeof *w);
      float *old = rand_array((size_t)rows * ldc, 1.0f);
      float *got = malloc((size_t)rows * ldc * sizeof *got);
      float *want = malloc((size_t)rows * ldc * sizeof *want);
      memcpy(got, old, (size_t)rows * ldc * sizeof *got);
      memcpy(want, old, (size_t)rows * ldc * sizeof *want);
      rnn_gemm_pack_b(kc, RNN_GEMM_NR, b, RNN_GEMM_NR, 1, w);
      rnn_gemm_4x8_pa__wasmsimd(RNN_GEMM_MR, RNN_GEMM_NR, kc, a, 1, RNN_GEMM_MR, w, got, ldc,
                                accumulate);
      rnn_gemm_4x8__wasmsimd(RNN_GEMM_MR, RNN_GEMM_NR, kc, a, 1, RNN_GEMM_MR, w, want, ldc,
                             accumulate);
      report(memcmp(got, want, (size_t)rows * ldc * sizeof *got) == 0, "pa kernel = strided",
             "rnn_gemm_4x8_pa__wasmsimd", RNN_GEMM_MR, RNN_GEMM_NR, kc, accumulate,
             "differs from rnn_gemm_4x8__wasmsimd on the same packed A");
      free(a), free(b), free(w), free(old), free(got), free(want);
    }
}
#endif

/* ---- single rows: the 1x28 kernels and rnn_gemv_packed ---- */

typedef struct {
  const char *name;
  rnn_gemv_ukernel fn;
} gemv_case;

static void test_gemv_kernel(const gemv_case *kern) {
  static const int kcs[] = {1, 2, 3, 5, 17, 64};
  for (size_t ki = 0; ki < sizeof kcs / sizeof *kcs; ki++)
    for (int strided = 0; strided <= 1; strided++)
      for (int accumulate = 0; accumulate <= 1; accumulate++) {
        const int kc = kcs[ki], N = RNN_GEMV_NR;
        const ptrdiff_t sak = strided ? 3 : 1;
        const int width = N + 5; /* columns past N must stay put */
        float *a = rand_array(extent(1, kc, 1, sak), 1.0f);
        float *b = rand_array((size_t)kc * N, 1.0f); /* [kc][N] */
        float *w = malloc(rnn_gemv_packed_size(kc, N) * sizeof *w);
        float *old = rand_array((size_t)width, 1.0f);
        float *got = malloc((size_t)width * sizeof *got);
        float *want = malloc((size_t)width * sizeof *want);
        for (int j = N; j < width; j++) old[j] = SENTINEL;
        memcpy(got, old, (size_t)width * sizeof *got);
        memcpy(want, old, (size_t)width * sizeof *want);
        rnn_gemv_pack(kc, N, b, N, 1, w);
        kern->fn(kc, a, sak, w, got, accumulate);
        rnn_gemm_ref(1, N, kc, a, 1, sak, b, N, 1, want, width, accumulate);
        char detail[160] = "";
        const int ok = compare(1, N, kc, 1, width, a, 1, sak, b, N, 1, old, got, want,
                               accumulate, detail);
        char what[64];
        sprintf(what, "gemv kernel sak=%d", (int)sak);
        report(ok, what, kern->name, 1, N, kc, accumulate, detail);
        free(a), free(b), free(w), free(old), free(got), free(want);
      }
}

/* rnn_gemv_pack / rnn_gemv_packed on one shape: full 28-wide panels, then
 * the rest in 8-wide ones. */
static void test_gemv_shape(const char *kernel, int N, int K, int trans_b, int strided,
                            int accumulate) {
  const ptrdiff_t sak = strided ? 2 : 1;
  const ptrdiff_t sbk = trans_b ? 1 : N, sbn = trans_b ? K : 1;
  const int width = N + 3;
  float *a = rand_array(extent(1, K, 1, sak), 1.0f);
  float *b = rand_array(extent(K, N, sbk, sbn), 1.0f);
  float *old = rand_array((size_t)width, 1.0f);
  for (int j = N; j < width; j++) old[j] = SENTINEL;
  float *got = malloc((size_t)width * sizeof *got), *want = malloc((size_t)width * sizeof *want);
  memcpy(got, old, (size_t)width * sizeof *got);
  memcpy(want, old, (size_t)width * sizeof *want);
  /* exactly the advertised size: a read or write past it shows under ASan */
  float *packed = malloc(rnn_gemv_packed_size(K, N) * sizeof *packed);
  rnn_gemv_pack(K, N, b, sbk, sbn, packed);
  rnn_gemv_packed(N, K, a, sak, packed, got, accumulate);
  rnn_gemm_ref(1, N, K, a, 1, sak, b, sbk, sbn, want, width, accumulate);
  char detail[160] = "", what[64];
  sprintf(what, "rnn_gemv_packed transB=%d sak=%d", trans_b, (int)sak);
  report(compare(1, N, K, 1, width, a, 1, sak, b, sbk, sbn, old, got, want, accumulate, detail),
         what, kernel, 1, N, K, accumulate, detail);
  free(a), free(b), free(old), free(got), free(want), free(packed);
}

static float get_strided(const void *ctx, int k, int n) {
  const float *b = ctx; /* [K][N] with N = 11 */
  return b[k * 11 + n];
}

static void test_gemv(const char *kernel) {
  static const int Ns[] = {1, 5, 8, 27, 28, 29, 36, 37, 56, 60, 1024};
  static const int Ks[] = {1, 3, 33, 289};
  for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++)
    for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
      for (int v = 0; v < 8; v++)
        test_gemv_shape(kernel, Ns[ni], Ks[ki], v & 1, (v >> 1) & 1, v >> 2);
  /* K = 0: an empty sum */
  float c[3] = {1.5f, 1.5f, 1.5f};
  rnn_gemv_packed(3, 0, NULL, 1, NULL, c, 1);
  int ok = c[0] == 1.5f && c[2] == 1.5f;
  rnn_gemv_packed(3, 0, NULL, 1, NULL, c, 0);
  ok &= c[0] == 0.0f && c[2] == 0.0f;
  report(ok, "rnn_gemv_packed K=0", kernel, 1, 3, 0, 0, "C wrong after an empty product");
}

/* The accessor packers lay out exactly what the strided ones do. */
static void test_pack_fn(void) {
  const int K = 7, N = 11;
  float *b = rand_array((size_t)K * N, 1.0f);
  float *p1 = malloc(rnn_gemm_packed_size(K, N) * sizeof *p1);
  float *p2 = malloc(rnn_gemm_packed_size(K, N) * sizeof *p2);
  rnn_gemm_pack_b(K, N, b, N, 1, p1);
  rnn_gemm_pack_b_fn(K, N, get_strided, b, p2);
  report(memcmp(p1, p2, rnn_gemm_packed_size(K, N) * sizeof *p1) == 0, "rnn_gemm_pack_b_fn", "-",
         0, N, K, 0, "differs from rnn_gemm_pack_b");
  report(rnn_gemv_packed_size(K, 60) == (size_t)56 * K + 8 * (size_t)K &&
             rnn_gemv_packed_size(K, 56) == (size_t)56 * K && rnn_gemv_packed_size(0, 5) == 0,
         "rnn_gemv_packed_size", "-", 0, 60, K, 0, "wrong size");
  free(b), free(p1), free(p2);
}

/* ---- drivers: rnn_gemm_packed and rnn_sgemm on one shape and layout ---- */

static void test_driver_shape(const char *kernel, int M, int N, int K,
                              int trans_a, int trans_b, int accumulate) {
  /* A: [M][K] with a padded row (sam = K + 1) or transposed [K][M].
   * B: [K][N] (sbk = N, sbn = 1) or [N][K] "goi" (sbk = 1, sbn = K). */
  const ptrdiff_t sam = trans_a ? 1 : K + 1, sak = trans_a ? M : 1;
  const ptrdiff_t sbk = trans_b ? 1 : N, sbn = trans_b ? K : 1;
  const ptrdiff_t ldc = N + 3;
  float *a = rand_array(extent(M, K, sam, sak), 1.0f);
  float *b = rand_array(extent(K, N, sbk, sbn), 1.0f);
  float *old = rand_array((size_t)M * ldc, 1.0f);
  for (int i = 0; i < M * ldc; i++)
    if (i % ldc >= N) old[i] = SENTINEL;
  float *want = malloc((size_t)M * ldc * sizeof *want);
  float *got = malloc((size_t)M * ldc * sizeof *got);
  memcpy(want, old, (size_t)M * ldc * sizeof *want);
  rnn_gemm_ref(M, N, K, a, sam, sak, b, sbk, sbn, want, ldc, accumulate);

  char what[64], detail[160] = "";
  sprintf(what, "rnn_gemm_packed transA=%d transB=%d", trans_a, trans_b);
  float *packed = malloc(rnn_gemm_packed_size(K, N) * sizeof *packed);
  rnn_gemm_pack_b(K, N, b, sbk, sbn, packed);
  /* Without a workspace (A read in place) and with one of exactly the
   * advertised size plus a guard that must survive: the same sums. */
  enum { GUARD = 16 };
  const size_t pws_size = rnn_gemm_packed_workspace_size();
  float *pws = malloc((pws_size + GUARD) * sizeof *pws);
  for (int with_ws = 0; with_ws <= 1; with_ws++) {
    for (int i = 0; i < GUARD; i++) pws[pws_size + i] = SENTINEL;
    memcpy(got, old, (size_t)M * ldc * sizeof *got);
    rnn_gemm_packed(M, N, K, a, sam, sak, packed, got, ldc, accumulate, with_ws ? pws : NULL,
                    with_ws ? pws_size : 0);
    int ok = compare(M, N, K, M, ldc, a, sam, sak, b, sbk, sbn, old, got, want, accumulate,
                     detail);
    for (int i = 0; ok && i < GUARD; i++)
      if (pws[pws_size + i] != SENTINEL) {
        sprintf(detail, "wrote past rnn_gemm_packed_workspace_size = %zu", pws_size);
        ok = 0;
      }
    report(ok, what, kernel, M, N, K, accumulate, detail);
  }
  free(pws);

  const size_t ws_size = rnn_gemm_workspace_size(K, N);
  float *ws = malloc((ws_size + GUARD) * sizeof *ws);
  for (int i = 0; i < GUARD; i++) ws[ws_size + i] = SENTINEL;
  sprintf(what, "rnn_sgemm transA=%d transB=%d", trans_a, trans_b);
  memcpy(got, old, (size_t)M * ldc * sizeof *got);
  rnn_sgemm(M, N, K, a, sam, sak, b, sbk, sbn, got, ldc, accumulate, ws, ws_size);
  int ok = compare(M, N, K, M, ldc, a, sam, sak, b, sbk, sbn, old, got, want,
                   accumulate, detail);
  for (int i = 0; ok && i < GUARD; i++)
    if (ws[ws_size + i] != SENTINEL) {
      sprintf(detail, "wrote past rnn_gemm_workspace_size = %zu", ws_size);
      ok = 0;
    }
  report(ok, what, kernel, M, N, K, accumulate, detail);
  free(a), free(b), free(old), free(want), free(got), free(packed), free(ws);
}

static void test_drivers(const char *kernel) {
  static const int Ms[] = {1, 2, 3, 4, 5, 7, 8, 9, 33};
  static const int Ns[] = {1, 3, 7, 8, 9, 15, 16, 17, 33};
  static const int Ks[] = {1, 2, 3, 4, 5, 8, 17, 64, 129};
  for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
    for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++)
      for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
        for (int layout = 0; layout < 4; layout++)
          for (int accumulate = 0; accumulate <= 1; accumulate++)
            test_driver_shape(kernel, Ms[mi], Ns[ni], Ks[ki], layout & 1,
                              layout >> 1, accumulate);
  /* Large shapes: K beyond the K block (256; M = 1 and M = 4 skip K
   * blocking), N beyond rnn_sgemm's column block (1024), M beyond the row
   * block (128). */
  test_driver_shape(kernel, 1, 40, 700, 0, 1, 1);
  test_driver_shape(kernel, 4, 40, 700, 1, 0, 0);
  test_driver_shape(kernel, 64, 1024, 384, 0, 0, 0);
  test_driver_shape(kernel, 64, 1024, 384, 1, 1, 1);
  test_driver_shape(kernel, 6, 1100, 600, 0, 1, 1);
  test_driver_shape(kernel, 37, 13, 1030, 1, 0, 0);
  test_driver_shape(kernel, 301, 20, 300, 1, 0, 1);
  test_driver_shape(kernel, 263, 17, 70, 0, 1, 0);
}

/* ---- packing ---- */

static void test_pack_zero_pad(void) {
  const int K = 5, N = 11; /* second panel has 3 real columns, 5 padding */
  float *b = rand_array((size_t)K * N, 1.0f);
  const size_t size = rnn_gemm_packed_size(K, N);
  float *packed = malloc(size * sizeof *packed);
  for (size_t i = 0; i < size; i++) packed[i] = SENTINEL;
  rnn_gemm_pack_b(K, N, b, N, 1, packed);
  int ok = size == (size_t)2 * RNN_GEMM_NR * K;
  for (int p = 0; ok && p < 2; p++)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < RNN_GEMM_NR; j++) {
        const int n = p * RNN_GEMM_NR + j;
        const float v = packed[(p * K + k) * RNN_GEMM_NR + j];
        if (v != (n < N ? b[k * N + n] : 0.0f)) ok = 0;
      }
  report(ok, "rnn_gemm_pack_b zero-pads", "-", 0, N, K, 0,
         "packed layout or padding wrong");
  free(b), free(packed);
}

/* K = 0: an empty sum, so C = 0 or C unchanged; B and A are never read. */
static void test_empty_k(const char *kernel) {
  const int M = 5, N = 9;
  const ptrdiff_t ldc = N + 1;
  float ws[1], packed[1], c[5 * 10];
  for (int accumulate = 0; accumulate <= 1; accumulate++)
    for (int use_sgemm = 0; use_sgemm <= 1; use_sgemm++) {
      for (int i = 0; i < M * ldc; i++) c[i] = 1.5f;
      if (use_sgemm)
        rnn_sgemm(M, N, 0, NULL, 1, 1, NULL, 1, 1, c, ldc, accumulate, ws, 1);
      else
        rnn_gemm_packed(M, N, 0, NULL, 1, 1, packed, c, ldc, accumulate, NULL, 0);
      int ok = 1;
      for (int i = 0; i < M * ldc; i++)
        ok &= c[i] == (accumulate || i % ldc >= N ? 1.5f : 0.0f);
      report(ok, use_sgemm ? "rnn_sgemm K=0" : "rnn_gemm_packed K=0", kernel, M,
             N, 0, accumulate, "C wrong after an empty product");
    }
}

/* ---- splits over threads ----
 * rnn_parallel_emulate(parts) runs every split product's parts one after
 * another: each must give bitwise the unsplit result and stay inside its
 * columns / rows and its share of the workspace. */
static void test_split_shape(int M, int N, int K, int trans_a, int accumulate) {
  const ptrdiff_t sam = trans_a ? 1 : K, sak = trans_a ? M : 1, ldc = N + 5;
  float *a = rand_array(extent(M, K, sam, sak), 1.0f);
  float *b = rand_array((size_t)K * N, 1.0f);
  float *old = rand_array((size_t)M * ldc, 1.0f);
  float *want = malloc((size_t)M * ldc * sizeof *want), *got = malloc((size_t)M * ldc * sizeof *got);
  float *packed = malloc(rnn_gemm_packed_size(K, N) * sizeof *packed);
  float *vpacked = malloc(rnn_gemv_packed_size(K, N) * sizeof *vpacked);
  rnn_gemm_pack_b(K, N, b, N, 1, packed);
  rnn_gemv_pack(K, N, b, N, 1, vpacked);
  static const int parts_list[] = {2, 3, 5};
  /* 4, 5: the workspace sized for one thread, as a caller that sized it
   * before helpers started has it: the parts without room read A in place */
  for (int product = 0; product < 6; product++) {
    const char *names[] = {"rnn_gemm_packed", "rnn_sgemm", "rnn_gemv_packed_dir fwd",
                           "rnn_gemv_packed_dir rev", "rnn_gemm_packed, one thread's workspace,",
                           "rnn_sgemm, one thread's workspace,"};
    const int gemv = product == 2 || product == 3, narrow = product >= 4;
    const int rows = gemv ? 1 : M;
    for (size_t pi = 0; pi < sizeof parts_list / sizeof *parts_list; pi++) {
      for (int run = 0; run < 2; run++) { /* run 0 unsplit (want), run 1 split (got) */
        rnn_parallel_emulate(1);
        const size_t one_packed = rnn_gemm_packed_workspace_size();
        const size_t one_sgemm = rnn_gemm_workspace_size(K, N);
        rnn_parallel_emulate(run ? parts_list[pi] : 1);
        float *c = run ? got : want;
        memcpy(c, old, (size_t)M * ldc * sizeof *c);
        if (gemv) {
          rnn_gemv_packed_dir(N, K, a, sak, vpacked, c, accumulate, product == 3);
          continue;
        }
        const int sgemm = product == 1 || product == 5;
        const size_t ws_size = narrow ? (sgemm ? one_sgemm : one_packed)
                                      : (sgemm ? rnn_gemm_workspace_size(K, N)
                                               : rnn_gemm_packed_workspace_size());
        float *ws = malloc((ws_size + 16) * sizeof *ws);
        for (int i = 0; i < 16; i++) ws[ws_size + i] = SENTINEL;
        if (sgemm) rnn_sgemm(M, N, K, a, sam, sak, b, N, 1, c, ldc, accumulate, ws, ws_size);
        else rnn_gemm_packed(M, N, K, a, sam, sak, packed, c, ldc, accumulate, ws, ws_size);
        for (int i = 0; i < 16; i++)
          if (ws[ws_size + i] != SENTINEL) c[0] = NAN; /* reported below */
        free(ws);
      }
      rnn_parallel_emulate(1);
      char what[96];
      sprintf(what, "%s split in %d (transA=%d)", names[product], parts_list[pi], trans_a);
      report(memcmp(got, want, (size_t)rows * ldc * sizeof *got) == 0, what, "split", rows, N, K,
             accumulate, "differs from the unsplit product, or overran its workspace");
    }
  }
  free(a), free(b), free(old), free(want), free(got), free(packed), free(vpacked);
}

static void test_splits(void) {
  test_split_shape(32, 1024, 256, 0, 1);  /* a recurrent step at B=32 */
  test_split_shape(1, 1024, 289, 0, 0);   /* a batch-1 stream step */
  test_split_shape(1, 1000, 300, 0, 1);   /* GEMV tail panels */
  test_split_shape(1024, 256, 700, 1, 1); /* weight gradient: A^T, several K blocks */
  test_split_shape(37, 300, 600, 0, 0);   /* rows not a multiple of MR */
  test_split_shape(301, 40, 300, 1, 0);   /* more rows than an A block */
}

int main(void) {
  const kernel_case kernels[] = {
      {"rnn_gemm_4x8__scalar", rnn_gemm_4x8__scalar, 4},
      {"rnn_gemm_1x8__scalar", rnn_gemm_1x8__scalar, 1},
#ifdef __wasm_simd128__
      {"rnn_gemm_4x8__wasmsimd", rnn_gemm_4x8__wasmsimd, 4},
      {"rnn_gemm_1x8__wasmsimd", rnn_gemm_1x8__wasmsimd, 1},
#endif
  };
  for (size_t i = 0; i < sizeof kernels / sizeof *kernels; i++)
    test_kernel(&kernels[i]);
#ifdef __wasm_simd128__
  test_kernel_pa();
#endif
  const gemv_case gemv_kernels[] = {
      {"rnn_gemv_1x28__scalar", rnn_gemv_1x28__scalar},
#ifdef __wasm_simd128__
      {"rnn_gemv_1x28__wasmsimd", rnn_gemv_1x28__wasmsimd},
#endif
  };
  for (size_t i = 0; i < sizeof gemv_kernels / sizeof *gemv_kernels; i++)
    test_gemv_kernel(&gemv_kernels[i]);

  test_pack_zero_pad();
  test_pack_fn();

  for (int force_scalar = 0; force_scalar <= 1; force_scalar++) {
    const char *kernel = rnn_gemm_use_scalar(force_scalar);
    test_drivers(kernel);
    test_empty_k(kernel);
    test_gemv(kernel);
  }
  rnn_gemm_use_scalar(0);
  test_splits();

  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
