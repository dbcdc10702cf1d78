/* flush.h - subnormal floats flushed to zero, the engine's one helper for it.
 *
 * A subnormal float (0 < |x| < FLT_MIN = 2^-126) costs a slow path on many
 * cores for every operation that reads or produces one (x86 microcode
 * assists: up to ~100x; issue 24 measured 10-140x cliffs). Native code sets
 * the CPU's flush-to-zero mode (PyTorch: torch.set_flush_denormal);
 * WebAssembly has none. So the engine keeps subnormals from being born.
 *
 * THE RULE: every kernel flushes the subnormals it produces. A kernel that
 * writes floats to memory (activations, states, gate gradients, BPTT carries,
 * GEMM results, optimizer moments and updates, losses' gradients) passes
 * them through rnn_flush / rnn_flush_f32x4 before the store, and values that
 * come from the user (inputs, initial states, output gradients, parameters
 * they load) are flushed where they enter (rnn_flush_copy / rnn_flush_array,
 * and the GEMM's packing of A and B). A new kernel follows the same rule.
 * tests/subnormal.test.mjs checks it from the outside; bench/cliffs.mjs
 * measures what it is for.
 *
 * The flush keeps the sign (as a CPU's FTZ mode does) and leaves zeros, NaN
 * and infinities alone; it changes only values below FLT_MIN, by less than
 * float32 rounding of any normal result they are added to. It is the same
 * bit operation in the SIMD and the scalar build (results stay bitwise equal).
 */
#ifndef RNN_FLUSH_H
#define RNN_FLUSH_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* Matrix products flush their operands at a higher limit: a value above
 * FLT_MIN can still form a subnormal product (a gate of 1e-37 times a weight
 * of 0.05), and an operand below 2^-100 (~7.9e-31) contributes to a sum
 * less than 2^-100 times the largest weight, far below float32 rounding of
 * any sum that is not itself negligible. gemm.c packs A and B with it. */
#define RNN_FLUSH_OPERAND 0x1p-100f

/* RNN_FLUSH_OFF builds the engine without the flush, only to measure what
 * it costs (RNN_CFLAGS=-DRNN_FLUSH_OFF ./build.sh dist; bench/ab.mjs). */
#ifdef RNN_FLUSH_OFF
#define RNN_FLUSH_ENABLED 0
#else
#define RNN_FLUSH_ENABLED 1
#endif

/* x, or a zero of x's sign when |x| < limit (NaN passes). */
static inline float rnn_flush_below(float x, float limit) {
  if (!RNN_FLUSH_ENABLED) return x;
  return fabsf(x) < limit ? copysignf(0.0f, x) : x;
}
static inline float rnn_flush(float x) { return rnn_flush_below(x, FLT_MIN); }

/* x rounded to the nearest bfloat16 (ties to even; NaN and infinities kept):
 * int8 weights' scales and a quantized module's other floats (params.c),
 * which int8 files then hold in 2 bytes exactly. */
static inline float rnn_bf16(float x) {
  if (x != x) return x;
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  memcpy(&x, &u, sizeof x);
  return x;
}

#ifdef __wasm_simd128__
static inline v128_t rnn_flush_below_f32x4(v128_t x, float limit) {
  if (!RNN_FLUSH_ENABLED) return x;
  /* |x| < limit (zeros too, which the mask leaves as they are): keep the sign bit.
   * clang turns this into abs, lt, bitselect, and (8 x64 instructions under
   * V8). A 4-instruction form, x ^ (|x| & tiny) with an empty asm keeping
   * clang from the bitselect, measured 1-2% slower on W1 and W3 GRU
   * (bench/ab.mjs, 2026-12-04): the op count is not what the flush costs. */
  const v128_t tiny = wasm_f32x4_lt(wasm_f32x4_abs(x), wasm_f32x4_splat(limit));
  return wasm_v128_andnot(x, wasm_v128_and(tiny, wasm_i32x4_splat(0x7fffffff)));
}
static inline v128_t rnn_flush_f32x4(v128_t x) { return rnn_flush_below_f32x4(x, FLT_MIN); }
#endif

/* dst[0..n) = src[0..n) flushed below limit; dst may be src (in place). */
static inline void rnn_flush_copy_below(float *dst, const float *src, size_t n, float limit) {
  if (!RNN_FLUSH_ENABLED) {
    if (dst != src) memmove(dst, src, n * sizeof *dst);
    return;
  }
  size_t i = 0;
#ifdef __wasm_simd128__
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dst + i, rnn_flush_below_f32x4(wasm_v128_load(src + i), limit));
#endif
  for (; i < n; i++) dst[i] = rnn_flush_below(src[i], limit);
}
static inline void rnn_flush_copy(float *dst, const float *src, size_t n) {
  rnn_flush_copy_below(dst, src, n, FLT_MIN);
}
static inline void rnn_flush_array(float *a, size_t n) { rnn_flush_copy(a, a, n); }

#endif
