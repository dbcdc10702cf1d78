/* rnn_testing.h - hooks for tests and benchmarks only: each switches the
 * engine to another path that must give the same results, so a test can
 * compare the two. Not part of the API. */
#ifndef RNN_TESTING_H
#define RNN_TESTING_H

#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tests: split every parallel product into `parts` run one after another on
 * the caller (1 = off), to check that a split changes no result. */
RNN_C_API void rnn_parallel_emulate(int parts);

/* Adam/AdamW steps take the SIMD loop when built with it (bitwise the scalar
 * loop's results); tests force the scalar loop to compare (optim.c). */
void rnn_optimizer_force_scalar(int on);

/* Which kernels rnn_gemm_packed / rnn_sgemm / rnn_gemv_packed use: the SIMD
 * ones when built in (default), or force the scalar ones (tests, benchmarks).
 * Returns the name of the active 4x8 kernel (gemm.c). */
const char *rnn_gemm_use_scalar(int force_scalar);

#ifdef __cplusplus
}
#endif
#endif
