/* linear.c - nn.Linear: y = x W^T + b over any number of rows, with the
 * weight packed once per parameter change (both orientations: W^T for the
 * forward, W for dx) and the weight gradient as one dy^T x product. */
#include "rnn_internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEATURES 1048576

struct rnn_linear {
  int in, out, bias;
  rnn_params params;  /* weight [out][in], then bias [out] */
  float *pk;          /* W^T packed: K = in, N = out (forward) */
  float *pk_t;        /* W packed: K = out, N = in (backward dx) */
  unsigned packed_version; /* params.version pk, pk_t (or q) were packed at */
  void *q;            /* quantized: W's int8 pack (qgemm.h), else unused */
  size_t qcap;
  float *ws;          /* GEMM workspace (its size does not depend on rows) */
  size_t ws_floats;
  double *bsum;       /* [out] bias-gradient accumulator (with bias) */
  float *x;           /* copy of the last forward's input, [cap_x] floats */
  size_t cap_x;
  int rows;
  int have_forward;
};

RNN_SMALL int rnn_linear_create(int in_features, int out_features, int bias, uint32_t seed,
                      rnn_linear **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (in_features < 1 || in_features > MAX_FEATURES)
    return rnn_fail(RNN_E_INVALID, "inFeatures must be in [1, %d], got %d", MAX_FEATURES,
                    in_features);
  if (out_features < 1 || out_features > MAX_FEATURES)
    return rnn_fail(RNN_E_INVALID, "outFeatures must be in [1, %d], got %d", MAX_FEATURES,
                    out_features);
  /* 64-bit counts: in*out can overflow wasm32's size_t. */
  const uint64_t nw = (uint64_t)in_features * (uint64_t)out_features;
  const uint64_t np = nw + (bias ? (uint64_t)out_features : 0);
  const uint64_t npk = (uint64_t)rnn_gemm_packed_size(in_features, out_features) +
                       (uint64_t)rnn_gemm_packed_size(out_features, in_features);
  const uint64_t ws_sgemm = (uint64_t)rnn_gemm_workspace_size(INT_MAX, in_features);
  const uint64_t ws_packed = (uint64_t)rnn_gemm_packed_workspace_size();
  const uint64_t nws = ws_sgemm > ws_packed ? ws_sgemm : ws_packed;
  if (np > (SIZE_MAX / sizeof(float)) / 4 || np + npk > (SIZE_MAX / sizeof(float)) / 4)
    return rnn_fail(RNN_E_NOMEM, "Linear too large: %llu parameters", (unsigned long long)np);

  rnn_linear *l = calloc(1, sizeof *l);
  if (!l) return rnn_fail(RNN_E_NOMEM, "out of memory creating the Linear layer");
  l->in = in_features, l->out = out_features, l->bias = bias ? 1 : 0;
  int st = rnn_params_init(&l->params, 2);
  if (!st) {
    rnn_params_add(&l->params, "weight", out_features, in_features, 2);
    if (bias) rnn_params_add(&l->params, "bias", out_features, 1, 1);
    st = rnn_params_alloc(&l->params);
  }
  l->pk = malloc((size_t)npk * sizeof(float));
  l->ws = malloc((size_t)nws * sizeof(float));
  l->ws_floats = (size_t)nws;
  l->bsum = bias ? malloc((size_t)out_features * sizeof(double)) : NULL;
  if (st || !l->pk || !l->ws || (bias && !l->bsum)) {
    rnn_linear_destroy(l);
    return rnn_fail(RNN_E_NOMEM, "out of memory for a Linear layer of %llu parameters",
                    (unsigned long long)np);
  }
  l->pk_t = l->pk + rnn_gemm_packed_size(in_features, out_features);

  /* PyTorch's reset_parameters: kaiming_uniform(a=sqrt(5)) on the weight is
   * U(-1/sqrt(in), 1/sqrt(in)), and the bias uses the same bound. Weight
   * first, then bias, in state_dict order. */
  rnn_rng g;
  rnn_rng_seed(&g, seed);
  const float k = 1.0f / sqrtf((float)in_features);
  for (size_t i = 0; i < l->params.count; i++) l->params.values[i] = rnn_rng_uniform(&g, -k, k);
  *out = l;
  return RNN_OK;
}

void rnn_linear_destroy(rnn_linear *l) {
  if (!l) return;
  rnn_params_free(&l->params);
  free(l->pk);
  free(l->q);
  free(l->ws);
  free(l->bsum);
  free(l->x);
  free(l);
}

rnn_params *rnn_linear_parameters(rnn_linear *l) { return &l->params; }

RNN_SMALL static float weight_at(const void *w, int k, int n) {
  const rnn_linear *l = w;
  return l->params.values[(size_t)n * l->in + k];
}

static int pack_weights(rnn_linear *l) {
  if (l->packed_version == l->params.version) return RNN_OK;
  const float *w = l->params.values;
  if (l->params.quantized) {
    const size_t ws_bytes = rnn_int8.workspace_size(l->in);
    int st = rnn_qblock_reserve(&l->q, &l->qcap, rnn_int8.packed_size(l->in, l->out));
    if (!st && ws_bytes > l->ws_floats * sizeof(float)) {
      float *ws = malloc(ws_bytes);
      if (!ws) return rnn_fail(RNN_E_NOMEM, "out of memory for the int8 workspace");
      free(l->ws);
      l->ws = ws, l->ws_floats = ws_bytes / sizeof(float);
    }
    if (st) return st;
    rnn_int8.pack(l->in, l->out, weight_at, l, l->q);
    l->packed_version = l->params.version;
    return RNN_OK;
  }
  rnn_gemm_pack_b(l->in, l->out, w, 1, l->in, l->pk);    /* B(k=i, n=o) = W[o][i] */
  rnn_gemm_pack_b(l->out, l->in, w, l->in, 1, l->pk_t);  /* B(k=o, n=i) = W[o][i] */
  l->packed_version = l->params.version;
  return RNN_OK;
}

/* The input cache only grows, so steady-state calls do not allocate. */
int rnn_linear_input(rnn_linear *l, int rows, float **x) {
  if (!l || !x) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *x = NULL;
  if (rows < 0) return rnn_fail(RNN_E_SHAPE, "rows must be >= 0, got %d", rows);
  float *p = rnn_input_cache(l->x, &l->cap_x, (uint64_t)rows * (uint64_t)l->in, sizeof(float));
  if (!p) return RNN_E_NOMEM;
  *x = l->x = p;
  return RNN_OK;
}

int rnn_linear_forward(rnn_linear *l, int rows, const float *x, float *y) {
  if (!l) return rnn_fail(RNN_E_INVALID, "Linear layer is NULL");
  if (rows < 0) return rnn_fail(RNN_E_SHAPE, "rows must be >= 0, got %d", rows);
  if (rows > 0 && (!x || !y)) return rnn_fail(RNN_E_INVALID, "x and y must not be NULL");
  l->have_forward = 0;
  const uint64_t nx = (uint64_t)rows * (uint64_t)l->in;
  const uint64_t ny = (uint64_t)rows * (uint64_t)l->out;
  if (nx > (SIZE_MAX / sizeof(float)) / 2 || ny > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "input too large: %d rows", rows);
  float *cache;
  int st = rnn_linear_input(l, rows, &cache);
  if (!st) st = pack_weights(l);
  if (st) return st;
  const int I = l->in, O = l->out;
  if (rows > 0) {
    rnn_flush_copy(l->x, x, (size_t)nx); /* the user's values enter flushed (flush.h) */
    if (l->bias) {
      const float *b = l->params.values + (size_t)I * O;
      for (int r = 0; r < rows; r++) memcpy(y + (size_t)r * O, b, (size_t)O * sizeof(float));
    }
    if (l->params.quantized)
      rnn_int8.packed(rows, O, I, l->x, I, l->q, y, O, l->bias, l->ws, l->ws_floats * sizeof(float));
    else
      rnn_gemm_packed(rows, O, I, l->x, I, 1, l->pk, y, O, l->bias, l->ws, l->ws_floats);
  }
  l->rows = rows;
  l->have_forward = 1;
  return RNN_OK;
}

int rnn_linear_backward(rnn_linear *l, const float *dy, float *dx) {
  int st = rnn_backward_ready(l, "Linear layer", l && l->have_forward);
  if (!st) st = rnn_params_trainable(&l->params, "the Linear layer");
  if (st) return st;
  const int rows = l->rows, I = l->in, O = l->out;
  if (rows > 0 && !dy) return rnn_fail(RNN_E_INVALID, "dy must not be NULL");
  l->have_forward = 0;
  if (rows == 0) return RNN_OK;
  if ((st = pack_weights(l))) return st; /* parameters may have changed since the forward */
  /* dx[rows][in] = dy W */
  if (dx) rnn_gemm_packed(rows, I, O, dy, O, 1, l->pk_t, dx, I, 0, l->ws, l->ws_floats);
  /* dW[out][in] += dy^T x: A(o, r) = dy[r][o] */
  rnn_sgemm(O, I, rows, dy, 1, O, l->x, I, 1, l->params.grads, I, 1, l->ws, l->ws_floats);
  if (l->bias) {
    /* db += column sums of dy: row by row (contiguous reads) into double
     * sums, so long batches do not lose low bits. */
    float *db = l->params.grads + (size_t)I * O;
    double *s = l->bsum;
    for (int o = 0; o < O; o++) s[o] = 0.0;
    for (int r = 0; r < rows; r++) {
      const float *d = dy + (size_t)r * O;
      for (int o = 0; o < O; o++) s[o] += d[o];
    }
    for (int o = 0; o < O; o++) db[o] = rnn_flush(db[o] + (float)s[o]);
  }
  return RNN_OK;
}
