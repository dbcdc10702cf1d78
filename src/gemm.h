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
 * Every kernel flushes the subnormals it produces: see flush.h (packing
 * flushes A and B, the microkernels flush C as they store it).
 *
 * Kernels are named by tile and ISA (XNNPACK style): rnn_gemm_4x8__wasmsimd,
 * rnn_gemm_1x8__wasmsimd, rnn_gemm_4x8__scalar, rnn_gemm_1x8__scalar, and
 * rnn_gemv_1x28__wasmsimd / __scalar for single rows (rnn_gemv_packed). The
 * scalar kernels are always built; the wasmsimd ones only with -msimd128.
 */
#ifndef RNN_GEMM_H
#define RNN_GEMM_H

#include <stddef.h>

#define RNN_GEMM_NR 8
#define RNN_GEMM_MR 4

/* The relaxed-SIMD engine (rnn-relaxed.wasm, built with RNN_KERNELS_IMPORTED)
 * does not define the wasmsimd kernels: it imports them from the kernel
 * module (src/relaxed/kernels.c), which js/loader.js instantiates first. */
#ifdef RNN_KERNELS_IMPORTED
#define RNN_KERNEL(name) __attribute__((import_module("kernels"), import_name(#name))) name
#else
#define RNN_KERNEL(name) name
#endif

/* Floats needed to hold B[K x N] packed (N rounded up to NR). */
size_t rnn_gemm_packed_size(int K, int N);

/* Pack B(k, n) = b[k*sbk + n*sbn] into panels: for each panel of NR columns,
 * K rows of NR floats; columns past N are zero. */
void rnn_gemm_pack_b(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                     float *packed);

/* C(m, n) = c[m*ldc + n]. accumulate = 0: C = A*B; accumulate = 1: C += A*B.
 * packed comes from rnn_gemm_pack_b with the same K and N. C must not alias A.
 * ws (ws_floats floats, owned by the caller like every buffer in the engine)
 * is where A is packed into micro-panels, one block per thread taking part:
 * rnn_gemm_packed_workspace_size() floats. A thread whose block does not fit
 * (ws NULL, or more threads since the caller sized it) reads A in place:
 * slower, and the same sums term for term. */
size_t rnn_gemm_packed_workspace_size(void);
void rnn_gemm_packed(int M, int N, int K, const float *a, ptrdiff_t sam,
                     ptrdiff_t sak, const float *packed, float *c, ptrdiff_t ldc,
                     int accumulate, float *ws, size_t ws_floats);

/* General product: packs B (and, when A is strided along k, A too) block by
 * block into workspace (ws_floats >= rnn_gemm_workspace_size(K, N) floats
 * when it was sized; a thread taking part beyond that reads A in place, with
 * the same sums) and runs the microkernels. C must not alias A or B. */
size_t rnn_gemm_workspace_size(int K, int N);
void rnn_sgemm(int M, int N, int K, const float *a, ptrdiff_t sam, ptrdiff_t sak,
               const float *b, ptrdiff_t sbk, ptrdiff_t sbn, float *c,
               ptrdiff_t ldc, int accumulate, float *workspace, size_t ws_floats);

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
void RNN_KERNEL(rnn_gemm_4x8__wasmsimd)(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate);
void RNN_KERNEL(rnn_gemm_1x8__wasmsimd)(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate);
/* "pa": A packed in an MR-row micro-panel, A(i, k) = a[k*MR + i] (sam = 1,
 * sak = MR), full tiles only (mr == MR, nc == NR). The drivers pack A this
 * way whenever they can. */
void RNN_KERNEL(rnn_gemm_4x8_pa__wasmsimd)(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                               ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                               int accumulate);
#endif

/* Packing from any source: B(k, n) = get(ctx, k, n) (fused weights, built
 * from several tensors, pack without a scratch copy). */
typedef float (*rnn_pack_get)(const void *ctx, int k, int n);
void rnn_gemm_pack_b_fn(int K, int N, rnn_pack_get get, const void *ctx,
                        float *packed);

/* Single-row products, c[N] (+)= a[K] * B: a stream step at batch 1, where
 * the 1x8 tile over NR-wide panels is held to ~34 GFLOP/s by its loop
 * overhead. B is packed by rnn_gemv_pack in RNN_GEMV_NR-wide panels
 * interleaved by k (panel p holds B(k, p*NR + j) at p*NR*K + k*NR + j), so
 * one pointer streams through a panel and one broadcast of a feeds seven
 * independent accumulators (~43 GFLOP/s). The last N % RNN_GEMV_NR columns
 * follow as rnn_gemm_pack_b panels and go through the 1x8 kernel. */
#define RNN_GEMV_NR 28
size_t rnn_gemv_packed_size(int K, int N);
void rnn_gemv_pack(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                   float *packed);
void rnn_gemv_pack_fn(int K, int N, rnn_pack_get get, const void *ctx, float *packed);
/* a(k) = a[k*sak]; c must not alias a. With reverse the panels go last to
 * first: the same sums (each column's k order is fixed), but a caller that
 * alternates direction call by call finds the packs it touched last still in
 * cache, where a B a little larger than L2 swept one way misses throughout. */
void rnn_gemv_packed(int N, int K, const float *a, ptrdiff_t sak,
                     const float *packed, float *c, int accumulate);
void rnn_gemv_packed_dir(int N, int K, const float *a, ptrdiff_t sak,
                         const float *packed, float *c, int accumulate, int reverse);

/* GEMV microkernel: RNN_GEMV_NR columns, kc >= 1 steps, w one panel. */
typedef void (*rnn_gemv_ukernel)(int kc, const float *a, ptrdiff_t sak,
                                 const float *w, float *c, int accumulate);
void rnn_gemv_1x28__scalar(int kc, const float *a, ptrdiff_t sak, const float *w,
                           float *c, int accumulate);
#ifdef __wasm_simd128__
void RNN_KERNEL(rnn_gemv_1x28__wasmsimd)(int kc, const float *a, ptrdiff_t sak,
                             const float *w, float *c, int accumulate);
#endif

#endif
