/* qgemm_bench.c - the int8 product (rnn_qgemm_packed, A quantized inside
 * the timing) against the float32 one on the same shapes: the LSTM H256
 * products of W5 (batch 1 stream step) and W4 (batch 32, T 64, input 32).
 * Rounds alternate between the two and the minimum over rounds is kept (a
 * shared machine's drift hits both alike). GMAC/s = M*N*K / t.
 * Built by `./build.sh bench` (build/qgemm_bench.js). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gemm.h"
#include "qgemm.h"

enum { ROUNDS = 40 };

typedef struct {
  const char *what;
  int M, N, K;
  int fused_x; /* > 0: the stream step's [x, 1, h] (float: one K-wide GEMV;
                  int8: rnn_qgemv2_packed, x = the first fused_x, then h) */
} shape;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *rand_array(size_t n) {
  float *x = aligned_alloc(16, (n * sizeof(float) + 15) / 16 * 16);
  for (size_t i = 0; i < n; i++) x[i] = (float)(rand() % 2001 - 1000) * 1e-3f;
  return x;
}

typedef struct {
  const float *w; /* [K][N] */
  int N;
} wsrc;
static float get_w(const void *ctx, int k, int n) {
  const wsrc *s = ctx;
  return s->w[(size_t)k * s->N + n];
}

int main(void) {
  const shape shapes[] = {{"W5 step [x,1,h]*W", 1, 1024, 289, 32},
                          {"W5 step h*W_hh", 1, 1024, 256, 0},
                          {"W5 step x*W_ih", 1, 1024, 32, 0},
                          {"W4 step h*W_hh", 32, 1024, 256, 0},
                          {"W4 x*W_ih (T*B)", 2048, 1024, 32, 0}};
  printf("int8 vs float32 products, min of %d alternating rounds, GMAC/s = M*N*K/t\n", ROUNDS);
  printf("%-18s %5s %5s %5s %10s %10s %8s %8s %7s\n", "shape", "M", "N", "K", "f32 us", "int8 us",
         "f32 GM/s", "i8 GM/s", "f32/i8");
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    const shape *s = &shapes[i];
    float *a = rand_array((size_t)s->M * s->K), *b = rand_array((size_t)s->K * s->N);
    float *c = rand_array((size_t)s->M * s->N);
    const int gemv = s->M == 1;
    float *pk = aligned_alloc(16, (gemv ? rnn_gemv_packed_size(s->K, s->N) : rnn_gemm_packed_size(s->K, s->N)) *
                                      sizeof(float) + 64);
    if (gemv) rnn_gemv_pack(s->K, s->N, b, s->N, 1, pk);
    else rnn_gemm_pack_b(s->K, s->N, b, s->N, 1, pk);
    const size_t ws_floats = rnn_gemm_packed_workspace_size();
    float *ws = aligned_alloc(16, ws_floats * sizeof(float));
    void *q = aligned_alloc(16, (rnn_qgemm_packed_size(s->K, s->N) + 15) / 16 * 16);
    const wsrc src = {b, s->N};
    rnn_qgemm_pack(s->K, s->N, get_w, &src, q);
    const size_t qws_bytes = rnn_qgemm_workspace_size(s->K);
    void *qws = aligned_alloc(16, (qws_bytes + 15) / 16 * 16);
    /* fused: x part, and h part (after the bias column) */
    const int kx = s->fused_x, kh = s->K - s->fused_x - 1;
    void *qx = NULL, *qh = NULL;
    if (kx) {
      const wsrc sx = {b, s->N}, sh = {b + (size_t)(kx + 1) * s->N, s->N};
      qx = aligned_alloc(16, (rnn_qgemm_packed_size(kx, s->N) + 15) / 16 * 16);
      qh = aligned_alloc(16, (rnn_qgemm_packed_size(kh, s->N) + 15) / 16 * 16);
      rnn_qgemm_pack(kx, s->N, get_w, &sx, qx);
      rnn_qgemm_pack(kh, s->N, get_w, &sh, qh);
    }
    const double macs = (double)s->M * s->N * s->K;
    const int reps = (int)(2e7 / macs) + 1; /* ~1-4 ms a round: the weights warm in cache, as in a stream */
    double best[2] = {1e9, 1e9};
    for (int round = 0; round < ROUNDS + 2; round++)
      for (int kind = 0; kind < 2; kind++) {
        const double t0 = now_seconds();
        for (int r = 0; r < reps; r++) {
          if (kind && kx) rnn_qgemv2_packed(s->N, kx, a, qx, kh, a + kx + 1, qh, b, c, qws, qws_bytes);
          else if (kind) rnn_qgemm_packed(s->M, s->N, s->K, a, s->K, q, c, s->N, 0, qws, qws_bytes);
          else if (gemv) rnn_gemv_packed_dir(s->N, s->K, a, 1, pk, c, 0, r & 1);
          else rnn_gemm_packed(s->M, s->N, s->K, a, s->K, 1, pk, c, s->N, 0, ws, ws_floats);
        }
        const double t = (now_seconds() - t0) / reps;
        if (round >= 2 && t < best[kind]) best[kind] = t;
      }
    printf("%-18s %5d %5d %5d %10.2f %10.2f %8.1f %8.1f %7.2f\n", s->what, s->M, s->N, s->K, best[0] * 1e6,
           best[1] * 1e6, macs / best[0] * 1e-9, macs / best[1] * 1e-9, best[0] / best[1]);
    fflush(stdout);
    free(a), free(b), free(c), free(pk), free(ws), free(q), free(qws), free(qx), free(qh);
  }
  return 0;
}
