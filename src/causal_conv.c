/* causal_conv.c - a depthwise causal convolution over time: nn.Conv1d with
 * groups = channels, k - 1 zeros of left padding and the output cut to the
 * input's length, on batch-first [B, T, C] rows:
 *   y[b, t, c] = bias[c] + sum_m weight[c, 0, m] * x[b, t - (k - 1) + m, c].
 * It is the local mixing Mamba puts before its scan, and what lets a min
 * cell, whose gates read x_t only, see the last few inputs. The k - 1 inputs
 * before t = 0 come from a carried context (zeros without one), and each
 * sequence's last k - 1 inputs (up to its length) are the next context, so
 * chunks (TBPTT, or one step at a time) see what one long sequence would.
 * Steps at or past a sequence's length give 0, as packed recurrent layers do.
 * Vectorised over channels, with the taps transposed to [k][C] per call. */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define MAX_CHANNELS 1048576
#define MAX_KERNEL 256

struct rnn_causalconv {
  int C, K, bias;
  rnn_params params; /* weight [C][1][K], then bias [C] */
  float *taps;       /* [K][C]: the weight transposed, then [K][C] of gradient sums, then [C] bias sums */
  float *xp;         /* the last forward's inputs after their context: [B][K - 1 + T][C] */
  size_t cap;
  int32_t *len;      /* [B] the last forward's lengths */
  size_t len_cap;
  int B, T, have_forward;
};

RNN_SMALL_FILE_BEGIN

int rnn_causalconv_create(int channels, int kernel, int bias, uint32_t seed, rnn_causalconv **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (channels < 1 || channels > MAX_CHANNELS || kernel < 1 || kernel > MAX_KERNEL)
    return rnn_fail(RNN_E_INVALID, "CausalConv1d needs channels in [1, %d] and kernelSize in [1, %d], got %d, %d",
                    MAX_CHANNELS, MAX_KERNEL, channels, kernel);
  rnn_causalconv *l = calloc(1, sizeof *l);
  int st = l ? rnn_params_init(&l->params, 2) : RNN_E_NOMEM;
  if (!st) {
    l->C = channels, l->K = kernel, l->bias = bias ? 1 : 0;
    rnn_params_add(&l->params, "weight", channels, kernel, 3); /* [C, 1, K] as PyTorch's depthwise weight */
    if (bias) rnn_params_add(&l->params, "bias", channels, 1, 1);
    st = rnn_params_alloc(&l->params);
    l->taps = malloc(((size_t)2 * kernel + 1) * channels * sizeof(float));
  }
  if (st || !l->taps) {
    rnn_causalconv_destroy(l);
    return rnn_fail(RNN_E_NOMEM, "out of memory for a CausalConv1d of %d channels", channels);
  }
  /* PyTorch's reset_parameters: the fan-in of a depthwise tap row is k, so weight
   * and bias are U(-1/sqrt(k), 1/sqrt(k)), weight first. */
  rnn_rng g;
  rnn_rng_seed(&g, seed);
  const float b = 1.0f / sqrtf((float)kernel);
  for (size_t i = 0; i < l->params.count; i++) l->params.values[i] = rnn_rng_uniform(&g, -b, b);
  *out = l;
  return RNN_OK;
}

void rnn_causalconv_destroy(rnn_causalconv *l) {
  if (!l) return;
  rnn_params_free(&l->params);
  free(l->taps);
  free(l->xp);
  free(l->len);
  free(l);
}

rnn_params *rnn_causalconv_parameters(rnn_causalconv *l) { return &l->params; }

/* acc[0..C) += w[0..C) * x[0..C) */
static __attribute__((noinline)) void madd_row(float *acc, const float *w, const float *x, int C) {
  int c = 0;
#ifdef __wasm_simd128__
  for (; c + 4 <= C; c += 4)
    wasm_v128_store(acc + c, wasm_f32x4_add(wasm_v128_load(acc + c),
                                            wasm_f32x4_mul(wasm_v128_load(w + c), wasm_v128_load(x + c))));
#endif
  for (; c < C; c++) acc[c] += w[c] * x[c];
}

static void flush_row(float *y, int C) {
  for (int c = 0; c < C; c++) y[c] = rnn_flush(y[c]);
}

int rnn_causalconv_forward(rnn_causalconv *l, int B, int T, const float *x, const int32_t *lengths,
                           const float *context, float *y, float *context_out) {
  if (!l || B < 0 || T < 0 || (B * T > 0 && (!x || !y)))
    return rnn_fail(RNN_E_INVALID, "CausalConv1d: bad arguments");
  l->have_forward = 0;
  const int C = l->C, K = l->K, P = K - 1, S = P + T; /* S rows of context + input per sequence */
  for (int b = 0; b < B && lengths; b++)
    if (lengths[b] < 1 || lengths[b] > T)
      return rnn_fail(RNN_E_INVALID, "CausalConv1d: lengths[%d] = %d is out of [1, %d]", b, lengths[b], T);
  float *xp = rnn_input_cache(l->xp, &l->cap, (uint64_t)B * (uint64_t)S * (uint64_t)C, sizeof(float));
  if (!xp) return RNN_E_NOMEM;
  l->xp = xp;
  int32_t *len = rnn_input_cache(l->len, &l->len_cap, (uint64_t)B + 1, sizeof(int32_t));
  if (!len) return RNN_E_NOMEM;
  l->len = len;
  const float *w = l->params.values;
  float *wt = l->taps;
  for (int c = 0; c < C; c++)
    for (int m = 0; m < K; m++) wt[(size_t)m * C + c] = w[(size_t)c * K + m];
  for (int b = 0; b < B; b++) {
    float *xb = xp + (size_t)b * S * C;
    if (context) memcpy(xb, context + (size_t)b * P * C, (size_t)P * C * sizeof(float));
    else memset(xb, 0, (size_t)P * C * sizeof(float));
    memcpy(xb + (size_t)P * C, x + (size_t)b * T * C, (size_t)T * C * sizeof(float));
    const int L = lengths ? lengths[b] : T;
    len[b] = L;
    for (int t = 0; t < T; t++) {
      float *yr = y + ((size_t)b * T + t) * C;
      if (t >= L) {
        memset(yr, 0, (size_t)C * sizeof(float));
        continue;
      }
      if (l->bias) memcpy(yr, w + (size_t)C * K, (size_t)C * sizeof(float));
      else memset(yr, 0, (size_t)C * sizeof(float));
      for (int m = 0; m < K; m++) madd_row(yr, wt + (size_t)m * C, xb + (size_t)(t + m) * C, C);
      flush_row(yr, C);
    }
    /* the next context: the K - 1 rows before row L of x, i.e. rows L .. L + K - 2 of xb */
    if (context_out) memcpy(context_out + (size_t)b * P * C, xb + (size_t)L * C, (size_t)P * C * sizeof(float));
  }
  l->B = B, l->T = T;
  l->have_forward = 1;
  return RNN_OK;
}

/* dx[t'] = sum_m w[m] dy[t' + K - 1 - m]; dw[m] += sum_t dy[t] x[t - (K - 1) + m]; dbias += sum_t dy[t]
 * (steps t < the length only). No gradient flows into the context (it is carried without one, as a
 * recurrent layer's state is). dx may be NULL. */
int rnn_causalconv_backward(rnn_causalconv *l, const float *dy, float *dx) {
  const int st = rnn_backward_ready(l, "CausalConv1d", l && l->have_forward);
  if (st) return st;
  if (l->B * l->T > 0 && !dy) return rnn_fail(RNN_E_INVALID, "dy must not be NULL");
  l->have_forward = 0;
  const int C = l->C, K = l->K, P = K - 1, T = l->T, S = P + T;
  const float *wt = l->taps;
  float *gw = l->taps + (size_t)K * C, *gb = gw + (size_t)K * C;
  memset(gw, 0, ((size_t)K + 1) * C * sizeof(float));
  for (int b = 0; b < l->B; b++) {
    const float *xb = l->xp + (size_t)b * S * C, *db = dy + (size_t)b * T * C;
    const int L = l->len[b];
    for (int t = 0; t < L; t++) {
      const float *d = db + (size_t)t * C;
      for (int c = 0; c < C; c++) gb[c] += d[c];
      for (int m = 0; m < K; m++) madd_row(gw + (size_t)m * C, d, xb + (size_t)(t + m) * C, C);
    }
    if (!dx) continue;
    for (int t = 0; t < T; t++) {
      float *o = dx + ((size_t)b * T + t) * C;
      memset(o, 0, (size_t)C * sizeof(float));
      for (int m = 0; m < K; m++) {
        const int u = t + P - m; /* the output step this input reaches through tap m */
        if (u < L) madd_row(o, wt + (size_t)m * C, db + (size_t)u * C, C);
      }
      flush_row(o, C);
    }
  }
  float *g = l->params.grads;
  for (int c = 0; c < C; c++)
    for (int m = 0; m < K; m++) g[(size_t)c * K + m] = rnn_flush(g[(size_t)c * K + m] + gw[(size_t)m * C + c]);
  if (l->bias)
    for (int c = 0; c < C; c++) g[(size_t)C * K + c] = rnn_flush(g[(size_t)C * K + c] + gb[c]);
  return RNN_OK;
}

RNN_SMALL_FILE_END
