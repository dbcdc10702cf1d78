/* rng.c - the seeded generator behind every random number the engine draws
 * (init, later dropout): xoshiro128** seeded through splitmix64, so a seed
 * gives the same stream in every build and on every host. */
#include "rnn.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void rnn_rng_seed(rnn_rng *g, uint64_t seed) {
  uint64_t x = seed;
  uint64_t a = splitmix64(&x), b = splitmix64(&x);
  g->s[0] = (uint32_t)a, g->s[1] = (uint32_t)(a >> 32);
  g->s[2] = (uint32_t)b, g->s[3] = (uint32_t)(b >> 32);
}

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

uint32_t rnn_rng_u32(rnn_rng *g) {
  uint32_t *s = g->s;
  const uint32_t result = rotl(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

float rnn_rng_uniform(rnn_rng *g, float lo, float hi) {
  /* 24 random bits: every value is an exact float in [0, 1). */
  const float u = (float)(rnn_rng_u32(g) >> 8) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * u;
}
