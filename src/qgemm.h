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
 *   Np = N rounded up to 2 * RNN_QGEMM_NR, Kp = K rounded up to RNN_QGEMM_KR
 *   float   sw[Np]          scales (0 past N)
 *   int32_t wsum[Np]        sum_k qw[n][k] (for kernels that offset A to
 *                           unsigned, e.g. relaxed i8 dot: sum qw*(qa+z) - z*wsum)
 *   int8_t  qw[Np / NR][Kp / KR][NR][KR]
 *           panel p = columns 4p..4p+3; per block of KR = 8 k: for each of the
 *           NR = 4 columns its 8 consecutive k values ("c8" layout, XNNPACK's
 *           naming); zero past K and past N.
 * QUANTIZED A (in the caller's workspace): rows of Kp int16 (values in
 * [-127, 127], zero past K; int16 so SIMD128's i32x4.dot_i16x8_s takes them
 * directly), then the M row scales sa.
 *
 * Kernels are named by tile and ISA (XNNPACK style), a scalar reference
 * beside each SIMD one: rnn_qgemv_1x8c8__{scalar,wasmsimd} (1 row, two
 * adjacent panels); the driver runs it row by row over a block of rows with
 * the panels outer (a 2x4 tile, two rows by one panel, ran at half its speed
 * under V8, and is gone).
 * Every kernel flushes the floats it stores (flush.h).
 */
#ifndef RNN_QGEMM_H
#define RNN_QGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "gemm.h" /* rnn_pack_get */

#define RNN_QGEMM_NR 4
#define RNN_QGEMM_KR 8
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

/* Microkernel contract: kc = Kp (a multiple of KR), qa one row of kc int16
 * (scale sa), panels w and w + kc * NR (8 columns, scales sw[0..8)), nc in
 * 1..8 columns stored to c. */
typedef void (*rnn_qgemv_ukernel)(int nc, int kc, const int16_t *qa, float sa, const int8_t *w,
                                  const float *sw, float *c, int accumulate);
void rnn_qgemv_1x8c8__scalar(int nc, int kc, const int16_t *qa, float sa, const int8_t *w,
                             const float *sw, float *c, int accumulate);
#ifdef __wasm_simd128__
void rnn_qgemv_1x8c8__wasmsimd(int nc, int kc, const int16_t *qa, float sa, const int8_t *w,
                               const float *sw, float *c, int accumulate);
#endif

/* Tests and benchmarks: force the scalar kernels (1) or restore the default. */
void rnn_qgemm_use_scalar(int force_scalar);

#endif
