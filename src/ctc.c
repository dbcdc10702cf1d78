/* ctc.c - the Connectionist Temporal Classification loss (Graves et al.
 * 2006) with torch.nn.functional.ctc_loss's semantics and gradient.
 *
 * For each sequence b the target l (length L) is extended with blanks,
 * l' = (blank, l1, blank, l2, ..., lL, blank) of 2L + 1 labels, and the
 * forward variables alpha[t][s] = log of the probability of all prefixes of
 * alignments that reach l'[s] at time t, the backward ones beta[t][s] of all
 * suffixes from l'[s] at t (both include step t's own log-probability, as
 * PyTorch's do). A label may follow the one two places back when it is not a
 * blank and differs from it (repeats need a blank between them).
 *
 *   nll = -log(alpha[T-1][2L] + alpha[T-1][2L-1])
 *   grad[t][c] = exp(lp[t][c]) - exp(lse_{s: l'[s] = c}(alpha + beta) + nll - lp[t][c])
 *
 * The gradient is PyTorch's: with log-probabilities from a log_softmax it is
 * the gradient with respect to the logits before it (softmax - posterior),
 * which autograd passes through the log_softmax unchanged (the posterior and
 * the softmax both sum to 1 over c). from_logits = 1 takes the logits and
 * applies the log_softmax here, fused, with that same gradient.
 *
 * Everything is computed in double (log-sum-exp with the max shifted out) and
 * rounded to float32 once; gradients are flushed (flush.h). Steps t >= the
 * sequence's input length get a zero gradient. An impossible alignment (a
 * target with more labels plus repeats than input steps) has nll = +inf; with
 * zero_infinity its loss and gradient are 0. */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static double lse2(double a, double b) {
  if (a == -INFINITY) return b;
  if (b == -INFINITY) return a;
  const double m = a > b ? a : b;
  return m + log1p(exp(-fabs(a - b)));
}

/* The label of extended position s of target l. */
static inline int ext_label(const int32_t *l, int s, int blank) { return s & 1 ? l[s >> 1] : blank; }

/* May alignment paths skip from s - 2 to s (both non-blank and different)? */
static inline int can_skip(const int32_t *l, int s) { return (s & 1) && s >= 3 && l[s >> 1] != l[(s >> 1) - 1]; }

/* lp[t][c] of one sequence: log-probabilities at a row stride of ld; with
 * from_logits the log_softmax of the logits row, into row (double[C]). */
static const double *log_probs_row(const float *x, size_t ld, int t, int C, int from_logits, double *row) {
  const float *xr = x + (size_t)t * ld;
  if (!from_logits) {
    for (int c = 0; c < C; c++) row[c] = xr[c];
    return row;
  }
  double m = -INFINITY, sum = 0.0;
  for (int c = 0; c < C; c++) m = xr[c] > m ? xr[c] : m;
  for (int c = 0; c < C; c++) sum += exp((double)xr[c] - m);
  const double lz = m + log(sum);
  for (int c = 0; c < C; c++) row[c] = (double)xr[c] - lz;
  return row;
}

static int check_args(int T, int B, int C, int S, const int32_t *targets, const int32_t *input_lengths,
                      const int32_t *target_lengths, int blank, int reduction) {
  if (T < 1 || B < 1 || C < 2 || S < 0) return rnn_fail(RNN_E_SHAPE, "ctc: need T >= 1, B >= 1, C >= 2 classes and S >= 0, got T %d, B %d, C %d, S %d", T, B, C, S);
  if (reduction < RNN_REDUCTION_NONE || reduction > RNN_REDUCTION_SUM) return rnn_fail(RNN_E_INVALID, "ctc: unknown reduction %d", reduction);
  if (blank < 0 || blank >= C) return rnn_fail(RNN_E_INVALID, "ctc: blank %d is not a class in [0, %d)", blank, C);
  for (int b = 0; b < B; b++) {
    const int Tb = input_lengths[b], L = target_lengths[b];
    if (Tb < 0 || Tb > T) return rnn_fail(RNN_E_SHAPE, "ctc: inputLengths[%d] = %d does not fit the input's %d steps", b, Tb, T);
    if (L < 0 || L > S) return rnn_fail(RNN_E_SHAPE, "ctc: targetLengths[%d] = %d does not fit the targets' %d labels", b, L, S);
    if (L > Tb) return rnn_fail(RNN_E_INVALID, "ctc: target %d has %d labels but its input only %d steps (each label needs a step)", b, L, Tb);
    for (int i = 0; i < L; i++) {
      const int32_t k = targets[(size_t)b * S + i];
      if (k < 0 || k >= C) return rnn_fail(RNN_E_INVALID, "ctc: targets[%d][%d] = %d is not a class in [0, %d)", b, i, (int)k, C);
      if (k == blank) return rnn_fail(RNN_E_INVALID, "ctc: targets[%d][%d] is the blank (%d), which may not be a target label", b, i, blank);
    }
  }
  return RNN_OK;
}

RNN_SMALL int rnn_ctc_loss(int T, int B, int C, const float *x, const int32_t *targets, int S,
                 const int32_t *input_lengths, const int32_t *target_lengths, int blank,
                 int reduction, int zero_infinity, int from_logits, int batch_first, double *loss,
                 float *elems, float *grad) {
  if (!x || !input_lengths || !target_lengths || (S > 0 && !targets))
    return rnn_fail(RNN_E_INVALID, "ctc: inputs must not be NULL");
  int st = check_args(T, B, C, S, targets, input_lengths, target_lengths, blank, reduction);
  if (st) return st;
  const int Smax = 2 * S + 1;
  /* alpha and beta [T][2S + 1], lp [T][C] of one sequence, the posterior row */
  const size_t n = (size_t)T * Smax * 2 + (size_t)T * C + (size_t)C;
  double *work = malloc(n * sizeof(double));
  if (!work) return rnn_fail(RNN_E_NOMEM, "ctc: cannot allocate %zu bytes of work space", n * sizeof(double));
  double *alpha = work, *beta = alpha + (size_t)T * Smax, *lp = beta + (size_t)T * Smax, *post = lp + (size_t)T * C;
  /* x[t][b] is at t * ld + b * bstride: [T][B][C], or [B][T][C] batch first */
  const size_t ld = batch_first ? (size_t)C : (size_t)B * C;
  const size_t bstride = batch_first ? (size_t)T * C : (size_t)C;
  double total = 0.0;

  for (int b = 0; b < B; b++) {
    const int Tb = input_lengths[b], L = target_lengths[b], Sb = 2 * L + 1;
    const int32_t *l = targets ? targets + (size_t)b * S : NULL;
    const float *xb = x + (size_t)b * bstride;
    for (int t = 0; t < Tb; t++) log_probs_row(xb, ld, t, C, from_logits, lp + (size_t)t * C);

    double nll = 0.0;
    if (Tb > 0) {
      /* forward */
      for (int s = 0; s < Sb; s++) alpha[s] = s < 2 ? lp[ext_label(l, s, blank)] : -INFINITY;
      for (int t = 1; t < Tb; t++) {
        const double *a0 = alpha + (size_t)(t - 1) * Smax, *lpt = lp + (size_t)t * C;
        double *a = alpha + (size_t)t * Smax;
        for (int s = 0; s < Sb; s++) {
          double v = a0[s];
          if (s >= 1) v = lse2(v, a0[s - 1]);
          if (can_skip(l, s)) v = lse2(v, a0[s - 2]);
          a[s] = v == -INFINITY ? v : v + lpt[ext_label(l, s, blank)];
        }
      }
      const double *aT = alpha + (size_t)(Tb - 1) * Smax;
      nll = -(L > 0 ? lse2(aT[Sb - 1], aT[Sb - 2]) : aT[0]);
    }
    const int impossible = isinf(nll);
    const double lb = impossible && zero_infinity ? 0.0 : nll;
    if (elems && reduction == RNN_REDUCTION_NONE) elems[b] = (float)lb;
    /* the reductions: mean divides each loss by its target length (at least 1), then by B */
    const double scale = reduction == RNN_REDUCTION_MEAN ? 1.0 / ((L > 0 ? L : 1) * (double)B) : 1.0;
    total += reduction == RNN_REDUCTION_MEAN ? lb / (L > 0 ? L : 1) : lb;
    if (!grad) continue;

    float *gb = grad + (size_t)b * bstride;
    for (int t = Tb; t < T; t++)
      for (int c = 0; c < C; c++) gb[(size_t)t * ld + c] = 0.0f;
    if (impossible) {
      /* PyTorch: 0 with zero_infinity, else what its formula gives (NaN) */
      for (int t = 0; t < Tb; t++)
        for (int c = 0; c < C; c++) gb[(size_t)t * ld + c] = zero_infinity ? 0.0f : NAN;
      continue;
    }
    /* backward */
    {
      double *bT = beta + (size_t)(Tb - 1) * Smax;
      const double *lpT = lp + (size_t)(Tb - 1) * C;
      for (int s = 0; s < Sb; s++) bT[s] = s >= Sb - 2 ? lpT[ext_label(l, s, blank)] : -INFINITY;
      for (int t = Tb - 2; t >= 0; t--) {
        const double *b1 = beta + (size_t)(t + 1) * Smax, *lpt = lp + (size_t)t * C;
        double *bt = beta + (size_t)t * Smax;
        for (int s = 0; s < Sb; s++) {
          double v = b1[s];
          if (s + 1 < Sb) v = lse2(v, b1[s + 1]);
          if (s + 2 < Sb && can_skip(l, s + 2)) v = lse2(v, b1[s + 2]);
          bt[s] = v == -INFINITY ? v : v + lpt[ext_label(l, s, blank)];
        }
      }
    }
    for (int t = 0; t < Tb; t++) {
      const double *a = alpha + (size_t)t * Smax, *bt = beta + (size_t)t * Smax, *lpt = lp + (size_t)t * C;
      for (int c = 0; c < C; c++) post[c] = -INFINITY;
      for (int s = 0; s < Sb; s++) {
        const int k = ext_label(l, s, blank);
        post[k] = lse2(post[k], a[s] + bt[s]);
      }
      for (int c = 0; c < C; c++) {
        const double g = exp(lpt[c]) - exp(post[c] + nll - lpt[c]);
        gb[(size_t)t * ld + c] = rnn_flush((float)(g * scale));
      }
    }
  }
  free(work);
  if (loss) *loss = reduction == RNN_REDUCTION_MEAN ? total / B : total;
  return RNN_OK;
}
