/* qgemm.h - int8 matrix products for quantized inference (internal header).
 *
 * C[M x N] (+)= A[M x K] * W^T, W[N][K] held as int8 with one float32 scale
 * per output n (symmetric, PyTorch's quantize_dynamic per-channel scheme):
 *   W(n, k) ~= sw[n] * qw[n][k],   qw in [-127, 127],  sw[n] = max_k |W(n, k)| / 127
 * and A quantized on the fly, one scale per row m:
 *   A(m, k) ~= sa[m] * qa[m][k],   qa in [-127, 127],  sa[m] = max_k |A(m, k)| / 127
 * so C(m, n) = (float)acc * (sa[m] * sw[n]) with acc = sum_k qa * qw in int32
 * (exact: K <= RNN_QGEMM_MAX_K keeps |acc| < 2^31). The integers are the same
 * in every kernel, so the scalar and SIMD builds give bitwise equal C.
 * Quantizing: inv = 127 / amax, q = nearest-even(v * inv); amax = 0 gives
 * scale 0 and q = 0; a row holding NaN or an infinity gets scale NaN.
 *
 * PACKED W (rnn_qgemm_pack, rnn_qgemm_packed_size bytes, start 16-aligned):
 *   Np = N rounded up to RNN_QGEMM_NR, Kp = K rounded up to RNN_QGEMM_KP
 *   float   sw[Np]          scales (0 past N)
 *   int32_t wsum[Np]        sum_k qw[n][k] (for kernels that offset A to
 *                           unsigned, e.g. relaxed i8 dot: sum qw*(qa+z) - z*wsum)
 *   int16_t qw[Np / NR][Kp / KR][NR][KR]
 *           panel p = columns 16p..16p+15; per pair of k (KR = 2): for each
 *           of the NR = 16 columns its 2 consecutive k values ("c2" layout,
 *           XNNPACK's naming); zero past K and past N. The int8 values are
 *           held widened to int16 (2 bytes a weight in memory; files stay
 *           int8): i32x4.dot_i16x8_s takes them with a plain load, where
 *           sign-extending at each use (v128.load8x8_s: pmovsxbw, a vector
 *           ALU slot) ran the W5 GEMV 12% slower; a panel of K = 256 (16 KB)
 *           still stays in L1 while the rows of A pass it.
 *   Weight-stationary: a broadcast pair (qa[k], qa[k+1]) times one v128 of
 *   the panel gives 4 columns' partial sums in the 4 int32 lanes, so the
 *   accumulators are the outputs (no cross-lane sums).
 * QUANTIZED A (in the caller's workspace): the row scales sa, then rows of
 * Kp int16 (values in [-127, 127], zero past K); the 4x8c2 kernel's rows
 * four by four interleaved by pairs of k ([Kp / 2][4][2]).
 *
 * Kernels are named by tile and ISA (XNNPACK style), a scalar reference
 * beside each SIMD one: rnn_qgemm_1x16c2__{scalar,wasmsimd} (1 row of A
 * by one panel) and rnn_qgemm_4x8c2__{scalar,wasmsimd} (4 rows by half a
 * panel: w points at column 0 or 8, the pairs of k stay NR columns apart).
 * The driver quantizes a block of up to 64 rows, then runs each panel over
 * the block's rows, four at a time, the rest one by one.
 * Every kernel flushes the floats it stores (flush.h).
 */
#ifndef RNN_QGEMM_H
#define RNN_QGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "gemm.h" /* rnn_pack_get */

#define RNN_QGEMM_NR 16
#define RNN_QGEMM_KR 2
#define RNN_QGEMM_KP 4 /* the kernels take two pairs of k per iteration */
#define RNN_QGEMM_MAX_K 131072 /* 127 * 127 * K < 2^31 */

/* Bytes of a packed W of K inputs and N outputs. */
size_t rnn_qgemm_packed_size(int K, int N);

/* Quantizes W(n, k) = get(ctx, k, n) (the same B(k, n) = W^T convention as
 * rnn_gemm_pack_b_fn) into packed. */
void rnn_qgemm_pack(int K, int N, rnn_pack_get get, const void *ctx, void *packed);

/* One row's quantization (the rule above): returns the scale, writes qa[0..K). */
float rnn_quantize_row(int K, const float *v, int16_t *qa);

/* Rounds row[0..K) to scale * q in place (the rule above): quantize()'s
 * values, which pack back to the same q. */
void rnn_qgemm_snap_row(int K, float *row);

/* Bytes of workspace rnn_qgemm_packed wants for K (A quantized in blocks of
 * up to 64 rows, fewer when K is large; at least one). */
size_t rnn_qgemm_workspace_size(int K);

/* C(m, n) = c[m*ldc + n]; A(m, k) = a[m*lda + k]. accumulate = 0: C = A*W^T,
 * 1: C += A*W^T. ws of ws_bytes >= rnn_qgemm_workspace_size(K) (16-aligned
 * is fastest). c must not alias a. */
void rnn_qgemm_packed(int M, int N, int K, const float *a, ptrdiff_t lda, const void *packed,
                      float *c, ptrdiff_t ldc, int accumulate, void *ws, size_t ws_bytes);

/* Microkernel contract: kc = Kp (a multiple of KP), qa MR rows of kc int16
 * (1x16: one row; 4x8: four interleaved as above; scales sa[0..MR)), w one panel (kc * NR
 * int16), sw its NR scales, nc in 1..NR columns stored to c (row stride ldc). */
typedef void (*rnn_qgemm_ukernel)(int nc, int kc, const int16_t *qa, const float *sa,
                                  const int16_t *w, const float *sw, float *c, ptrdiff_t ldc, int accumulate);
#define RNN_QGEMM_KERNEL(name)                                                                     \
  void name(int nc, int kc, const int16_t *qa, const float *sa, const int16_t *w, \
            const float *sw, float *c, ptrdiff_t ldc, int accumulate)
RNN_QGEMM_KERNEL(rnn_qgemm_1x16c2__scalar);
RNN_QGEMM_KERNEL(rnn_qgemm_4x8c2__scalar);
#ifdef __wasm_simd128__
RNN_QGEMM_KERNEL(rnn_qgemm_1x16c2__wasmsimd);
RNN_QGEMM_KERNEL(rnn_qgemm_4x8c2__wasmsimd);
#endif

/* One row of two products and a bias, the batch-1 stream step's [x, 1, h]:
 * c[0..N) = bias + a1 * W1^T + a2 * W2^T (bias may be NULL), each part
 * quantized on its own; bitwise what rnn_qgemm_packed gives on c = bias,
 * then a1 accumulating, then a2 accumulating, in one pass over the panels.
 * ws as rnn_qgemm_packed's for the wider of K1, K2. */
void rnn_qgemv2_packed(int N, int K1, const float *a1, const void *packed1, int K2, const float *a2,
                       const void *packed2, const float *bias, float *c, void *ws, size_t ws_bytes);

/* Its kernel: the 1x16 kernel over panel w1 (kc = k1) then w2, in one call. */
#define RNN_QGEMM2_KERNEL(name)                                                                          \
  void name(int nc, int k1, const int16_t *q1, float s1, const int16_t *w1, const float *sw1, int k2,     \
            const int16_t *q2, float s2, const int16_t *w2, const float *sw2, const float *bias, float *c)
typedef void (*rnn_qgemm2_ukernel)(int nc, int k1, const int16_t *q1, float s1, const int16_t *w1,
                                   const float *sw1, int k2, const int16_t *q2, float s2, const int16_t *w2,
                                   const float *sw2, const float *bias, float *c);
RNN_QGEMM2_KERNEL(rnn_qgemm2_1x16c2__scalar);
#ifdef __wasm_simd128__
RNN_QGEMM2_KERNEL(rnn_qgemm2_1x16c2__wasmsimd);
#endif

/* THE "c4" FLAVOUR (qgemm.c built with RNN_QGEMM_C4: rnn-int8-relaxed.wasm,
 * the relaxed-SIMD engine's int8 module). The same W quantization (files and
 * quantize() are unchanged) and the same entry points, but:
 *   - qw held as int8, panels [Np / NR][Kp / 4][NR][4]: per 4 k, each
 *     column's 4 weights (one v128 = 4 columns x 4 k);
 *   - A quantized to 7 bits, qa in [-63, 63] (scale amax / 63), stored
 *     offset as u = qa + 64 in [1, 127] (uint8; 64 past K), since
 *     i16x8.relaxed_dot_i8x16_i7x16_s wants its second operand in [0, 127]
 *     (pmaddubsw reads it unsigned, ARM's sdot signed: both agree there);
 *     sum_k qw * u - 64 * wsum[n] is sum_k qw * qa exactly;
 *   - the 4x8c4 kernel's rows interleaved by 4 k ([Kp / 4][4][4]).
 * The scalar c4 kernels compute sum_k qw * (u - 64) directly: the same
 * integers, so a module with them (build/rnn-int8-relaxed-ref.wasm, tests)
 * gives bitwise the relaxed module's floats. */
#define RNN_QGEMM_C4_KR 4
#define RNN_QGEMM_C4_QMAX 63
#define RNN_QGEMM_C4_OFFSET 64
#define RNN_QGEMM_C4_KERNEL(name)                                                                  \
  void name(int nc, int kc, const uint8_t *qa, const float *sa, const int8_t *w, const int32_t *wsum, \
            const float *sw, float *c, ptrdiff_t ldc, int accumulate)
typedef void (*rnn_qgemm_c4_ukernel)(int nc, int kc, const uint8_t *qa, const float *sa, const int8_t *w,
                                     const int32_t *wsum, const float *sw, float *c, ptrdiff_t ldc, int accumulate);
RNN_QGEMM_C4_KERNEL(rnn_qgemm_1x16c4__scalar);
RNN_QGEMM_C4_KERNEL(rnn_qgemm_4x8c4__scalar);
#define RNN_QGEMM2_C4_KERNEL(name)                                                                          \
  void name(int nc, int k1, const uint8_t *q1, float s1, const int8_t *w1, const int32_t *ws1, const float *sw1, \
            int k2, const uint8_t *q2, float s2, const int8_t *w2, const int32_t *ws2, const float *sw2,     \
            const float *bias, float *c)
RNN_QGEMM2_C4_KERNEL(rnn_qgemm2_1x16c4__scalar);
#ifdef __wasm_relaxed_simd__
RNN_QGEMM_C4_KERNEL(rnn_qgemm_1x16c4__wasmrelaxed);
RNN_QGEMM_C4_KERNEL(rnn_qgemm_4x8c4__wasmrelaxed);
RNN_QGEMM2_C4_KERNEL(rnn_qgemm2_1x16c4__wasmrelaxed);
#endif

/* Tests and benchmarks: force the scalar kernels (1) or restore the default. */
void rnn_qgemm_use_scalar(int force_scalar);

#endif
