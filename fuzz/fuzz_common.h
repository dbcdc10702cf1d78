/* fuzz_common.h - the byte reader shared by the libFuzzer targets: turns the
 * fuzz input into small integers, flags and float values (ordinary ones, or
 * NaN / infinities / huge / subnormal / raw bit patterns), reading zeros once
 * the input runs out, so every input is a complete case. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"

typedef struct {
  const uint8_t *p;
  size_t n;
} fz_input;

static inline uint8_t fz_u8(fz_input *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

static inline uint32_t fz_u32(fz_input *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)fz_u8(in) << (8 * i);
  return v;
}

static inline uint64_t fz_u64(fz_input *in) {
  const uint64_t lo = fz_u32(in);
  return lo | (uint64_t)fz_u32(in) << 32;
}

/* An integer in [lo, hi] (hi - lo < 256). */
static inline int fz_range(fz_input *in, int lo, int hi) {
  return lo + (int)(fz_u8(in) % (unsigned)(hi - lo + 1));
}

static inline int fz_flag(fz_input *in) { return fz_u8(in) & 1; }

static inline float fz_bits_float(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* A float: nice ones only draw ordinary values in [-4, 4); otherwise about
 * one in three is special (NaN, +-Inf, huge, FLT_MAX, subnormal, -0, raw). */
static inline float fz_float(fz_input *in, int nice) {
  const uint8_t k = fz_u8(in);
  if (nice || k < 170) return (float)(int8_t)k / 32.0f;
  switch (k % 10) {
  case 0: return NAN;
  case 1: return INFINITY;
  case 2: return -INFINITY;
  case 3: return (fz_u8(in) & 1 ? 1e30f : -1e30f);
  case 4: return (fz_u8(in) & 1 ? FLT_MAX : -FLT_MAX);
  case 5: return 1e-40f; /* subnormal */
  case 6: return -0.0f;
  case 7: return (float)(int8_t)fz_u8(in) * 1e6f;
  default: return fz_bits_float(fz_u32(in)); /* anything, NaN payloads included */
  }
}

static inline float *fz_floats(fz_input *in, size_t n, int nice) {
  float *x = malloc((n ? n : 1) * sizeof *x);
  if (!x) abort();
  for (size_t i = 0; i < n; i++) x[i] = fz_float(in, nice);
  return x;
}

static inline float *fz_zeros(size_t n) {
  float *x = calloc(n ? n : 1, sizeof *x);
  if (!x) abort();
  return x;
}

static inline int fz_all_finite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

/* A broken expectation: print it and abort, which libFuzzer reports as a
 * crash with the input that caused it. */
#define FZ_CHECK(cond, ...)                                                     \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "fuzz check failed at %s:%d: %s\n  ", __FILE__, __LINE__, \
              #cond);                                                           \
      fprintf(stderr, __VA_ARGS__);                                             \
      fprintf(stderr, "\n  rnn_last_error: %s\n", rnn_last_error());           \
      abort();                                                                  \
    }                                                                           \
  } while (0)

/* A status is one of rnn_status, and a failure leaves a message. */
#define FZ_SANE(st)                                                                  \
  FZ_CHECK((st) >= RNN_OK && (st) <= RNN_E_UNSUPPORTED, "status %d out of range", (st)); \
  FZ_CHECK((st) == RNN_OK || rnn_last_error()[0] != '\0', "failure without a message")

#endif
