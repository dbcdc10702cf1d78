/* qgemm_relaxed.c - what relaxed SIMD's int8 dot would give the int8
 * products, measured at the kernel level (bench/qgemm_relaxed.mjs builds and
 * drives it; not part of the engine). Two kernels on
 * i16x8.relaxed_dot_i8x16_i7x16_s (pmaddubsw on x86: 16 products in one
 * instruction) beside the engine's SIMD128 kernels (src/qgemm_wasmsimd.c,
 * compiled in), on the W5 and W4 shapes.
 *
 * Relaxed layout "c4": per panel of 16 columns, per 4 k, each column's 4
 * int8 weights (one v128 = 4 columns x 4 k). The dot's second operand must
 * be 7-bit (0..127: CPUs may read it as signed or unsigned), so activations
 * are quantized to [-63, 63] and offset by +64; sum w * (q + 64) - 64 * sum w
 * restores sum w * q exactly (the pack's row sums). Per 4 columns x 4 k: the
 * dot, a widening of its pair sums (pmaddwd by ones) and an add (|w0 a0 + w1 a1| <= 2 * 127 *
 * 127 fits int16: no saturation). The i32x4 ..._add_s form would be one wasm
 * instruction but is wrong in Node 20's V8 (notes of issue 21); on x86 both
 * lower to the same three instructions. */
#include <stdint.h>
#include <wasm_simd128.h>

#define RNN_INT8_MODULE
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

/* acc (sums of w * (a + 64)) - 64 * wsum, then the engine's store: the same
 * float ops as store4 */
static inline void store4_offset(float *c, v128_t acc, const int32_t *ws, v128_t vsa, const float *s) {
  acc = wasm_i32x4_sub(acc, wasm_i32x4_shl(wasm_v128_load(ws), 6));
  store4(c, acc, vsa, s, 0);
}

/* The pair sums widened by i32x4.dot_i16x8_s against ones in a register:
 * V8 11.3 lowers i32x4.extadd_pairwise_i16x8_s to pmaddwd on a constant it
 * reloads from memory at every use (two more loads each). */
#define DOT4_ADD(acc, w, a) \
  wasm_i32x4_add((acc), wasm_i32x4_dot_i16x8(wasm_i16x8_relaxed_dot_i8x16_i7x16((w), (a)), ones))

/* 1 row x 16 columns, 4 k per iteration */
static void relaxed_1x16c4(int kc, const uint8_t *qa, const int8_t *w, const int32_t *ws, float s,
                           const float *swp, float *c) {
  const v128_t ones = wasm_i16x8_splat(1);
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  const uint8_t *const end = qa + kc;
  do {
    const v128_t a = wasm_v128_load32_splat(qa);
    c0 = DOT4_ADD(c0, wasm_v128_load(w), a);
    c1 = DOT4_ADD(c1, wasm_v128_load(w + 16), a);
    c2 = DOT4_ADD(c2, wasm_v128_load(w + 32), a);
    c3 = DOT4_ADD(c3, wasm_v128_load(w + 48), a);
    qa += 4, w += 64;
  } while (qa != end);
  const v128_t vsa = wasm_f32x4_splat(s);
  store4_offset(c, c0, ws, vsa, swp);
  store4_offset(c + 4, c1, ws + 4, vsa, swp + 4);
  store4_offset(c + 8, c2, ws + 8, vsa, swp + 8);
  store4_offset(c + 12, c3, ws + 12, vsa, swp + 12);
}

/* 4 rows (interleaved by 4 k) x 8 columns (half a panel, w at column 0 or 8) */
static void relaxed_4x8c4(int kc, const uint8_t *qa, const int8_t *w, const int32_t *ws, const float *s,
                          const float *swp, float *c, int ldc) {
  const v128_t ones = wasm_i16x8_splat(1);
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, d0 = c0, d1 = c0, e0 = c0, e1 = c0, f0 = c0, f1 = c0;
  const uint8_t *const end = qa + 4 * kc;
  do {
    const v128_t x0 = wasm_v128_load(w), x1 = wasm_v128_load(w + 16);
    v128_t a = wasm_v128_load32_splat(qa);
    c0 = DOT4_ADD(c0, x0, a);
    c1 = DOT4_ADD(c1, x1, a);
    a = wasm_v128_load32_splat(qa + 4);
    d0 = DOT4_ADD(d0, x0, a);
    d1 = DOT4_ADD(d1, x1, a);
    a = wasm_v128_load32_splat(qa + 8);
    e0 = DOT4_ADD(e0, x0, a);
    e1 = DOT4_ADD(e1, x1, a);
    a = wasm_v128_load32_splat(qa + 12);
    f0 = DOT4_ADD(f0, x0, a);
    f1 = DOT4_ADD(f1, x1, a);
    qa += 16, w += 64;
  } while (qa != end);
  const v128_t acc[8] = {c0, c1, d0, d1, e0, e1, f0, f1};
  for (int r = 0; r < 4; r++) {
    const v128_t vsa = wasm_f32x4_splat(s[r]);
    store4_offset(c + r * ldc, acc[2 * r], ws, vsa, swp);
    store4_offset(c + r * ldc + 4, acc[2 * r + 1], ws + 4, vsa, swp + 4);
  }
}

/* One product C[M][N] = A * W^T with either kernel family, panels outer. */
EXPORT(run) void run(int relaxed, int reps) {
  const int M = gM, N = gN, K = gK;
  for (int rep = 0; rep < reps; rep++)
    for (int j = 0; j < N; j += 16) {
      if (M == 1) {
        if (relaxed) relaxed_1x16c4(K, qa7, w8 + (size_t)j * K, wsum + j, sa[0], sw + j, out + j);
        else rnn_qgemm_1x16c2__wasmsimd(16, K, qa16, sa, w16 + (size_t)j * K, sw + j, out + j, N, 0);
        continue;
      }
      for (int m = 0; m + 4 <= M; m += 4)
        for (int h = 0; h < 16; h += 8) {
          float *c = out + (size_t)m * N + j + h;
          if (relaxed)
            relaxed_4x8c4(K, qa7 + (size_t)m * K, w8 + (size_t)j * K + h * 4, wsum + j + h, sa + m, sw + j + h, c, N);
          else
            rnn_qgemm_4x8c2__wasmsimd(8, K, qa16 + (size_t)m * K, sa + m, w16 + (size_t)j * K + h * 2, sw + j + h, c, N,
                                      0);
        }
    }
}

/* out[m][n] after run(): the two families must agree exactly */
EXPORT(result) float result(int i) { return out[i]; }
