/* vmath.h - exp, sigmoid, tanh and the hard sigmoids for the gate pointwise passes, as scalar
 * functions and as wasm SIMD128 vectors computing the same arithmetic (so
 * the SIMD and scalar builds agree to the bit).
 *
 * exp: x = n ln2 + r with |r| <= ln2/2, e^r from a degree-7 polynomial in
 * the Cephes style, times 2^n built in the exponent bits; about 1 ulp.
 * tanh: an odd polynomial for |x| < 0.625 (where 1 - 2/(e^2x + 1) would
 * lose relative accuracy), 1 - 2/(e^2|x| + 1) above. libm's expf/tanhf per
 * element would cost more than the GEMMs (measured: ~2/3 of an LSTM step).
 *
 * No subnormal comes out of them or is formed inside them (flush.h's rule):
 * exp's clamp keeps e^x normal; sigmoid's denominator above 2^126, whose
 * reciprocal would be subnormal, becomes +inf (1/inf = 0, without the slow
 * division); below |x| = 2^-12, where tanh's odd polynomial term is under
 * half an ulp of x (the result is x exactly), it multiplies 0 instead of
 * forming x^2 (which could underflow). tanh's argument must not be subnormal
 * (its result would be): callers pass values loaded from memory, which the
 * kernels that stored them flushed, or flush what they computed themselves.
 * Not flushing here again is ~2% of a small LSTM's or RNN's training step. */
#ifndef RNN_VMATH_H
#define RNN_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "flush.h"

#define RNN_EXP_HI 88.0f   /* e^88 < FLT_MAX */
#define RNN_EXP_LO -87.0f  /* e^-87 is still a normal float */
#define RNN_LOG2E 1.44269504088896341f
#define RNN_LN2_HI 0.693359375f
#define RNN_LN2_LO -2.12194440e-4f
#define RNN_EXP_P0 1.9875691500e-4f
#define RNN_EXP_P1 1.3981999507e-3f
#define RNN_EXP_P2 8.3334519073e-3f
#define RNN_EXP_P3 4.1665795894e-2f
#define RNN_EXP_P4 1.6666665459e-1f
#define RNN_EXP_P5 5.0000001201e-1f
#define RNN_TANH_SMALL 0.625f
#define RNN_TANH_TINY 0x1p-12f /* below: tanh(x) rounds to x */
#define RNN_SIGMOID_DEN_MAX 0x1p126f /* above: 1/den is subnormal */
#define RNN_TANH_P0 -5.70498872745e-3f
#define RNN_TANH_P1 2.06390887954e-2f
#define RNN_TANH_P2 -5.37397155531e-2f
#define RNN_TANH_P3 1.33314422036e-1f
#define RNN_TANH_P4 -3.33332819422e-1f

/* In the SIMD build the scalar functions only finish rows of H % 4
 * elements: one copy each per file then, not one per call site (code size). */
#ifdef __wasm_simd128__
#define RNN_SCALAR_MATH static __attribute__((noinline, unused))
#else
#define RNN_SCALAR_MATH static inline
#endif

static inline float rnn_exp(float x) {
  if (x != x) return x; /* NaN: converting it to int below would be UB */
  x = x > RNN_EXP_HI ? RNN_EXP_HI : x;
  x = x < RNN_EXP_LO ? RNN_EXP_LO : x;
  const float n = rintf(x * RNN_LOG2E);
  float r = x - n * RNN_LN2_HI;
  r = r - n * RNN_LN2_LO;
  float p = RNN_EXP_P0;
  p = p * r + RNN_EXP_P1;
  p = p * r + RNN_EXP_P2;
  p = p * r + RNN_EXP_P3;
  p = p * r + RNN_EXP_P4;
  p = p * r + RNN_EXP_P5;
  const float e = p * (r * r) + r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

RNN_SCALAR_MATH float rnn_sigmoidf(float x) {
  float den = 1.0f + rnn_exp(-x);
  den = den > RNN_SIGMOID_DEN_MAX ? INFINITY : den;
  return 1.0f / den;
}

RNN_SCALAR_MATH float rnn_tanhf(float x) {
  const float ax = fabsf(x);
  if (ax < RNN_TANH_SMALL) {
    const float z = ax < RNN_TANH_TINY ? 0.0f : x * x;
    float p = RNN_TANH_P0;
    p = p * z + RNN_TANH_P1;
    p = p * z + RNN_TANH_P2;
    p = p * z + RNN_TANH_P3;
    p = p * z + RNN_TANH_P4;
    return p * z * x + x;
  }
  const float t = 1.0f - 2.0f / (rnn_exp(2.0f * ax) + 1.0f);
  return x < 0.0f ? -t : t;
}

/* The gate activations (rnn.h's rnn_gate_activation): the hard sigmoids are
 * clip(x * a + b, 0, hi) / hi with (a, b, hi) = (0.2, 0.5, 1) for TF.js and
 * Keras 2 and (1, 3, 6) for Keras 3: the frameworks' float32 operations, in
 * their order. Their values are 0, 1 or at least 2^-25 away from both: no
 * subnormal. */
#define RNN_HARD_A(kind) ((kind) == 1 ? 0.2f : 1.0f)
#define RNN_HARD_B(kind) ((kind) == 1 ? 0.5f : 3.0f)
#define RNN_HARD_HI(kind) ((kind) == 1 ? 1.0f : 6.0f)
#define RNN_HARD_SLOPE(kind) ((kind) == 1 ? 0.2f : 1.0f / 6.0f)

static inline float rnn_hard_sigmoidf(float x, int kind) {
  const float hi = RNN_HARD_HI(kind);
  float v = x * RNN_HARD_A(kind) + RNN_HARD_B(kind);
  v = hi < v ? hi : v; /* as wasm's pmin / pmax: NaN passes */
  v = v < 0.0f ? 0.0f : v;
  return v / hi;
}

/* The gradient at a gate's pre-activation from u (the gradient at the gate
 * times what multiplies it) and the gate's value y: sigmoid's u * y * (1 - y)
 * in that order, the hard sigmoids' u * slope where 0 < y < 1, else 0. */
static inline float rnn_gate_gradf(float u, float y, int kind) {
  if (!kind) return u * y * (1.0f - y);
  return y > 0.0f && y < 1.0f ? u * RNN_HARD_SLOPE(kind) : 0.0f;
}

#ifdef __wasm_simd128__
static inline v128_t rnn_gate_grad_f32x4(v128_t u, v128_t y, int kind) {
  if (!kind) return wasm_f32x4_mul(wasm_f32x4_mul(u, y), wasm_f32x4_sub(wasm_f32x4_splat(1.0f), y));
  const v128_t inside = wasm_v128_and(wasm_f32x4_gt(y, wasm_f32x4_splat(0.0f)),
                                      wasm_f32x4_lt(y, wasm_f32x4_splat(1.0f)));
  return wasm_v128_and(wasm_f32x4_mul(u, wasm_f32x4_splat(RNN_HARD_SLOPE(kind))), inside);
}

static inline v128_t rnn_hard_sigmoid_f32x4(v128_t x, int kind) {
  const v128_t hi = wasm_f32x4_splat(RNN_HARD_HI(kind));
  v128_t v = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(RNN_HARD_A(kind))),
                            wasm_f32x4_splat(RNN_HARD_B(kind)));
  v = wasm_f32x4_pmax(wasm_f32x4_pmin(v, hi), wasm_f32x4_splat(0.0f));
  return wasm_f32x4_div(v, hi);
}

static inline v128_t rnn_exp_f32x4(v128_t x) {
  /* pmin/pmax (b < a ? b : a) are one instruction on x86, unlike IEEE min/max;
   * like the scalar clamp they pass NaN through. */
  x = wasm_f32x4_pmin(x, wasm_f32x4_splat(RNN_EXP_HI));
  x = wasm_f32x4_pmax(x, wasm_f32x4_splat(RNN_EXP_LO));
  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(RNN_LOG2E)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(RNN_LN2_HI)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(RNN_LN2_LO)));
  v128_t p = wasm_f32x4_splat(RNN_EXP_P0);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(RNN_EXP_P1));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(RNN_EXP_P2));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(RNN_EXP_P3));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(RNN_EXP_P4));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(RNN_EXP_P5));
  v128_t e = wasm_f32x4_add(wasm_f32x4_mul(p, wasm_f32x4_mul(r, r)), r);
  e = wasm_f32x4_add(e, wasm_f32x4_splat(1.0f));
  const v128_t bits = wasm_i32x4_shl(
      wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(e, bits);
}

static inline v128_t rnn_sigmoid_f32x4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  v128_t den = wasm_f32x4_add(one, rnn_exp_f32x4(wasm_f32x4_neg(x)));
  den = wasm_v128_bitselect(wasm_f32x4_splat(INFINITY), den,
                            wasm_f32x4_gt(den, wasm_f32x4_splat(RNN_SIGMOID_DEN_MAX)));
  return wasm_f32x4_div(one, den);
}

static inline v128_t rnn_tanh_f32x4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t xs = wasm_v128_andnot(x, wasm_f32x4_lt(ax, wasm_f32x4_splat(RNN_TANH_TINY)));
  const v128_t z = wasm_f32x4_mul(xs, xs);
  v128_t p = wasm_f32x4_splat(RNN_TANH_P0);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), wasm_f32x4_splat(RNN_TANH_P1));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), wasm_f32x4_splat(RNN_TANH_P2));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), wasm_f32x4_splat(RNN_TANH_P3));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), wasm_f32x4_splat(RNN_TANH_P4));
  const v128_t small = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, z), x), x);
  const v128_t one = wasm_f32x4_splat(1.0f);
  const v128_t e = rnn_exp_f32x4(wasm_f32x4_add(ax, ax));
  v128_t big = wasm_f32x4_sub(one, wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(e, one)));
  /* copy x's sign onto big */
  const v128_t sign = wasm_v128_and(x, wasm_i32x4_splat((int32_t)0x80000000u));
  big = wasm_v128_or(big, sign);
  return wasm_v128_bitselect(small, big, wasm_f32x4_lt(ax, wasm_f32x4_splat(RNN_TANH_SMALL)));
}
#endif

#endif
