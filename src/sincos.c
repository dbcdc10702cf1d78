/* sincos.c - sine and cosine for the engine's few uses (window functions, FFT
 * twiddles, Box-Muller): arguments of modest size, reduced by the nearest
 * multiple of pi/2 in two parts (the first exact for |x| < 2^19), then Taylor
 * polynomials on [-pi/4, pi/4], good to about an ulp of double. libm's sin and
 * cos reduce any double exactly, which cost the wasm ~5 KB (with a 1 KB table
 * of the bits of 2/pi) for arguments that never exceed 2 pi here. */
#include "rnn_internal.h"

RNN_SMALL_FILE_BEGIN

void rnn_sincos(double x, double *s, double *c) {
  const double PIO2_HI = 1.57079632673412561417; /* pi/2 to 33 bits: n * PIO2_HI is exact */
  const double PIO2_LO = 6.07710050650619224932e-11; /* pi/2 - PIO2_HI */
  const double q = x * 0.63661977236758134308;     /* x / (pi/2) */
  const long long n = (long long)(q < 0 ? q - 0.5 : q + 0.5);
  const double r = (x - (double)n * PIO2_HI) - (double)n * PIO2_LO, r2 = r * r;
  /* sin r = r (1 - r^2/3! + ... + r^16/17!), cos r = 1 - r^2/2! + ... + r^18/18! in Horner form
   * (the next terms are below 1e-19 for |r| <= pi/4); k! is exact in double up to 18! */
  double f[19], ps = 0.0, pc = 0.0;
  f[0] = 1.0;
  for (int k = 1; k <= 18; k++) f[k] = f[k - 1] * k;
  for (int k = 17; k >= 1; k -= 2) ps = 1.0 / f[k] - r2 * ps;
  for (int k = 18; k >= 0; k -= 2) pc = 1.0 / f[k] - r2 * pc;
  const double sr = r * ps, cr = pc;
  switch (n & 3) {
    case 0: *s = sr, *c = cr; break;
    case 1: *s = cr, *c = -sr; break;
    case 2: *s = -sr, *c = -cr; break;
    default: *s = -cr, *c = sr; break;
  }
}

RNN_SMALL_FILE_END
