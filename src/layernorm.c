/* layernorm.c - nn.LayerNorm over the last dimension: each row of D values
 * is normalised to mean 0 and variance 1 (biased, plus eps), then scaled by
 * weight and shifted by bias. Per-row statistics in double; the normalised
 * rows and 1/std are kept for backward. A few passes over each row, next to
 * the products of the layers around it (under 1% of a block's step): compiled
 * for size, no SIMD. */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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
    double mean = 0.0, var = 0.0;
    for (int i = 0; i < D; i++) mean += xr[i];
    mean /= D;
    for (int i = 0; i < D; i++) var += (xr[i] - mean) * (xr[i] - mean);
    const double inv = 1.0 / sqrt(var / D + (double)l->eps);
    rs[r] = (float)inv;
    for (int i = 0; i < D; i++) { /* xr[i] read before yr[i] is written: y may be x */
      hr[i] = rnn_flush((float)((xr[i] - mean) * inv));
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
    float *o = dx + (size_t)r * D;
    double mg = 0.0, mgh = 0.0;
    for (int i = 0; i < D; i++) {
      mg += (double)d[i] * w[i], mgh += (double)d[i] * w[i] * h[i];
      sw[i] += (double)d[i] * h[i], sb[i] += d[i];
    }
    mg /= D, mgh /= D;
    for (int i = 0; i < D; i++) /* d[i] read before o[i] is written: dx may be dy */
      o[i] = rnn_flush((float)(l->cache[r] * ((double)d[i] * w[i] - mg - h[i] * mgh)));
  }
  float *gw = l->params.grads;
  for (int i = 0; i < 2 * D; i++) gw[i] = rnn_flush(gw[i] + (float)sw[i]);
  return RNN_OK;
}

RNN_SMALL_FILE_END
