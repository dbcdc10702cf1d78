/* dropout.c - inverted-dropout masks from the seeded generator, shared by
 * the Dropout layer and dropout between stacked recurrent layers. */
#include "rnn.h"

#include <math.h>

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
