/* test_vmath.c - the pointwise math of src/vmath.h against double-precision
 * libm over a dense grid, and the SIMD128 versions against the scalar ones
 * (they must agree to the bit, so SIMD and scalar builds agree); src/flush.h's
 * flush, and no subnormal out of exp, sigmoid or tanh. */
#include "vmath.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what, double worst) {
  if (ok) passed++;
  else failed++;
  printf("%s %s (worst %.3g)\n", ok ? "ok" : "FAIL", what, worst);
}

static uint32_t bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}
static int subnormal(float x) { return x != 0.0f && fabsf(x) < FLT_MIN; }

/* rnn_flush: subnormals to a zero of their sign, everything else unchanged;
 * the SIMD form bit for bit the scalar one; rnn_flush_below at its limit. */
static void test_flush(void) {
  const float tiny = nextafterf(FLT_MIN, 0.0f), denorm_min = nextafterf(0.0f, 1.0f);
  volatile float nan_in = NAN;
  const float xs[] = {0.0f, -0.0f, FLT_MIN, -FLT_MIN, tiny, -tiny, denorm_min, -denorm_min,
                      1e-30f, -1.0f, INFINITY, -INFINITY, nan_in, 0x1p-100f, -0x1p-101f};
  const int n = (int)(sizeof xs / sizeof *xs);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    const float x = xs[i], f = rnn_flush(x);
    const int want_zero = subnormal(x);
    if (want_zero ? (f != 0.0f || signbit(f) != signbit(x)) : bits(f) != bits(x)) bad++;
    const float fb = rnn_flush_below(x, RNN_FLUSH_OPERAND);
    const int below = !isnan(x) && fabsf(x) < RNN_FLUSH_OPERAND;
    if (below ? (fb != 0.0f || signbit(fb) != signbit(x)) : bits(fb) != bits(x)) bad++;
#ifdef __wasm_simd128__
    if (bits(wasm_f32x4_extract_lane(rnn_flush_f32x4(wasm_f32x4_splat(x)), 1)) != bits(f)) bad++;
    if (bits(wasm_f32x4_extract_lane(rnn_flush_below_f32x4(wasm_f32x4_splat(x), RNN_FLUSH_OPERAND), 2)) !=
        bits(fb))
      bad++;
#endif
  }
  float a[7] = {tiny, 1.0f, -denorm_min, -0.0f, 2.0f, tiny, 3.0f}, b[7];
  rnn_flush_copy(b, a, 7);
  for (int i = 0; i < 7; i++)
    if (subnormal(b[i]) || (!subnormal(a[i]) && bits(a[i]) != bits(b[i]))) bad++;
  check(bad == 0, "flush: subnormals to signed zero, all else unchanged, SIMD = scalar", bad);
}

int main(void) {
  test_flush();
  int born = 0;
  double exp_rel = 0, sig_abs = 0, sig_rel = 0, tanh_abs = 0, tanh_rel = 0;
#ifdef __wasm_simd128__
  int simd_mismatch = 0;
#endif
  for (int i = -2000000; i <= 2000000; i++) {
    const float x = (float)i * 4.5e-5f; /* [-90, 90] */
    const float e = rnn_exp(x), s = rnn_sigmoidf(x), t = rnn_tanhf(x);
    born += subnormal(e) + subnormal(s) + subnormal(t);
    if (x > -87.0f && x < 88.0f) {
      const double re = fabs(e - exp((double)x)) / exp((double)x);
      if (re > exp_rel) exp_rel = re;
    }
    const double sd = 1.0 / (1.0 + exp(-(double)x)), td = tanh((double)x);
    if (fabs(s - sd) > sig_abs) sig_abs = fabs(s - sd);
    if (sd > 1e-30 && fabs(s - sd) / sd > sig_rel && x > -80.0f) sig_rel = fabs(s - sd) / sd;
    if (fabs(t - td) > tanh_abs) tanh_abs = fabs(t - td);
    if (td != 0 && fabs(t - td) / fabs(td) > tanh_rel) tanh_rel = fabs(t - td) / fabs(td);
#ifdef __wasm_simd128__
    const v128_t v = wasm_f32x4_splat(x);
    if (wasm_f32x4_extract_lane(rnn_exp_f32x4(v), 0) != e ||
        wasm_f32x4_extract_lane(rnn_sigmoid_f32x4(v), 2) != s ||
        wasm_f32x4_extract_lane(rnn_tanh_f32x4(v), 3) != t)
      simd_mismatch++;
#endif
  }
  check(exp_rel < 3e-7, "exp relative error < 3e-7 on (-87, 88)", exp_rel);
  check(sig_abs < 2e-7, "sigmoid absolute error < 2e-7", sig_abs);
  check(sig_rel < 5e-7, "sigmoid relative error < 5e-7 above -80", sig_rel);
  check(tanh_abs < 2e-7, "tanh absolute error < 2e-7", tanh_abs);
  check(tanh_rel < 5e-7, "tanh relative error < 5e-7", tanh_rel);
  check(rnn_sigmoidf(-1000.0f) >= 0.0f && rnn_sigmoidf(-1000.0f) < 1e-37f &&
            rnn_sigmoidf(1000.0f) == 1.0f && rnn_tanhf(1000.0f) == 1.0f &&
            rnn_tanhf(-1000.0f) == -1.0f && rnn_tanhf(0.0f) == 0.0f,
        "saturation and zero", 0);
  /* tiny arguments: tanh is x itself for a normal x (its argument is never
   * subnormal: callers pass flushed values, vmath.h) */
  for (float x = FLT_MIN; x < 1e-3f; x *= 1.37f) {
    born += subnormal(rnn_tanhf(x)) + subnormal(rnn_tanhf(-x)) + subnormal(rnn_sigmoidf(-1.0f / x));
    if (x < 0x1p-12f && (rnn_tanhf(x) != x || rnn_tanhf(-x) != -x)) born++;
  }
  check(born == 0, "no subnormal out of exp, sigmoid, tanh; tanh(x) = x for tiny normal x", born);
  volatile float nan_in = NAN; /* volatile: test the runtime path, not constant folding */
  check(isnan(rnn_exp(nan_in)) && isnan(rnn_sigmoidf(nan_in)) && isnan(rnn_tanhf(nan_in)),
        "NaN propagates", 0);
#ifdef __wasm_simd128__
  check(simd_mismatch == 0, "SIMD128 equals scalar bit for bit", simd_mismatch);
#endif
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
