/* layernorm.c - nn.LayerNorm over the last dimension: each row of D values
 * is normalised to mean 0 and variance 1 (biased, plus eps), then scaled by
 * weight and shifted by bias; the normalised rows and 1/std are kept for
 * backward. Row sums run in 4 float lanes (lane i % 4, added (0 + 1) + (2 + 3)),
 * SIMD128 or scalar in the same order, so both builds give the same bits; the
 * weight and bias gradients sum over rows in double. Compiled for size: the
 * SIMD loops are already 4 wide (with the scalar double-precision statistics
 * it had before, it was 9% of a 4-block minGRU stack's training step). */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

struct rnn_layernorm {
  int dim;
  float eps;
  rnn_params params; /* weight [dim], bias [dim] */
  float *cache;      /* the last forward: 1/std of each row, then the normalised rows */
  size_t cap;
  double *sums;      /* [2 * dim]: weight and bias gradient of one backward */
  int rows, have_forward;
};

RNN_SMALL_FILE_BEGIN

#ifdef __wasm_simd128__
#define LANES_ZERO wasm_f32x4_splat(0.0f)
#endif

/* The sum of x[i] - c (square 0) or (x[i] - c)^2 (square 1) over a row, in the 4 lanes. */
static float row_sum(const float *x, float c, int square, int D) {
  float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  int i = 0;
#ifdef __wasm_simd128__
  v128_t s = LANES_ZERO;
  for (; i + 4 <= D; i += 4) {
    const v128_t v = wasm_f32x4_sub(wasm_v128_load(x + i), wasm_f32x4_splat(c));
    s = wasm_f32x4_add(s, square ? wasm_f32x4_mul(v, v) : v);
  }
  wasm_v128_store(acc, s);
#endif
  for (; i < D; i++) {
    const float v = x[i] - c;
    acc[i & 3] += square ? v * v : v;
  }
  return acc[0] + acc[1] + (acc[2] + acc[3]);
}

int rnn_layernorm_create(int dim, float eps, rnn_layernorm **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (dim < 1 || dim > 1048576 || !(eps > 0.0f))
    return rnn_fail(RNN_E_INVALID, "LayerNorm needs dim in [1, 1048576] and eps > 0, got %d, %g", dim, eps);
  rnn_layernorm *l = calloc(1, sizeof *l);
  int st = l ? rnn_params_init(&l->params, 2) : RNN_E_NOMEM;
  if (!st) {
    l->dim = dim, l->eps = eps;
    rnn_params_add(&l->params, "weight", dim, 1, 1);
    rnn_params_add(&l->params, "bias", dim, 1, 1);
    st = rnn_params_alloc(&l->params);
    l->sums = malloc(2 * (size_t)dim * sizeof(double));
  }
  if (st || !l->sums) {
    rnn_layernorm_destroy(l);
    return rnn_fail(RNN_E_NOMEM, "out of memory for a LayerNorm of %d features", dim);
  }
  for (int i = 0; i < 2 * dim; i++) l->params.values[i] = i < dim ? 1.0f : 0.0f; /* PyTorch: ones, zeros */
  *out = l;
  return RNN_OK;
}

void rnn_layernorm_destroy(rnn_layernorm *l) {
  if (!l) return;
  rnn_params_free(&l->params);
  free(l->cache);
  free(l->sums);
  free(l);
}

rnn_params *rnn_layernorm_parameters(rnn_layernorm *l) { return &l->params; }

int rnn_layernorm_forward(rnn_layernorm *l, int rows, const float *x, float *y) {
  if (!l || rows < 0 || (rows > 0 && (!x || !y))) return rnn_fail(RNN_E_INVALID, "LayerNorm: bad arguments");
  l->have_forward = 0;
  const int D = l->dim;
  float *rs = rnn_input_cache(l->cache, &l->cap, (uint64_t)rows * (uint64_t)(D + 1), sizeof(float));
  if (!rs) return RNN_E_NOMEM;
  l->cache = rs;
  const float *w = l->params.values, *b = w + D;
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * D;
    float *hr = rs + rows + (size_t)r * D, *yr = y + (size_t)r * D;
    const float mean = row_sum(xr, 0.0f, 0, D) / D;
    const float inv = (float)(1.0 / sqrt((double)(row_sum(xr, mean, 1, D) / D) + (double)l->eps));
    rs[r] = inv;
    int i = 0; /* xr[i] read before yr[i] is written: y may be x */
#ifdef __wasm_simd128__
    for (; i + 4 <= D; i += 4) {
      const v128_t h = rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), wasm_f32x4_splat(mean)),
                                                       wasm_f32x4_splat(inv)));
      wasm_v128_store(hr + i, h);
      wasm_v128_store(yr + i, rnn_flush_f32x4(wasm_f32x4_add(wasm_f32x4_mul(h, wasm_v128_load(w + i)), wasm_v128_load(b + i))));
    }
#endif
    for (; i < D; i++) {
      hr[i] = rnn_flush((xr[i] - mean) * inv);
      yr[i] = rnn_flush(hr[i] * w[i] + b[i]);
    }
  }
  l->rows = rows;
  l->have_forward = 1;
  return RNN_OK;
}

/* dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * weight;
 * the weight and bias gradients accumulate sum(dy * xhat) and sum(dy) over rows. */
int rnn_layernorm_backward(rnn_layernorm *l, const float *dy, float *dx) {
  const int st = rnn_backward_ready(l, "LayerNorm", l && l->have_forward);
  if (st) return st;
  if (l->rows > 0 && (!dy || !dx)) return rnn_fail(RNN_E_INVALID, "dy and dx must not be NULL");
  l->have_forward = 0;
  const int D = l->dim, rows = l->rows;
  const float *w = l->params.values;
  double *sw = l->sums, *sb = sw + D;
  for (int i = 0; i < 2 * D; i++) sw[i] = 0.0;
  for (int r = 0; r < rows; r++) {
    const float *h = l->cache + rows + (size_t)r * D, *d = dy + (size_t)r * D;
    float *o = dx + (size_t)r * D, g1[4] = {0.0f, 0.0f, 0.0f, 0.0f}, gh[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int i = 0; /* the lanes of g = dy * weight and of g * xhat */
#ifdef __wasm_simd128__
    v128_t s1 = LANES_ZERO, s2 = LANES_ZERO;
    for (; i + 4 <= D; i += 4) {
      const v128_t g = wasm_f32x4_mul(wasm_v128_load(d + i), wasm_v128_load(w + i));
      s1 = wasm_f32x4_add(s1, g), s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(g, wasm_v128_load(h + i)));
    }
    wasm_v128_store(g1, s1), wasm_v128_store(gh, s2);
#endif
    for (; i < D; i++) {
      const float g = d[i] * w[i];
      g1[i & 3] += g, gh[i & 3] += g * h[i];
    }
    const float mg = (g1[0] + g1[1] + (g1[2] + g1[3])) / D, mgh = (gh[0] + gh[1] + (gh[2] + gh[3])) / D;
    const float inv = l->cache[r];
    for (i = 0; i < D; i++) sw[i] += (double)d[i] * h[i], sb[i] += d[i];
    i = 0; /* d[i] read before o[i] is written: dx may be dy */
#ifdef __wasm_simd128__
    for (; i + 4 <= D; i += 4) {
      const v128_t dv = wasm_v128_load(d + i), hv = wasm_v128_load(h + i);
      const v128_t gv = wasm_f32x4_mul(dv, wasm_v128_load(w + i));
      const v128_t t = wasm_f32x4_sub(wasm_f32x4_sub(gv, wasm_f32x4_splat(mg)), wasm_f32x4_mul(hv, wasm_f32x4_splat(mgh)));
      wasm_v128_store(o + i, rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_splat(inv), t)));
    }
#endif
    for (; i < D; i++) o[i] = rnn_flush(inv * (d[i] * w[i] - mg - h[i] * mgh));
  }
  float *gw = l->params.grads;
  for (int i = 0; i < 2 * D; i++) gw[i] = rnn_flush(gw[i] + (float)sw[i]);
  return RNN_OK;
}

RNN_SMALL_FILE_END
