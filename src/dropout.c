/* dropout.c - inverted dropout: masks from the seeded generator (shared by
 * dropout between stacked recurrent layers) and the Dropout layer, whose
 * mask stays here between its forward and backward. */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

/* One rnn_rng_u32 per element, in index order; element i is kept iff
 * u >= p * 2^32 (probability 1 - p) and then holds 1 / (1 - p) (computed in
 * double, rounded to float once), else 0. p <= 0 keeps everything (scale 1,
 * still one draw per element so the stream does not depend on p); p >= 1
 * drops everything. */
void rnn_dropout_mask(rnn_rng *g, float p, size_t n, float *scale_out) {
  /* u is an integer, so u >= p * 2^32 iff u >= ceil(p * 2^32). */
  const double pp = p > 0.0f ? (double)p : 0.0;
  const uint64_t threshold = pp >= 1.0 ? (1ull << 32) : (uint64_t)ceil(pp * 4294967296.0);
  const float scale = pp >= 1.0 ? 0.0f : (float)(1.0 / (1.0 - pp));
  for (size_t i = 0; i < n; i++)
    scale_out[i] = (uint64_t)rnn_rng_u32(g) >= threshold ? scale : 0.0f;
}

struct rnn_dropout {
  float p;
  rnn_rng rng;
  float *mask; /* the last training forward's, [cap] */
  size_t cap, n;
  int masked;  /* the last forward drew a mask (training); else identity */
  int have_forward;
};

int rnn_dropout_create(float p, uint32_t seed, rnn_dropout **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (!(p >= 0.0f && p < 1.0f)) return rnn_fail(RNN_E_INVALID, "p must be in [0, 1), got %g", p);
  rnn_dropout *d = calloc(1, sizeof *d);
  if (!d) return rnn_fail(RNN_E_NOMEM, "out of memory creating a Dropout");
  d->p = p;
  rnn_rng_seed(&d->rng, seed);
  *out = d;
  return RNN_OK;
}

void rnn_dropout_destroy(rnn_dropout *d) {
  if (!d) return;
  free(d->mask);
  free(d);
}

uint32_t *rnn_dropout_rng(rnn_dropout *d) { return d->rng.s; }

int rnn_dropout_forward(rnn_dropout *d, int training, size_t n, const float *x, float *y) {
  if (!d) return rnn_fail(RNN_E_INVALID, "Dropout is NULL");
  if (n > 0 && (!x || !y)) return rnn_fail(RNN_E_INVALID, "x and y must not be NULL");
  d->have_forward = 0;
  if (training && n > d->cap) { /* the mask only grows: steady calls allocate nothing */
    if (n > SIZE_MAX / sizeof(float) / 2) return rnn_fail(RNN_E_NOMEM, "input too large: %zu values", n);
    float *m = malloc(n * sizeof(float));
    if (!m) return rnn_fail(RNN_E_NOMEM, "out of memory for a Dropout mask of %zu values", n);
    free(d->mask);
    d->mask = m, d->cap = n;
  }
  d->masked = training != 0, d->n = n;
  if (training) {
    rnn_dropout_mask(&d->rng, d->p, n, d->mask);
    for (size_t i = 0; i < n; i++) y[i] = rnn_flush(x[i] * d->mask[i]);
  } else {
    if (y != x) memmove(y, x, n * sizeof(float));
    rnn_flush_array(y, n); /* the values enter flushed (flush.h) */
  }
  d->have_forward = 1;
  return RNN_OK;
}

int rnn_dropout_backward(rnn_dropout *d, const float *dy, float *dx) {
  const int st = rnn_backward_ready(d, "Dropout", d && d->have_forward);
  if (st) return st;
  if (d->n > 0 && (!dy || !dx)) return rnn_fail(RNN_E_INVALID, "dy and dx must not be NULL");
  d->have_forward = 0;
  if (d->masked)
    for (size_t i = 0; i < d->n; i++) dx[i] = rnn_flush(dy[i] * d->mask[i]);
  else {
    if (dx != dy) memmove(dx, dy, d->n * sizeof(float));
    rnn_flush_array(dx, d->n);
  }
  return RNN_OK;
}

RNN_SMALL_FILE_END
