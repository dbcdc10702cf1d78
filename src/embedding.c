/* embedding.c - nn.Embedding: a lookup table weight[num][dim]; forward
 * gathers rows, backward scatter-adds the output gradient into the rows it
 * read (the padding row, if any, never receives gradient). */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

#define MAX_ROWS 0x40000000 /* 2^30 */
#define MAX_DIM 1048576

struct rnn_embedding {
  int num, dim;
  int padding_idx;    /* normalized to [0, num), or -1 for none */
  rnn_params params;  /* weight [num][dim] */
  int32_t *ids;       /* copy of the last forward's ids (backward scatters by them) */
  size_t cap_ids;
  int n;
  int have_forward;
};

/* Standard normal pairs by Box-Muller in double from two rnn_rng_u32 draws:
 * u1 = (a + 0.5) / 2^32 in (0, 1) (never 0, so the log is finite),
 * u2 = b / 2^32; z0 = r cos(2 pi u2), z1 = r sin(2 pi u2), r = sqrt(-2 ln u1).
 * Elements are filled in order z0, z1, z0, z1, ...; an odd count drops the
 * last z1. */
static void fill_normal(rnn_rng *g, float *w, size_t n) {
  const double two_pi = 6.283185307179586476925;
  for (size_t i = 0; i < n; i += 2) {
    const double u1 = ((double)rnn_rng_u32(g) + 0.5) * (1.0 / 4294967296.0);
    const double u2 = (double)rnn_rng_u32(g) * (1.0 / 4294967296.0);
    const double r = sqrt(-2.0 * log(u1));
    double s, c;
    rnn_sincos(two_pi * u2, &s, &c);
    w[i] = (float)(r * c);
    if (i + 1 < n) w[i + 1] = (float)(r * s);
  }
}

int rnn_embedding_create(int num_embeddings, int embedding_dim, int has_padding,
                         int padding_idx, uint32_t seed, rnn_embedding **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (num_embeddings < 1 || num_embeddings > MAX_ROWS)
    return rnn_fail(RNN_E_INVALID, "numEmbeddings must be in [1, %d], got %d", MAX_ROWS,
                    num_embeddings);
  if (embedding_dim < 1 || embedding_dim > MAX_DIM)
    return rnn_fail(RNN_E_INVALID, "embeddingDim must be in [1, %d], got %d", MAX_DIM,
                    embedding_dim);
  if (has_padding && (padding_idx < -num_embeddings || padding_idx >= num_embeddings))
    return rnn_fail(RNN_E_INVALID, "paddingIdx must be in [%d, %d), got %d",
                    -num_embeddings, num_embeddings, padding_idx);
  const uint64_t np = (uint64_t)num_embeddings * (uint64_t)embedding_dim;
  if (np > (SIZE_MAX / sizeof(float)) / 4)
    return rnn_fail(RNN_E_NOMEM, "Embedding too large: %llu parameters",
                    (unsigned long long)np);
  rnn_embedding *e = calloc(1, sizeof *e);
  if (!e) return rnn_fail(RNN_E_NOMEM, "out of memory creating the Embedding");
  e->num = num_embeddings, e->dim = embedding_dim;
  /* negative counts from the end, as in PyTorch */
  e->padding_idx = !has_padding ? -1 : padding_idx < 0 ? padding_idx + num_embeddings
                                                       : padding_idx;
  int st = rnn_params_init(&e->params, 1);
  if (!st) {
    rnn_params_add(&e->params, "weight", num_embeddings, embedding_dim, 2);
    st = rnn_params_alloc(&e->params);
  }
  if (st) {
    rnn_embedding_destroy(e);
    return rnn_fail(RNN_E_NOMEM, "out of memory for an Embedding of %llu parameters",
                    (unsigned long long)np);
  }
  /* PyTorch's reset_parameters: N(0, 1), then the padding row zeroed. */
  rnn_rng g;
  rnn_rng_seed(&g, seed);
  fill_normal(&g, e->params.values, (size_t)np);
  if (e->padding_idx >= 0)
    memset(e->params.values + (size_t)e->padding_idx * embedding_dim, 0,
           (size_t)embedding_dim * sizeof(float));
  *out = e;
  return RNN_OK;
}

void rnn_embedding_destroy(rnn_embedding *e) {
  if (!e) return;
  rnn_params_free(&e->params);
  free(e->ids);
  free(e);
}

rnn_params *rnn_embedding_parameters(rnn_embedding *e) { return &e->params; }
int rnn_embedding_padding_idx(const rnn_embedding *e) { return e->padding_idx; }

/* The ids cache only grows, so steady-state calls do not allocate. */
int rnn_embedding_input(rnn_embedding *e, int n, int32_t **ids) {
  if (!e || !ids) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *ids = NULL;
  if (n < 0) return rnn_fail(RNN_E_SHAPE, "the number of ids must be >= 0, got %d", n);
  int32_t *p = rnn_input_cache(e->ids, &e->cap_ids, (uint64_t)n, sizeof(int32_t));
  if (!p) return RNN_E_NOMEM;
  *ids = e->ids = p;
  return RNN_OK;
}

int rnn_embedding_forward(rnn_embedding *e, int n, const int32_t *ids, float *y) {
  if (!e) return rnn_fail(RNN_E_INVALID, "Embedding is NULL");
  if (n < 0) return rnn_fail(RNN_E_SHAPE, "the number of ids must be >= 0, got %d", n);
  if (n > 0 && (!ids || !y)) return rnn_fail(RNN_E_INVALID, "ids and y must not be NULL");
  e->have_forward = 0;
  /* Every id is checked before anything is written. */
  for (int i = 0; i < n; i++)
    if (ids[i] < 0 || ids[i] >= e->num)
      return rnn_fail(RNN_E_INVALID, "index %d at position %d is out of range [0, %d)",
                      (int)ids[i], i, e->num);
  const uint64_t ny = (uint64_t)n * (uint64_t)e->dim;
  if (ny > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "output too large: %d ids of dimension %d", n, e->dim);
  int32_t *cache;
  const int st = rnn_embedding_input(e, n, &cache);
  if (st) return st;
  const size_t D = (size_t)e->dim;
  for (int i = 0; i < n; i++)
    memcpy(y + (size_t)i * D, e->params.values + (size_t)ids[i] * D, D * sizeof(float));
  if (n > 0 && ids != e->ids) memcpy(e->ids, ids, (size_t)n * sizeof(int32_t));
  e->n = n;
  e->have_forward = 1;
  return RNN_OK;
}

int rnn_embedding_backward(rnn_embedding *e, const float *dy) {
  int st = rnn_backward_ready(e, "Embedding", e && e->have_forward);
  if (!st) st = rnn_params_trainable(&e->params, "the Embedding");
  if (st) return st;
  if (e->n > 0 && !dy) return rnn_fail(RNN_E_INVALID, "dy must not be NULL");
  e->have_forward = 0;
  const size_t D = (size_t)e->dim;
  for (int i = 0; i < e->n; i++) {
    const int id = e->ids[i];
    if (id == e->padding_idx) continue; /* PyTorch: the padding row gets no gradient */
    float *g = e->params.grads + (size_t)id * D;
    const float *d = dy + (size_t)i * D;
    for (size_t k = 0; k < D; k++) g[k] = rnn_flush(g[k] + d[k]);
  }
  return RNN_OK;
}

RNN_SMALL_FILE_END
