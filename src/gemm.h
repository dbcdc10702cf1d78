/* gemm.h - f32 matrix products for the recurrent engine (internal header).
 *
 * Every product in the engine is C[M x N] (+)= A[M x K] * B[K x N] with
 *   A(m, k) = a[m * sam + k * sak]     (any strides: covers A and A^T)
 *   B(k, n) = b[k * sbk + n * sbn]     (any strides: covers W^T in PyTorch's
 *                                       [out][in] layout and W itself)
 * B is first packed into NR-wide column panels (zero-padded to a multiple of
 * NR), which the microkernels stream through; A is read in place.
 * Weights are packed once and reused across every time step; products whose
 * B changes every call (weight gradients) pack into a caller workspace.
 *
 * Kernels are named by tile and ISA (XNNPACK style): rnn_gemm_4x8__wasmsimd,
 * rnn_gemm_1x8__wasmsimd, rnn_gemm_4x8__scalar, rnn_gemm_1x8__scalar. The
 * scalar kernels are always built; the wasmsimd ones only with -msimd128.
 */
#ifndef RNN_GEMM_H
#define RNN_GEMM_H

#include <stddef.h>

#define RNN_GEMM_NR 8
#define RNN_GEMM_MR 4

/* Floats needed to hold B[K x N] packed (N rounded up to NR). */
size_t rnn_gemm_packed_size(int K, int N);

/* Pack B(k, n) = b[k*sbk + n*sbn] into panels: for each panel of NR columns,
 * K rows of NR floats; columns past N are zero. */
void rnn_gemm_pack_b(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                     float *packed);

/* C(m, n) = c[m*ldc + n]. accumulate = 0: C = A*B; accumulate = 1: C += A*B.
 * packed comes from rnn_gemm_pack_b with the same K and N. C must not alias A. */
void rnn_gemm_packed(int M, int N, int K, const float *a, ptrdiff_t sam,
                     ptrdiff_t sak, const float *packed, float *c, ptrdiff_t ldc,
                     int accumulate);

/* General product: packs B (and, when A is strided along k, A too) block by
 * block into workspace (at least rnn_gemm_workspace_size(K, N) floats) and
 * runs the microkernels. C must not alias A or B. */
size_t rnn_gemm_workspace_size(int K, int N);
void rnn_sgemm(int M, int N, int K, const float *a, ptrdiff_t sam, ptrdiff_t sak,
               const float *b, ptrdiff_t sbk, ptrdiff_t sbn, float *c,
               ptrdiff_t ldc, int accumulate, float *workspace);

/* Naive triple loop with a double accumulator: the reference every kernel is
 * tested against. */
void rnn_gemm_ref(int M, int N, int K, const float *a, ptrdiff_t sam,
                  ptrdiff_t sak, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                  float *c, ptrdiff_t ldc, int accumulate);

/* Microkernel contract: mr rows (1..MR for 4x8, 1 for 1x8), nc columns
 * (1..NR; only the first nc are stored), kc >= 1 steps of k; w points at one
 * packed panel (kc rows of NR floats). */
typedef void (*rnn_gemm_ukernel)(int mr, int nc, int kc, const float *a,
                                 ptrdiff_t sam, ptrdiff_t sak, const float *w,
                                 float *c, ptrdiff_t ldc, int accumulate);
void rnn_gemm_4x8__scalar(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                          ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                          int accumulate);
void rnn_gemm_1x8__scalar(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                          ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                          int accumulate);
#ifdef __wasm_simd128__
void rnn_gemm_4x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate);
void rnn_gemm_1x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate);
#endif

/* Which kernels rnn_gemm_packed / rnn_sgemm use: the SIMD ones when built in
 * (default), or force the scalar ones (tests, benchmarks). Returns the name of
 * the active 4x8 kernel. */
const char *rnn_gemm_use_scalar(int force_scalar);

#endif
