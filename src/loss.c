/* loss.c - MSE, BCE-with-logits and cross-entropy with PyTorch's semantics
 * (reductions, ignore_index, label smoothing, pos_weight). Inputs are
 * float32; every per-element value is computed in double with libm (exp,
 * log1p, a max-shifted log-sum-exp) and the reductions sum in double, so the
 * results are within a few float32 ulps of PyTorch's float64 answer and the
 * same in every build. Gradients are rounded to float32 once, at the end,
 * and flushed (flush.h). */
#include "rnn_internal.h"

#include <stdint.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

static int check_reduction(int reduction) {
  if (reduction < RNN_REDUCTION_NONE || reduction > RNN_REDUCTION_SUM)
    return rnn_fail(RNN_E_INVALID, "unknown reduction %d", reduction);
  return RNN_OK;
}

/* Mean over count elements; NaN for an empty mean, as PyTorch. */
static double reduce(int reduction, double sum, double count) {
  return reduction == RNN_REDUCTION_MEAN ? sum / count : sum;
}

int rnn_mse_loss(size_t n, const float *input, const float *target, int reduction,
                 double *loss, float *elems, float *grad) {
  int st = check_reduction(reduction);
  if (st) return st;
  if (n > 0 && (!input || !target)) return rnn_fail(RNN_E_INVALID, "input and target must not be NULL");
  /* d/dx (x - y)^2 = 2 (x - y), divided by n for the mean */
  const double gs = reduction == RNN_REDUCTION_MEAN ? 2.0 / (double)n : 2.0;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double d = (double)input[i] - (double)target[i];
    const double l = d * d;
    sum += l;
    if (elems && reduction == RNN_REDUCTION_NONE) elems[i] = rnn_flush((float)l);
    if (grad) grad[i] = rnn_flush((float)(gs * d));
  }
  if (loss) *loss = reduce(reduction, sum, (double)n);
  return RNN_OK;
}

/* log(1 + e^x) without overflow or loss of small values. */
static double softplus(double x) {
  return x > 0.0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  const double e = exp(x);
  return e / (1.0 + e);
}

int rnn_bce_with_logits_loss(size_t n, const float *input, const float *target,
                             const float *pos_weight, size_t pw_len, int reduction,
                             double *loss, float *elems, float *grad) {
  int st = check_reduction(reduction);
  if (st) return st;
  if (n > 0 && (!input || !target)) return rnn_fail(RNN_E_INVALID, "input and target must not be NULL");
  if (pos_weight && (pw_len == 0 || n % pw_len != 0))
    return rnn_fail(RNN_E_SHAPE, "posWeight has %zu values, which does not divide %zu elements",
                    pw_len, n);
  const double gs = reduction == RNN_REDUCTION_MEAN ? 1.0 / (double)n : 1.0;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double x = input[i], y = target[i];
    double l, g;
    if (pos_weight) {
      /* PyTorch: (1 - y) x + (1 + (pw - 1) y) softplus(-x); posWeight
       * broadcasts along the last dimension. */
      const double pw = pos_weight[i % pw_len];
      const double lw = 1.0 + (pw - 1.0) * y;
      l = (1.0 - y) * x + lw * softplus(-x);
      g = lw * sigmoid(x) - pw * y;
    } else {
      /* max(x, 0) - x y + log(1 + e^-|x|): stable for any |x| */
      l = (x > 0.0 ? x : 0.0) - x * y + log1p(exp(-fabs(x)));
      g = sigmoid(x) - y;
    }
    sum += l;
    if (elems && reduction == RNN_REDUCTION_NONE) elems[i] = rnn_flush((float)l);
    if (grad) grad[i] = rnn_flush((float)(gs * g));
  }
  if (loss) *loss = reduce(reduction, sum, (double)n);
  return RNN_OK;
}

int rnn_cross_entropy_loss(int N, int C, int S, const float *logits,
                           const int32_t *target, int ignore_index,
                           double label_smoothing, int reduction, double *loss,
                           float *elems, float *grad) {
  int st = check_reduction(reduction);
  if (st) return st;
  if (N < 0 || C < 1 || S < 1)
    return rnn_fail(RNN_E_SHAPE, "cross entropy needs N >= 0, C >= 1, S >= 1, got %d, %d, %d",
                    N, C, S);
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    return rnn_fail(RNN_E_INVALID, "labelSmoothing must be in [0, 1], got %g", label_smoothing);
  const size_t rows = (size_t)N * (size_t)S;
  if (rows > 0 && (!logits || !target))
    return rnn_fail(RNN_E_INVALID, "logits and target must not be NULL");
  /* Every target is checked before anything is written. */
  size_t count = 0;
  for (size_t r = 0; r < rows; r++) {
    const int32_t t = target[r];
    if (t == ignore_index) continue;
    if (t < 0 || t >= C)
      return rnn_fail(RNN_E_INVALID, "target %d at position %zu is out of range [0, %d)",
                      (int)t, r, C);
    count++;
  }
  /* PyTorch: loss = (1 - eps) nll + (eps / C) sum_c -log p_c per target,
   * ignored targets contribute 0, and the mean divides by the number of
   * targets that are not ignored (0/0 = NaN when all are). */
  const double eps = label_smoothing, eps_c = eps / C;
  const double gs = reduction == RNN_REDUCTION_MEAN ? 1.0 / (double)count : 1.0;
  double sum = 0.0;
  for (int b = 0; b < N; b++) {
    for (int s = 0; s < S; s++) {
      const size_t r = (size_t)b * S + s;
      const float *z = logits + (size_t)b * C * S + s; /* z[c * S] */
      float *gz = grad ? grad + (size_t)b * C * S + s : NULL;
      const int32_t t = target[r];
      if (t == ignore_index) {
        if (elems && reduction == RNN_REDUCTION_NONE) elems[r] = 0.0f;
        if (gz)
          for (int c = 0; c < C; c++) gz[(size_t)c * S] = 0.0f;
        continue;
      }
      double mx = z[0], zsum = 0.0;
      for (int c = 1; c < C; c++)
        if (z[(size_t)c * S] > mx) mx = z[(size_t)c * S];
      double se = 0.0;
      for (int c = 0; c < C; c++) {
        se += exp((double)z[(size_t)c * S] - mx);
        zsum += z[(size_t)c * S];
      }
      const double lse = mx + log(se);
      const double nll = lse - (double)z[(size_t)t * S];
      const double smooth = (double)C * lse - zsum; /* sum_c -log p_c */
      const double l = eps > 0.0 ? (1.0 - eps) * nll + eps_c * smooth : nll;
      sum += l;
      if (elems && reduction == RNN_REDUCTION_NONE) elems[r] = rnn_flush((float)l);
      if (gz)
        /* d l / d z_c = p_c - (1 - eps) [c == t] - eps / C */
        for (int c = 0; c < C; c++) {
          const double p = exp((double)z[(size_t)c * S] - lse);
          const double g = p - (c == t ? 1.0 - eps : 0.0) - eps_c;
          gz[(size_t)c * S] = rnn_flush((float)(gs * g));
        }
    }
  }
  if (loss) *loss = reduce(reduction, sum, (double)count);
  return RNN_OK;
}

RNN_SMALL_FILE_END
