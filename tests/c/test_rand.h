/* test_rand.h - the C tests' deterministic inputs: an LCG (not the engine's
 * generator) giving values in [-1, 1), arrays of them, and zeroed arrays.
 * Each test program seeds it with TEST_RAND_SEED before including. */
#ifndef TEST_RAND_H
#define TEST_RAND_H

#include <stdint.h>
#include <stdlib.h>

static uint32_t test_rand_state = TEST_RAND_SEED;

static float rand_unit(void) {
  test_rand_state = test_rand_state * 1664525u + 1013904223u;
  return (float)(test_rand_state >> 8) / (float)(1u << 23) - 1.0f;
}
static float *rand_array(size_t n, float scale) {
  float *x = malloc((n ? n : 1) * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = scale * rand_unit();
  return x;
}
static inline float *zeros(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

#endif
