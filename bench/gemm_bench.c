/* gemm_bench.c - GFLOP/s (2*M*N*K / t) of the GEMM drivers at LSTM shapes,
 * SIMD kernels vs scalar kernels. Prints one table, writes nothing else. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gemm.h"
#include "rnn_testing.h"

enum { INPUT_SIZE = 32, SEQ_ROWS = 2048 /* T*B */, REPEATS = 7 };
static const double MIN_SECONDS = 0.05; /* per measurement */

typedef struct {
  const char *what;
  int M, N, K;
  int sgemm_trans_a; /* 0: rnn_gemm_packed on pre-packed B; 1: rnn_sgemm, A^T;
                        2: rnn_gemv_packed_dir, the batch-1 stream step */
} shape;

typedef struct {
  const shape *s;
  const float *a, *b, *packed;
  float *c, *ws;
  size_t ws_floats;
} problem;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(const problem *p) {
  const shape *s = p->s;
  static int reverse; /* a stream alternates the sweep direction step by step */
  if (s->sgemm_trans_a == 2)
    rnn_gemv_packed_dir(s->N, s->K, p->a, 1, p->packed, p->c, 0, reverse ^= 1);
  else if (s->sgemm_trans_a) /* A(m, k) = a[k*M + m]: dGates^T; B = [K][N] */
    rnn_sgemm(s->M, s->N, s->K, p->a, 1, s->M, p->b, s->N, 1, p->c, s->N, 0,
              p->ws, p->ws_floats);
  else
    rnn_gemm_packed(s->M, s->N, s->K, p->a, s->K, 1, p->packed, p->c, s->N, 0, p->ws,
                    p->ws_floats);
}

static int compare_double(const void *x, const void *y) {
  const double dx = *(const double *)x, dy = *(const double *)y;
  return (dx > dy) - (dx < dy);
}

/* Median over REPEATS of GFLOP/s, each repeat running >= MIN_SECONDS. */
static double measure(const problem *p) {
  int reps = 1;
  for (;;) { /* warm-up and calibration in one */
    const double t0 = now_seconds();
    for (int r = 0; r < reps; r++) run(p);
    const double t = now_seconds() - t0;
    if (t >= MIN_SECONDS) break;
    reps = t > 0 ? (int)(reps * MIN_SECONDS * 1.2 / t) + 1 : reps * 2;
  }
  double gflops[REPEATS];
  const double flop = 2.0 * p->s->M * p->s->N * p->s->K;
  for (int i = 0; i < REPEATS; i++) {
    const double t0 = now_seconds();
    for (int r = 0; r < reps; r++) run(p);
    gflops[i] = flop * reps / (now_seconds() - t0) * 1e-9;
  }
  qsort(gflops, REPEATS, sizeof *gflops, compare_double);
  return gflops[REPEATS / 2];
}

static float *rand_array(size_t n) {
  float *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = (float)(rand() % 2001 - 1000) * 1e-3f;
  return x;
}

int main(void) {
  static const int hiddens[] = {128, 256, 512};
  shape shapes[3 * 6];
  int count = 0;
  for (int i = 0; i < 3; i++) {
    const int H = hiddens[i];
    const int ms[] = {1, 4, 32};
    for (int j = 0; j < 3; j++)
      shapes[count++] = (shape){"step [x,h]*W", ms[j], 4 * H, INPUT_SIZE + H, 0};
    shapes[count++] = (shape){"input proj x*W_ih", SEQ_ROWS, 4 * H, INPUT_SIZE, 0};
    shapes[count++] = (shape){"dW sgemm dG^T*h", 4 * H, H, SEQ_ROWS, 1};
    /* packed weights: 0.33 MB at H=128, 1.18 MB at H=256 (more than a 1 MB
     * L2), 4.5 MB at H=512 */
    shapes[count++] = (shape){"stream GEMV", 1, 4 * H, INPUT_SIZE + H, 2};
  }

  const char *scalar_name = rnn_gemm_use_scalar(1);
  const char *simd_name = rnn_gemm_use_scalar(0);
  printf("f32 GEMM, GFLOP/s = 2*M*N*K/t, median of %d runs of >= %.0f ms each\n",
         REPEATS, MIN_SECONDS * 1e3);
  printf("LSTM shapes: inputSize = %d, N = 4H, step K = inputSize + H, "
         "T*B = %d; B pre-packed except rnn_sgemm (packing timed)\n",
         INPUT_SIZE, SEQ_ROWS);
  printf("simd = %s (A packed in micro-panels), scalar = %s (each with its 1x8)\n", simd_name,
         scalar_name);
  printf("%-18s %4s %5s %5s %5s %8s %8s\n", "shape", "H", "M", "N", "K", "simd",
         "scalar");
  for (int i = 0; i < count; i++) {
    const shape *s = &shapes[i];
    float *a = rand_array((size_t)s->M * s->K);
    float *b = rand_array((size_t)s->K * s->N);
    const int gemv = s->sgemm_trans_a == 2;
    float *packed = malloc((gemv ? rnn_gemv_packed_size(s->K, s->N)
                                 : rnn_gemm_packed_size(s->K, s->N)) * sizeof *packed);
    float *c = malloc((size_t)s->M * s->N * sizeof *c);
    /* one workspace for either product, as the engine's layers hold it */
    const size_t ws_sgemm = rnn_gemm_workspace_size(s->K, s->N);
    const size_t ws_packed = rnn_gemm_packed_workspace_size();
    const size_t ws_floats = ws_sgemm > ws_packed ? ws_sgemm : ws_packed;
    float *ws = malloc(ws_floats * sizeof *ws);
    if (gemv) rnn_gemv_pack(s->K, s->N, b, s->N, 1, packed); /* once, untimed */
    else rnn_gemm_pack_b(s->K, s->N, b, s->N, 1, packed);
    const problem p = {s, a, b, packed, c, ws, ws_floats};
    double result[2];
    for (int force_scalar = 0; force_scalar <= 1; force_scalar++) {
      rnn_gemm_use_scalar(force_scalar);
      result[force_scalar] = measure(&p);
    }
    rnn_gemm_use_scalar(0);
    const int H = s->sgemm_trans_a == 1 ? s->N : s->N / 4;
    printf("%-18s %4d %5d %5d %5d %8.1f %8.1f\n", s->what, H, s->M, s->N, s->K,
           result[0], result[1]);
    fflush(stdout);
    free(a), free(b), free(packed), free(c), free(ws);
  }
  return 0;
}
