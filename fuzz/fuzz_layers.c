/* fuzz_layers.c - libFuzzer target for the layer and loss APIs: Linear
 * (sizes, rows, data with NaN / infinities), Embedding (ids in and out of
 * range, padding_idx anywhere), CausalConv1d (sizes and kernels in and out of
 * range, lengths in and out of range, a NULL or given context), the losses (MSE, BCE with logits and
 * pos_weight, cross entropy with ignore_index and label smoothing, every
 * reduction, invalid ones included), dropout masks, the Dropout object and
 * the generator.
 *
 * It checks that nothing crashes, leaks or hits undefined behaviour, that
 * statuses are the documented ones for the arguments, and a few invariants
 * (nothing written on failure, the padding row never gets gradient, the
 * NONE reduction's elements sum to the loss, finite results on ordinary
 * data; the conv's outputs are 0 past each length and never subnormal, its
 * next context is the last k - 1 inputs bit for bit, and on ordinary data
 * its outputs and gradients match a double-precision reference).
 *
 * Build: ./build.sh fuzz (build/fuzz_layers). Run: see fuzz/README.md. */
#include "fuzz_common.h"
#include "flush.h"

static const float SENTINEL = -7777.25f;

static void fuzz_linear(fz_input *in) {
  const int nice = fz_flag(in);
  const uint8_t shape = fz_u8(in);
  int I = fz_range(in, 1, 20), O = fz_range(in, 1, 20);
  int want = RNN_OK;
  if (shape % 16 == 0) I = -fz_range(in, 0, 3), want = RNN_E_INVALID;
  if (shape % 16 == 1) O = fz_u8(in) & 1 ? 0 : 0x7fffffff, want = RNN_E_INVALID;
  const int bias = (shape >> 4) & 1;
  rnn_linear *l = (rnn_linear *)&shape;
  int st = rnn_linear_create(I, O, bias, fz_u32(in), &l);
  FZ_SANE(st);
  FZ_CHECK(st == want, "linear %d x %d: %s", I, O, rnn_status_name(st));
  if (st != RNN_OK) {
    FZ_CHECK(l == NULL, "*out not NULL after a failure");
    return;
  }
  FZ_CHECK(rnn_params_count(rnn_linear_parameters(l)) == (size_t)I * O + (bias ? (size_t)O : 0), "num_params");
  FZ_CHECK(rnn_params_num_tensors(rnn_linear_parameters(l)) == 1 + bias, "num_tensors");
  FZ_CHECK(rnn_linear_backward(l, NULL, NULL) == RNN_E_STATE, "backward before forward");
  int params_init = 1;
  /* The forward a backward would run through. A forward refused for its
   * arguments (before the layer is touched) may leave an earlier pending
   * forward in place: then either answer is fine, sized for the earlier one. */
  int pending = 0, pend_rows = 0, maybe = 0;
  const int rounds = fz_range(in, 1, 3);
  for (int r = 0; r < rounds && in->n; r++) {
    const uint8_t k = fz_u8(in);
    if (k & 1) { /* write parameters (anything), then tell the layer */
      float *p = rnn_params_values(rnn_linear_parameters(l));
      p[fz_u32(in) % rnn_params_count(rnn_linear_parameters(l))] = fz_float(in, nice);
      rnn_params_changed(rnn_linear_parameters(l));
    }
    int rows = fz_range(in, 0, 9);
    const int bad_rows = (k & 6) == 6;
    if (bad_rows) rows = -fz_range(in, 1, 3);
    const size_t nr = bad_rows ? 1 : (size_t)rows;
    float *x = fz_floats(in, nr * I, nice), *y = fz_zeros(nr * O);
    st = rnn_linear_forward(l, rows, x, y);
    FZ_SANE(st);
    FZ_CHECK(st == (bad_rows ? RNN_E_SHAPE : RNN_OK), "linear forward rows %d: %s", rows,
             rnn_status_name(st));
    if (st == RNN_OK && nice && params_init)
      FZ_CHECK(fz_all_finite(y, nr * O), "non-finite linear output from ordinary data");
    if (st == RNN_OK) pending = 1, pend_rows = rows, maybe = 0;
    else if (pending) maybe = 1;
    if (k & 8) {
      const size_t br = pending ? (size_t)pend_rows : 0;
      float *dy = fz_floats(in, br * O, nice), *dx = k & 16 ? fz_zeros(br * I) : NULL;
      if (k & 32) rnn_params_zero_grad(rnn_linear_parameters(l));
      const int bs = rnn_linear_backward(l, br > 0 ? dy : NULL, dx);
      FZ_SANE(bs);
      if (maybe) FZ_CHECK(bs == RNN_OK || bs == RNN_E_STATE, "linear backward: %s", rnn_status_name(bs));
      else FZ_CHECK(bs == (pending ? RNN_OK : RNN_E_STATE), "linear backward after %s: %s",
                    rnn_status_name(st), rnn_status_name(bs));
      pending = 0, maybe = 0;
      if (bs == RNN_OK && nice && params_init && (k & 32))
        FZ_CHECK(fz_all_finite(rnn_params_grads(rnn_linear_parameters(l)), rnn_params_count(rnn_linear_parameters(l))), "non-finite linear grads");
      FZ_CHECK(rnn_linear_backward(l, dy, dx) == RNN_E_STATE, "second linear backward");
      free(dy), free(dx);
    }
    free(x), free(y);
  }
  rnn_linear_destroy(l);
}

static void fuzz_embedding(fz_input *in) {
  const int nice = fz_flag(in);
  const int num = fz_range(in, 1, 16), dim = fz_range(in, 1, 8);
  const int has_padding = fz_flag(in);
  const int padding_idx = (int8_t)fz_u8(in) % 24; /* in [-23, 23]: often out of range */
  const int pad_ok = !has_padding || (padding_idx >= -num && padding_idx < num);
  rnn_embedding *e = (rnn_embedding *)&num;
  int st = rnn_embedding_create(num, dim, has_padding, padding_idx, fz_u32(in), &e);
  FZ_SANE(st);
  FZ_CHECK(st == (pad_ok ? RNN_OK : RNN_E_INVALID), "embedding %d x %d padding %d/%d: %s", num, dim,
           has_padding, padding_idx, rnn_status_name(st));
  if (st != RNN_OK) {
    FZ_CHECK(e == NULL, "*out not NULL after a failure");
    return;
  }
  const int pad = rnn_embedding_padding_idx(e);
  FZ_CHECK(has_padding ? pad == (padding_idx < 0 ? padding_idx + num : padding_idx) : pad == -1,
           "padding_idx %d -> %d", padding_idx, pad);
  float *w = rnn_params_values(rnn_embedding_parameters(e));
  if (pad >= 0)
    for (int j = 0; j < dim; j++) FZ_CHECK(w[(size_t)pad * dim + j] == 0.0f, "padding row not zero at init");
  if (!nice) {
    w[fz_u32(in) % rnn_params_count(rnn_embedding_parameters(e))] = fz_float(in, 0);
    rnn_params_changed(rnn_embedding_parameters(e));
  }
  const int rounds = fz_range(in, 1, 3);
  for (int r = 0; r < rounds && in->n; r++) {
    const int n = fz_range(in, 0, 12);
    int32_t *ids = malloc((size_t)(n ? n : 1) * sizeof *ids);
    if (!ids) abort();
    int first_bad = -1;
    for (int i = 0; i < n; i++) {
      const uint8_t v = fz_u8(in);
      ids[i] = v < 200 ? v % num : v < 240 ? (int32_t)(v % 8) - 4 + (v & 1 ? num : 0)
                                           : (v & 1 ? INT32_MAX : INT32_MIN);
      if ((ids[i] < 0 || ids[i] >= num) && first_bad < 0) first_bad = i;
    }
    float *y = fz_zeros((size_t)(n ? n : 1) * dim);
    for (size_t i = 0; i < (size_t)(n ? n : 1) * dim; i++) y[i] = SENTINEL;
    st = rnn_embedding_forward(e, n, ids, y);
    FZ_SANE(st);
    if (first_bad >= 0) {
      FZ_CHECK(st == RNN_E_INVALID, "id %d at %d accepted", ids[first_bad], first_bad);
      char where[32];
      snprintf(where, sizeof where, "position %d", first_bad);
      FZ_CHECK(strstr(rnn_last_error(), where) != NULL, "message does not name %s", where);
      for (size_t i = 0; i < (size_t)n * dim; i++) FZ_CHECK(y[i] == SENTINEL, "written before the check");
    } else {
      FZ_CHECK(st == RNN_OK, "embedding forward: %s", rnn_status_name(st));
      for (int i = 0; i < n; i++)
        FZ_CHECK(memcmp(y + (size_t)i * dim, w + (size_t)ids[i] * dim, (size_t)dim * sizeof(float)) == 0,
                 "row %d not gathered", i);
    }
    float *dy = fz_floats(in, (size_t)(n ? n : 1) * dim, nice);
    rnn_params_zero_grad(rnn_embedding_parameters(e));
    const int bs = rnn_embedding_backward(e, dy);
    FZ_SANE(bs);
    FZ_CHECK(bs == (st == RNN_OK ? RNN_OK : RNN_E_STATE), "embedding backward: %s", rnn_status_name(bs));
    if (pad >= 0) {
      const float *g = rnn_params_grads(rnn_embedding_parameters(e));
      for (int j = 0; j < dim; j++) FZ_CHECK(g[(size_t)pad * dim + j] == 0.0f, "padding row got gradient");
    }
    FZ_CHECK(rnn_embedding_backward(e, dy) == RNN_E_STATE, "second embedding backward");
    if (n > 0) FZ_CHECK(rnn_embedding_forward(e, n, NULL, y) == RNN_E_INVALID, "ids NULL");
    FZ_CHECK(rnn_embedding_forward(e, -n - 1, ids, y) == RNN_E_SHAPE, "negative n");
    free(ids), free(y), free(dy);
  }
  rnn_embedding_destroy(e);
}

/* |got - want| within float rounding of a sum whose terms have magnitudes summing to mag. */
static int near(float got, double want, double mag) { return fabs((double)got - want) <= 1e-5 * (1.0 + mag); }

/* CausalConv1d: create (channels / kernel in and out of range), then rounds of
 * forward (B, T, lengths, context any of valid, invalid or NULL) and backward. */
static void fuzz_causalconv(fz_input *in) {
  const int nice = fz_flag(in);
  const uint8_t shape = fz_u8(in);
  int C = fz_range(in, 1, 9), K = fz_range(in, 1, 6), want = RNN_OK;
  if (shape % 16 == 0) C = -fz_range(in, 0, 3), want = RNN_E_INVALID;
  if (shape % 16 == 1) K = fz_u8(in) & 1 ? 0 : 257, want = RNN_E_INVALID;
  if (shape % 16 == 2) C = (1 << 20) + 1, want = RNN_E_INVALID;
  const int bias = (shape >> 4) & 1, P = K - 1;
  rnn_causalconv *l = (rnn_causalconv *)&shape;
  int st = rnn_causalconv_create(C, K, bias, fz_u32(in), &l);
  FZ_SANE(st);
  FZ_CHECK(st == want, "causalconv C %d k %d: %s", C, K, rnn_status_name(st));
  if (st != RNN_OK) {
    FZ_CHECK(l == NULL, "*out not NULL after a failure");
    return;
  }
  FZ_CHECK(rnn_causalconv_create(C, K, bias, 0, NULL) == RNN_E_INVALID, "out NULL");
  rnn_params *prm = rnn_causalconv_parameters(l);
  const size_t np = (size_t)C * K + (bias ? (size_t)C : 0);
  FZ_CHECK(rnn_params_count(prm) == np && rnn_params_num_tensors(prm) == 1 + bias, "parameters");
  FZ_CHECK(rnn_causalconv_backward(l, NULL, NULL) == RNN_E_STATE, "backward before forward");
  FZ_CHECK(rnn_causalconv_forward(NULL, 1, 1, NULL, NULL, NULL, NULL, NULL) == RNN_E_INVALID, "layer NULL");
  float *w = rnn_params_values(prm);
  int pending = 0, maybe = 0, pB = 0, pT = 0;
  const int rounds = fz_range(in, 1, 3);
  for (int r = 0; r < rounds && in->n; r++) {
    const uint8_t k = fz_u8(in);
    if (k & 1) { /* any value in a parameter */
      w[fz_u32(in) % np] = fz_float(in, nice);
      rnn_params_changed(prm);
    }
    int B = fz_range(in, 0, 3), T = fz_range(in, 0, 7);
    const int bad = (k >> 1) & 3; /* 3: a bad size or a NULL x */
    const uint8_t bad_kind = bad == 3 ? fz_u8(in) % 3 : 0;
    if (bad == 3 && bad_kind == 0) B = -fz_range(in, 1, 3);
    if (bad == 3 && bad_kind == 1) T = -fz_range(in, 1, 3);
    if (bad == 3 && bad_kind == 2 && B * T == 0) B = 1, T = 1; /* x NULL matters only with data */
    const size_t nb = B > 0 ? (size_t)B : 0, nt = T > 0 ? (size_t)T : 0, n = nb * nt * C, S = (size_t)P + nt;
    float *x = fz_floats(in, n, nice), *y = fz_zeros(n);
    /* lengths: none, valid, or with entries out of [1, T] */
    const int lmode = (k >> 3) & 3;
    int32_t *len = NULL;
    int len_bad = 0;
    if (lmode) {
      len = malloc((nb ? nb : 1) * sizeof *len);
      if (!len) abort();
      for (size_t b = 0; b < nb; b++) {
        const uint8_t v = fz_u8(in);
        len[b] = lmode < 3 || v < 128 ? (T > 0 ? 1 + v % T : 1) : v % 4 == 0 ? 0 : v % 4 == 1 ? T + 1 : v % 4 == 2 ? -1 : INT32_MAX;
        if (len[b] < 1 || len[b] > T) len_bad = 1;
      }
    }
    float *ctx = k & 32 ? fz_floats(in, nb * P * C, nice) : NULL;
    float *cout = k & 64 ? fz_zeros(nb * P * C) : NULL;
    for (size_t i = 0; i < n; i++) y[i] = SENTINEL;
    for (size_t i = 0; cout && i < nb * P * C; i++) cout[i] = SENTINEL;
    const int args_bad = bad == 3;
    st = rnn_causalconv_forward(l, B, T, bad_kind == 2 && bad == 3 ? NULL : x, len, ctx, y, cout);
    FZ_SANE(st);
    FZ_CHECK(st == (args_bad || len_bad ? RNN_E_INVALID : RNN_OK), "causalconv forward B %d T %d lengths %d: %s", B, T,
             lmode, rnn_status_name(st));
    if (st != RNN_OK) {
      for (size_t i = 0; i < n; i++) FZ_CHECK(y[i] == SENTINEL, "y written on failure");
      for (size_t i = 0; cout && i < nb * P * C; i++) FZ_CHECK(cout[i] == SENTINEL, "context written on failure");
      if (len_bad && !args_bad) pending = 0, maybe = 0; /* a refused length clears the pending forward */
      else if (pending) maybe = 1;
    } else {
      pending = 1, maybe = 0, pB = B, pT = T;
    }
    /* [context or zeros; x] per sequence, the reference's input */
    float *xp = fz_zeros(nb * S * C);
    for (size_t b = 0; b < nb; b++) {
      if (ctx) memcpy(xp + b * S * C, ctx + b * P * C, (size_t)P * C * sizeof(float));
      memcpy(xp + (b * S + P) * C, x + b * nt * C, nt * C * sizeof(float));
    }
    int finite = fz_all_finite(xp, nb * S * C) && fz_all_finite(w, np);
    if (st == RNN_OK) {
      for (size_t b = 0; b < nb; b++) {
        const size_t L = len ? (size_t)len[b] : nt;
        for (size_t t = 0; t < nt; t++)
          for (int c = 0; c < C; c++) {
            const float v = y[(b * nt + t) * C + c];
            if (t >= L) {
              FZ_CHECK(v == 0.0f && !signbit(v), "y[%zu, %zu, %d] = %g past length %zu", b, t, c, (double)v, L);
              continue;
            }
            FZ_CHECK(v == 0.0f || !(fabsf(v) < FLT_MIN), "subnormal y %g", (double)v);
            if (!finite) continue;
            double ref = bias ? w[(size_t)C * K + c] : 0.0, mag = fabs(ref);
            for (int m = 0; m < K; m++) {
              const double term = (double)w[(size_t)c * K + m] * xp[(b * S + t + m) * C + c];
              ref += term, mag += fabs(term);
            }
            if (mag < 1e30) FZ_CHECK(near(v, ref, mag), "y[%zu, %zu, %d] = %g, reference %g", b, t, c, (double)v, ref);
          }
        if (cout) /* the next context: rows L .. L + P - 1 of [context; x], bit for bit */
          FZ_CHECK(memcmp(cout + b * P * C, xp + (b * S + L) * C, (size_t)P * C * sizeof(float)) == 0, "next context of %zu", b);
      }
    }
    if (k & 128) {
      const size_t bn = pending ? (size_t)pB * pT * C : 0;
      float *dy = fz_floats(in, bn, nice), *dx = fz_flag(in) ? fz_zeros(bn) : NULL;
      rnn_params_zero_grad(prm);
      const int dy_null = bn > 0 && fz_u8(in) % 8 == 0;
      const int bs = rnn_causalconv_backward(l, dy_null ? NULL : dy, dx);
      FZ_SANE(bs);
      if (maybe) FZ_CHECK(bs == RNN_OK || bs == RNN_E_STATE || bs == RNN_E_INVALID, "backward: %s", rnn_status_name(bs));
      else FZ_CHECK(bs == (!pending ? RNN_E_STATE : dy_null ? RNN_E_INVALID : RNN_OK), "backward: %s", rnn_status_name(bs));
      if (bs == RNN_OK && !maybe && st == RNN_OK && finite && fz_all_finite(dy, bn)) {
        /* dx[t] = sum_m w[m] dy[t + P - m] over steps before the length; dW, dbias summed over those steps */
        const float *g = rnn_params_grads(prm);
        for (int c = 0; c < C; c++) {
          for (int m = 0; m <= K; m++) {
            if (m == K && !bias) break;
            double ref = 0.0, mag = 0.0;
            for (size_t b = 0; b < nb; b++)
              for (size_t t = 0; t < (len ? (size_t)len[b] : nt); t++) {
                const double term = dy[(b * nt + t) * C + c] * (m == K ? 1.0 : (double)xp[(b * S + t + m) * C + c]);
                ref += term, mag += fabs(term);
              }
            if (mag < 1e30) FZ_CHECK(near(g[m == K ? (size_t)C * K + c : (size_t)c * K + m], ref, mag), "grad c %d m %d", c, m);
          }
          for (size_t b = 0; dx && b < nb; b++)
            for (size_t t = 0; t < nt; t++) {
              double ref = 0.0, mag = 0.0;
              for (int m = 0; m < K; m++) {
                const size_t u = t + P - m;
                if (u < (len ? (size_t)len[b] : nt)) {
                  const double term = (double)w[(size_t)c * K + m] * dy[(b * nt + u) * C + c];
                  ref += term, mag += fabs(term);
                }
              }
              if (mag < 1e30) FZ_CHECK(near(dx[(b * nt + t) * C + c], ref, mag), "dx[%zu, %zu, %d]", b, t, c);
            }
        }
      }
      if (bs != RNN_E_INVALID) pending = 0, maybe = 0;
      FZ_CHECK(rnn_causalconv_backward(l, dy, dx) == (bs == RNN_E_INVALID ? RNN_OK : RNN_E_STATE) || maybe, "second backward");
      pending = 0, maybe = 0;
      free(dy), free(dx);
    }
    free(x), free(y), free(len), free(ctx), free(cout), free(xp);
  }
  rnn_causalconv_destroy(l);
}

/* loss, elems and grad of one call; elems sum to the loss for NONE. */
static void check_loss_result(int st, int reduction, double loss, const float *elems, size_t ne,
                              const float *grad, size_t ng, int nice) {
  if (st != RNN_OK) return;
  if (reduction == RNN_REDUCTION_NONE && nice) {
    double s = 0.0;
    for (size_t i = 0; i < ne; i++) s += elems[i];
    FZ_CHECK(fabs(s - loss) <= 1e-5 * (1.0 + fabs(loss)), "elements sum to %g, loss %g", s, loss);
  }
  if (nice) {
    FZ_CHECK(isfinite(loss) || reduction == RNN_REDUCTION_MEAN, "non-finite loss %g", loss);
    FZ_CHECK(fz_all_finite(grad, ng) || reduction == RNN_REDUCTION_MEAN, "non-finite loss gradient");
  }
}

static void fuzz_losses(fz_input *in) {
  const int nice = fz_flag(in);
  const int reduction = fz_range(in, -1, 3);
  const int red_ok = reduction >= RNN_REDUCTION_NONE && reduction <= RNN_REDUCTION_SUM;
  const uint8_t which = fz_u8(in) % 3;
  double loss = 12345.0;
  if (which == 0 || which == 1) {
    const size_t n = (size_t)fz_range(in, 0, 24);
    float *x = fz_floats(in, n, nice), *t = fz_floats(in, n, nice);
    float *elems = fz_zeros(n), *grad = fz_zeros(n);
    int st, want = red_ok ? RNN_OK : RNN_E_INVALID;
    if (which == 0) {
      st = rnn_mse_loss(n, x, t, reduction, &loss, elems, grad);
    } else {
      const uint8_t pm = fz_u8(in);
      const size_t pw_len = pm & 1 ? (size_t)fz_range(in, 0, 6) : 0;
      float *pw = pm & 1 ? fz_floats(in, pw_len, nice) : NULL;
      if (pw && red_ok && (pw_len == 0 || n % pw_len != 0)) want = RNN_E_SHAPE;
      /* BCE targets are probabilities: keep them in [0, 1] on ordinary data */
      if (nice)
        for (size_t i = 0; i < n; i++) t[i] = fabsf(t[i]) / 4.0f;
      if (nice && pw)
        for (size_t i = 0; i < pw_len; i++) pw[i] = fabsf(pw[i]);
      st = rnn_bce_with_logits_loss(n, x, t, pw, pw_len, reduction, &loss, elems, grad);
      free(pw);
    }
    FZ_SANE(st);
    FZ_CHECK(st == want, "loss %d over %zu: %s, want %s", which, n, rnn_status_name(st), rnn_status_name(want));
    check_loss_result(st, reduction, loss, elems, n, grad, n, nice);
    if (st == RNN_OK && reduction == RNN_REDUCTION_MEAN && n == 0) FZ_CHECK(isnan(loss), "empty mean %g", loss);
    free(x), free(t), free(elems), free(grad);
    return;
  }
  /* cross entropy */
  const uint8_t shape = fz_u8(in);
  int N = fz_range(in, 0, 4), C = fz_range(in, 1, 6), S = fz_range(in, 1, 3);
  int shape_bad = 0;
  if (shape % 16 == 0) C = fz_range(in, -2, 0), shape_bad = 1;
  if (shape % 16 == 1) S = 0, shape_bad = 1;
  if (shape % 16 == 2) N = -1, shape_bad = 1;
  static const double smooths[] = {0.0, 0.1, 0.5, 1.0, -0.1, 1.5, NAN, INFINITY};
  const double eps = smooths[fz_u8(in) % 8];
  const int eps_ok = eps >= 0.0 && eps <= 1.0;
  const uint8_t ig = fz_u8(in);
  const int ignore = ig % 4 == 0 ? -100 : ig % 4 == 1 ? (C > 0 ? ig % C : 0) : ig % 4 == 2 ? -1 : INT32_MIN;
  const size_t rows = shape_bad ? 1 : (size_t)N * S, nl = shape_bad ? 1 : (size_t)N * C * S;
  float *z = fz_floats(in, nl, nice), *elems = fz_zeros(rows), *grad = fz_zeros(nl);
  int32_t *tg = malloc(rows * sizeof *tg + 1);
  if (!tg) abort();
  int first_bad = -1;
  size_t counted = 0;
  for (size_t r = 0; r < rows; r++) {
    const uint8_t v = fz_u8(in);
    tg[r] = v < 180 ? (int32_t)(v % (C > 0 ? C : 1)) : v < 220 ? ignore : (int32_t)(v % 8) - 3 + (v & 1 ? C : 0);
    if (tg[r] == ignore) continue;
    if ((tg[r] < 0 || tg[r] >= C) && first_bad < 0) first_bad = (int)r;
    counted++;
  }
  for (size_t i = 0; i < rows; i++) elems[i] = SENTINEL;
  const int st = rnn_cross_entropy_loss(N, C, S, z, tg, ignore, eps, reduction, &loss, elems, grad);
  FZ_SANE(st);
  int want = RNN_OK;
  if (!red_ok) want = RNN_E_INVALID;
  else if (shape_bad) want = RNN_E_SHAPE;
  else if (!eps_ok || first_bad >= 0) want = RNN_E_INVALID;
  FZ_CHECK(st == want, "cross entropy N %d C %d S %d eps %g: %s, want %s", N, C, S, eps, rnn_status_name(st),
           rnn_status_name(want));
  if (st != RNN_OK)
    for (size_t i = 0; i < rows; i++) FZ_CHECK(elems[i] == SENTINEL, "elements written on failure");
  check_loss_result(st, reduction, loss, elems, rows, grad, nl, nice);
  if (st == RNN_OK && reduction == RNN_REDUCTION_MEAN && counted == 0) FZ_CHECK(isnan(loss), "mean of none");
  if (st == RNN_OK && nice && counted > 0) FZ_CHECK(isfinite(loss), "non-finite cross entropy %g", loss);
  free(z), free(elems), free(grad), free(tg);
}

static void fuzz_dropout_rng(fz_input *in) {
  rnn_rng g;
  rnn_rng_seed(&g, fz_u64(in));
  const float p = fz_u8(in) & 1 ? fz_bits_float(fz_u32(in)) : (float)fz_u8(in) / 255.0f;
  const size_t n = (size_t)fz_range(in, 0, 64);
  float *mask = fz_zeros(n);
  rnn_dropout_mask(&g, p, n, mask);
  const double pp = p > 0.0f ? p : 0.0;
  const float scale = pp >= 1.0 ? 0.0f : (float)(1.0 / (1.0 - pp));
  for (size_t i = 0; i < n; i++) FZ_CHECK(mask[i] == 0.0f || mask[i] == scale, "mask value %g", (double)mask[i]);
  free(mask);
  float lo = fz_float(in, 1), hi = lo + fabsf(fz_float(in, 1)) + 0.5f;
  for (int i = 0; i < 8; i++) {
    const float u = rnn_rng_uniform(&g, lo, hi);
    FZ_CHECK(u >= lo && u <= hi, "uniform %g outside [%g, %g)", (double)u, (double)lo, (double)hi);
  }
  /* The Dropout object at the same p: refused outside [0, 1); else its
   * forward is x times the mask a generator of its seed draws, and its
   * backward dy times that mask (or the identity in eval mode), subnormal
   * results flushed to zero (flush.h). */
  const uint32_t seed = fz_u32(in);
  rnn_dropout *d = (rnn_dropout *)&g;
  const int st = rnn_dropout_create(p, seed, &d);
  FZ_SANE(st);
  FZ_CHECK(st == (p >= 0.0f && p < 1.0f ? RNN_OK : RNN_E_INVALID), "Dropout p = %g: %s", (double)p,
           rnn_status_name(st));
  if (st != RNN_OK) {
    FZ_CHECK(d == NULL, "*out not NULL after a failure");
    return;
  }
  const int training = fz_flag(in);
  float *x = fz_floats(in, n, 0), *y = fz_zeros(n), *want = fz_zeros(n);
  rnn_rng_seed(&g, seed);
  rnn_dropout_mask(&g, p, n, want);
  FZ_CHECK(rnn_dropout_backward(d, x, y) == RNN_E_STATE, "Dropout backward before forward");
  FZ_CHECK(rnn_dropout_forward(d, training, n, x, y) == RNN_OK, "Dropout forward");
  for (size_t i = 0; i < n; i++) {
    const float w = rnn_flush(training ? x[i] * want[i] : x[i]);
    FZ_CHECK(memcmp(&y[i], &w, sizeof w) == 0, "Dropout forward [%zu]", i);
  }
  FZ_CHECK(rnn_dropout_backward(d, x, x) == RNN_OK, "Dropout backward in place");
  free(x), free(y), free(want);
  rnn_dropout_destroy(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_input in = {data, size};
  switch (fz_u8(&in) % 5) {
  case 0: fuzz_linear(&in); break;
  case 1: fuzz_embedding(&in); break;
  case 2: fuzz_losses(&in); break;
  case 3: fuzz_dropout_rng(&in); break;
  default: fuzz_causalconv(&in); break;
  }
  return 0;
}
