/* fbank.c - log-mel filterbank features, Kaldi's (as torchaudio's
 * compliance.kaldi.fbank computes them): frames of frame_length samples every
 * frame_shift (edges snipped: only whole frames), each with its DC offset
 * removed, pre-emphasised (x[i] -= k x[i-1], x[0] -= k x[0]), windowed
 * (Povey: the Hann window to the power 0.85; or Hann, or Hamming),
 * zero-padded to a power of two, its power spectrum |FFT|^2 through
 * triangular filters equally spaced on the mel scale (1127 ln(1 + f/700))
 * between low_freq and high_freq, and the log with a floor.
 *
 * The FFT is this file's own: iterative radix-2 over n/2 complex points with
 * the real-input split (one pass of n/2-point FFT and a twiddle pass), in
 * double; a frame costs a few microseconds, well under the recurrent step
 * that consumes it, so no SIMD. Features are rounded to float32 once.
 *
 * An rnn_fbank holds the window, the filters, the twiddles and a sample
 * buffer for streaming: rnn_fbank_push takes samples as they come and writes
 * each frame as soon as its last sample arrives, the same frames as
 * rnn_fbank_compute gives on the whole clip. */
#include "rnn_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

struct rnn_fbank {
  int rate, len, shift, bins, nfft, remove_dc;
  double preemph, floor;
  double *window;  /* [len] */
  double *filters; /* [bins][nfft/2]: weight of FFT bin k in mel bin m */
  int *first, *last; /* each filter's nonzero range [first, last) */
  double *cos_t, *sin_t; /* twiddles e^{-2 pi i k / nfft}, k < nfft/2 */
  double *re, *im, *power; /* work: nfft/2 complex, nfft/2 + 1 powers */
  double *frame;           /* work: nfft samples */
  float *pending;          /* streaming: the samples of the next frame(s) */
  int npending;
};

static double mel(double f) { return 1127.0 * log(1.0 + f / 700.0); }

void rnn_fbank_destroy(rnn_fbank *f) {
  if (!f) return;
  free(f->window), free(f->filters), free(f->first), free(f->last), free(f->cos_t), free(f->sin_t);
  free(f->re), free(f->im), free(f->power), free(f->frame), free(f->pending);
  free(f);
}

RNN_SMALL int rnn_fbank_new(int rate, int frame_length, int frame_shift, int bins, int window, double low_freq,
                  double high_freq, double preemph, int remove_dc, double log_floor, rnn_fbank **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "fbank: out must not be NULL");
  *out = NULL;
  if (rate < 1000 || rate > 384000) return rnn_fail(RNN_E_INVALID, "fbank: sample rate %d is not in [1000, 384000]", rate);
  if (frame_length < 2 || frame_length > 65536) return rnn_fail(RNN_E_INVALID, "fbank: frame length %d samples is not in [2, 65536]", frame_length);
  if (frame_shift < 1 || frame_shift > frame_length) return rnn_fail(RNN_E_INVALID, "fbank: frame shift %d is not in [1, frame length %d]", frame_shift, frame_length);
  if (window < 0 || window > 2) return rnn_fail(RNN_E_INVALID, "fbank: unknown window %d", window);
  const double nyquist = 0.5 * rate;
  if (high_freq <= 0.0) high_freq += nyquist; /* Kaldi: 0 is the Nyquist frequency, negative counts down from it */
  if (!(low_freq >= 0.0 && high_freq > low_freq && high_freq <= nyquist))
    return rnn_fail(RNN_E_INVALID, "fbank: need 0 <= lowFreq < highFreq <= %g (the Nyquist frequency), got %g and %g", nyquist, low_freq, high_freq);
  if (bins < 1 || bins > 1024) return rnn_fail(RNN_E_INVALID, "fbank: %d mel bins is not in [1, 1024]", bins);
  if (!(preemph >= 0.0 && preemph <= 1.0)) return rnn_fail(RNN_E_INVALID, "fbank: preemphasis %g is not in [0, 1]", preemph);
  if (!(log_floor > 0.0)) return rnn_fail(RNN_E_INVALID, "fbank: the log floor must be > 0, got %g", log_floor);

  int nfft = 2;
  while (nfft < frame_length) nfft *= 2;
  const int half = nfft / 2;
  rnn_fbank *f = calloc(1, sizeof *f);
  if (!f) return rnn_fail(RNN_E_NOMEM, "fbank: out of memory");
  *f = (rnn_fbank){.rate = rate, .len = frame_length, .shift = frame_shift, .bins = bins, .nfft = nfft,
                   .remove_dc = remove_dc != 0, .preemph = preemph, .floor = log_floor};
  f->window = malloc(sizeof(double) * frame_length);
  f->filters = calloc((size_t)bins * half, sizeof(double));
  f->first = malloc(sizeof(int) * bins), f->last = malloc(sizeof(int) * bins);
  f->cos_t = malloc(sizeof(double) * half), f->sin_t = malloc(sizeof(double) * half);
  f->re = malloc(sizeof(double) * half), f->im = malloc(sizeof(double) * half);
  f->power = malloc(sizeof(double) * (half + 1));
  f->frame = malloc(sizeof(double) * nfft);
  f->pending = malloc(sizeof(float) * frame_length);
  if (!f->window || !f->filters || !f->first || !f->last || !f->cos_t || !f->sin_t || !f->re || !f->im ||
      !f->power || !f->frame || !f->pending) {
    rnn_fbank_destroy(f);
    return rnn_fail(RNN_E_NOMEM, "fbank: out of memory");
  }
  double s, c;
  for (int i = 0; i < frame_length; i++) {
    rnn_sincos(2.0 * M_PI * i / (frame_length - 1), &s, &c);
    const double hann = 0.5 - 0.5 * c;
    f->window[i] = window == 0 ? pow(hann, 0.85) : window == 1 ? hann : 0.54 - 0.46 * c;
  }
  for (int k = 0; k < half; k++) rnn_sincos(2.0 * M_PI * k / nfft, &s, &c), f->cos_t[k] = c, f->sin_t[k] = -s;
  /* Kaldi's filters cover FFT bins 0 .. nfft/2 - 1; the Nyquist bin gets weight 0 */
  const double mlo = mel(low_freq), mhi = mel(high_freq), delta = (mhi - mlo) / (bins + 1), width = (double)rate / nfft;
  for (int m = 0; m < bins; m++) {
    const double left = mlo + m * delta, center = left + delta, right = center + delta;
    f->first[m] = half, f->last[m] = 0;
    for (int k = 0; k < half; k++) {
      const double mk = mel(width * k);
      const double up = (mk - left) / (center - left), down = (right - mk) / (right - center);
      const double w = fmax(0.0, fmin(up, down));
      f->filters[(size_t)m * half + k] = w;
      if (w > 0.0) {
        if (k < f->first[m]) f->first[m] = k;
        f->last[m] = k + 1;
      }
    }
  }
  *out = f;
  return RNN_OK;
}

/* In-place radix-2 FFT of n complex points (n a power of two), forward sign;
 * tw holds e^{-2 pi i k / (2n)} for k < n (the twiddles of the 2n-point
 * real transform: step 2 gives the n-point ones). */
RNN_SMALL static void fft(double *re, double *im, int n, const double *cos_t, const double *sin_t) {
  for (int i = 1, j = 0; i < n; i++) { /* bit reversal */
    int bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      double t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  for (int size = 2; size <= n; size *= 2) {
    const int step = 2 * n / size; /* in units of the 2n-point twiddles */
    for (int start = 0; start < n; start += size) {
      for (int k = 0; k < size / 2; k++) {
        const double wr = cos_t[k * step], wi = sin_t[k * step];
        const int a = start + k, b = a + size / 2;
        const double xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr, im[b] = im[a] - xi;
        re[a] += xr, im[a] += xi;
      }
    }
  }
}

/* |X[k]|^2, k = 0 .. nfft/2, of the nfft real samples in f->frame: the
 * n/2-point complex FFT of (even, odd) pairs, then the split. */
RNN_SMALL static void power_spectrum(rnn_fbank *f) {
  const int half = f->nfft / 2;
  for (int i = 0; i < half; i++) f->re[i] = f->frame[2 * i], f->im[i] = f->frame[2 * i + 1];
  fft(f->re, f->im, half, f->cos_t, f->sin_t);
  for (int k = 0; k <= half; k++) {
    const int a = k % half, b = (half - k) % half;
    /* E = (Z[k] + conj Z[n/2-k]) / 2, O = (Z[k] - conj Z[n/2-k]) / 2i; X = E + w^k O */
    const double er = 0.5 * (f->re[a] + f->re[b]), ei = 0.5 * (f->im[a] - f->im[b]);
    const double or_ = 0.5 * (f->im[a] + f->im[b]), oi = -0.5 * (f->re[a] - f->re[b]);
    const double wr = k < half ? f->cos_t[k] : -1.0, wi = k < half ? f->sin_t[k] : 0.0;
    const double xr = er + or_ * wr - oi * wi, xi = ei + or_ * wi + oi * wr;
    f->power[k] = xr * xr + xi * xi;
  }
}

/* One frame of f->len samples to bins log-mel values. */
RNN_SMALL static void frame_features(rnn_fbank *f, const float *x, float *out) {
  const int L = f->len;
  double mean = 0.0;
  if (f->remove_dc) {
    for (int i = 0; i < L; i++) mean += x[i];
    mean /= L;
  }
  double *fr = f->frame;
  for (int i = 0; i < L; i++) fr[i] = (double)x[i] - mean;
  for (int i = L - 1; i > 0; i--) fr[i] -= f->preemph * fr[i - 1];
  fr[0] -= f->preemph * fr[0];
  for (int i = 0; i < L; i++) fr[i] *= f->window[i];
  for (int i = L; i < f->nfft; i++) fr[i] = 0.0;
  power_spectrum(f);
  const int half = f->nfft / 2;
  for (int m = 0; m < f->bins; m++) {
    const double *w = f->filters + (size_t)m * half;
    double e = 0.0;
    for (int k = f->first[m]; k < f->last[m]; k++) e += w[k] * f->power[k];
    out[m] = (float)log(e > f->floor ? e : f->floor);
  }
}

int rnn_fbank_bins(const rnn_fbank *f) { return f->bins; }

/* Whole frames in n samples (edges snipped). */
size_t rnn_fbank_frames(const rnn_fbank *f, size_t n) {
  return n < (size_t)f->len ? 0 : 1 + (n - (size_t)f->len) / (size_t)f->shift;
}

int rnn_fbank_compute(rnn_fbank *f, const float *x, size_t n, float *out) {
  if (!f || (n && !x) || !out) return rnn_fail(RNN_E_INVALID, "fbank: arguments must not be NULL");
  const size_t frames = rnn_fbank_frames(f, n);
  for (size_t t = 0; t < frames; t++) frame_features(f, x + t * f->shift, out + t * f->bins);
  return RNN_OK;
}

void rnn_fbank_reset(rnn_fbank *f) { f->npending = 0; }

int rnn_fbank_push(rnn_fbank *f, const float *x, size_t n, float *out, size_t max_frames, size_t *frames) {
  if (!f || (n && !x) || !frames || (max_frames && !out)) return rnn_fail(RNN_E_INVALID, "fbank: arguments must not be NULL");
  /* pending holds the stream's samples from the next frame's start on (fewer than a frame) */
  const size_t made = rnn_fbank_frames(f, (size_t)f->npending + n);
  if (made > max_frames) return rnn_fail(RNN_E_SHAPE, "fbank: %zu samples complete %zu frames, room for %zu", n, made, max_frames);
  const size_t L = (size_t)f->len, hop = (size_t)f->shift;
  size_t i = 0, t = 0;
  for (;;) {
    const size_t need = L - (size_t)f->npending;
    if (n - i < need) break;
    float *o = out + t++ * f->bins;
    if (f->npending == 0) { /* a whole frame among the new samples */
      frame_features(f, x + i, o);
      i += hop;
    } else {
      memcpy(f->pending + f->npending, x + i, need * sizeof(float));
      frame_features(f, f->pending, o);
      memmove(f->pending, f->pending + hop, (L - hop) * sizeof(float));
      f->npending = (int)(L - hop);
      i += need;
    }
  }
  memcpy(f->pending + f->npending, x + i, (n - i) * sizeof(float));
  f->npending += (int)(n - i);
  *frames = t;
  return RNN_OK;
}
