/* qgemm_relaxed.c - the relaxed build's int8 kernels (src/qgemm_relaxed.c:
 * i16x8.relaxed_dot_i8x16_i7x16_s, int8 "c4" panels, 7-bit activations
 * offset by +64, qgemm.h) against the SIMD128 build's (src/qgemm_wasmsimd.c:
 * i32x4.dot_i16x8_s on int16 "c2" panels), both compiled in, at the kernel
 * level on the W5 and W4 shapes (bench/qgemm_relaxed.mjs builds and drives
 * it). Both sides get the same 7-bit activations here, so they must give
 * the same floats (the engine's SIMD128 path quantizes to 8 bits).
 * Layouts: c2 per pair of k, each of the 16 columns' 2 int16; c4 per 4 k,
 * each column's 4 int8 (one v128 = 4 columns x 4 k); 4-row quads
 * interleaved by 2 k (c2) or 4 k (c4). */
#include <stdint.h>
#include <wasm_simd128.h>

#define RNN_INT8_MODULE
#include "../src/qgemm_relaxed.c"
#include "../src/qgemm_wasmsimd.c"

#define EXPORT(name) __attribute__((export_name(#name)))

enum { NMAX = 1024, KMAX = 256, MMAX = 2048 };
static int16_t w16[NMAX * KMAX];           /* c2 int16 (the engine's layout) */
static int8_t w8[NMAX * KMAX];             /* c4 int8 (relaxed) */
static int16_t qa16[MMAX * KMAX];          /* activations, c2 kernels' rows (quads interleaved) */
static uint8_t qa7[MMAX * KMAX];           /* activations + 64, relaxed rows (quads interleaved) */
static int32_t wsum[NMAX];
static float sw[NMAX], sa[MMAX], out[MMAX * NMAX];
static int gN, gK, gM;

static uint32_t rng = 12345;
static int next(int range) {
  rng = rng * 1664525u + 1013904223u;
  return (int)((rng >> 8) % (uint32_t)range);
}

/* Random weights in [-127, 127] and activations in [-63, 63] (7 bits, so both
 * kernels see the same integers), laid out for both. */
EXPORT(setup) void setup(int M, int N, int K) {
  gM = M, gN = N, gK = K;
  for (int n = 0; n < N; n++) sw[n] = 1e-3f, wsum[n] = 0;
  for (int m = 0; m < M; m++) sa[m] = 1e-2f;
  for (int n = 0; n < N; n++)
    for (int k = 0; k < K; k++) {
      const int q = next(255) - 127, p = n / 16, j = n % 16;
      w16[(size_t)p * 16 * K + (k / 2) * 32 + j * 2 + k % 2] = (int16_t)q;
      w8[(size_t)p * 16 * K + (k / 4) * 64 + j * 4 + k % 4] = (int8_t)q;
      wsum[n] += q;
    }
  for (int m = 0; m < M; m++)
    for (int k = 0; k < K; k++) {
      const int q = next(127) - 63, quad = m / 4 * 4, r = m % 4;
      /* M == 1: a plain row; else quads interleaved (c2: by pairs, c4: by 4 k) */
      qa16[M == 1 ? k : (size_t)quad * K + (k / 2) * 8 + r * 2 + k % 2] = (int16_t)q;
      qa7[M == 1 ? k : (size_t)quad * K + (k / 4) * 16 + r * 4 + k % 4] = (uint8_t)(q + 64);
    }
}

/* One product C[M][N] = A * W^T with either kernel family, panels outer. */
EXPORT(run) void run(int relaxed, int reps) {
  const int M = gM, N = gN, K = gK;
  for (int rep = 0; rep < reps; rep++)
    for (int j = 0; j < N; j += 16) {
      if (M == 1) {
        if (relaxed) rnn_qgemm_1x16c4__wasmrelaxed(16, K, qa7, sa, w8 + (size_t)j * K, wsum + j, sw + j, out + j, N, 0);
        else rnn_qgemm_1x16c2__wasmsimd(16, K, qa16, sa, w16 + (size_t)j * K, sw + j, out + j, N, 0);
        continue;
      }
      for (int m = 0; m + 4 <= M; m += 4)
        for (int h = 0; h < 16; h += 8) {
          float *c = out + (size_t)m * N + j + h;
          if (relaxed)
            rnn_qgemm_4x8c4__wasmrelaxed(8, K, qa7 + (size_t)m * K, sa + m, w8 + (size_t)j * K + h * 4, wsum + j + h,
                                         sw + j + h, c, N, 0);
          else
            rnn_qgemm_4x8c2__wasmsimd(8, K, qa16 + (size_t)m * K, sa + m, w16 + (size_t)j * K + h * 2, sw + j + h, c, N,
                                      0);
        }
    }
}

/* out[m][n] after run(): the two families must agree exactly */
EXPORT(result) float result(int i) { return out[i]; }
