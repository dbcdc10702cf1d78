/* cell_lstm.c - LSTM forward and BPTT, PyTorch's nn.LSTM (gate rows i, f, g, o):
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * The input projection of all steps is one GEMM; each step adds
 * h_{t-1} W_hh^T into its gate rows and runs one fused pointwise pass. */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

/* One batch row of the fused pointwise pass: gate pre-activations g
 * (i, f, g, o blocks of H) become activations in place; c and h written. */
static void lstm_row_forward(float *g, const float *cp, float *c, float *h, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t i = rnn_sigmoid_f32x4(wasm_v128_load(g + j));
    const v128_t f = rnn_sigmoid_f32x4(wasm_v128_load(g + H + j));
    const v128_t gg = rnn_tanh_f32x4(wasm_v128_load(g + 2 * H + j));
    const v128_t o = rnn_sigmoid_f32x4(wasm_v128_load(g + 3 * H + j));
    const v128_t cv = wasm_f32x4_add(wasm_f32x4_mul(f, wasm_v128_load(cp + j)),
                                     wasm_f32x4_mul(i, gg));
    wasm_v128_store(g + j, i);
    wasm_v128_store(g + H + j, f);
    wasm_v128_store(g + 2 * H + j, gg);
    wasm_v128_store(g + 3 * H + j, o);
    wasm_v128_store(c + j, cv);
    wasm_v128_store(h + j, wasm_f32x4_mul(o, rnn_tanh_f32x4(cv)));
  }
#endif
  for (; j < H; j++) {
    const float i = rnn_sigmoidf(g[j]), f = rnn_sigmoidf(g[H + j]);
    const float gg = rnn_tanhf(g[2 * H + j]), o = rnn_sigmoidf(g[3 * H + j]);
    const float cv = f * cp[j] + i * gg;
    g[j] = i, g[H + j] = f, g[2 * H + j] = gg, g[3 * H + j] = o;
    c[j] = cv;
    h[j] = o * rnn_tanhf(cv);
  }
}

/* One batch row of the backward pointwise pass: activations in g become
 * pre-activation gradients; dc becomes d c_{t-1}. dy may be NULL. */
static void lstm_row_backward(float *g, const float *c, const float *cp,
                              const float *dh, const float *dy, float *dc, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  const v128_t one = wasm_f32x4_splat(1.0f);
  for (; j + 4 <= H; j += 4) {
    const v128_t i = wasm_v128_load(g + j), f = wasm_v128_load(g + H + j);
    const v128_t gg = wasm_v128_load(g + 2 * H + j), o = wasm_v128_load(g + 3 * H + j);
    v128_t dhv = wasm_v128_load(dh + j);
    if (dy) dhv = wasm_f32x4_add(dhv, wasm_v128_load(dy + j));
    const v128_t tc = rnn_tanh_f32x4(wasm_v128_load(c + j));
    const v128_t dcv = wasm_f32x4_add(
        wasm_v128_load(dc + j),
        wasm_f32x4_mul(wasm_f32x4_mul(dhv, o), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
    wasm_v128_store(dc + j, wasm_f32x4_mul(dcv, f));
    wasm_v128_store(g + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dcv, gg), i), wasm_f32x4_sub(one, i)));
    wasm_v128_store(g + H + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dcv, wasm_v128_load(cp + j)), f), wasm_f32x4_sub(one, f)));
    wasm_v128_store(g + 2 * H + j, wasm_f32x4_mul(wasm_f32x4_mul(dcv, i), wasm_f32x4_sub(one, wasm_f32x4_mul(gg, gg))));
    wasm_v128_store(g + 3 * H + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dhv, tc), o), wasm_f32x4_sub(one, o)));
  }
#endif
  for (; j < H; j++) {
    const float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
    const float dhv = dh[j] + (dy ? dy[j] : 0.0f);
    const float tc = rnn_tanhf(c[j]);
    const float dcv = dc[j] + dhv * o * (1.0f - tc * tc);
    dc[j] = dcv * f;
    g[j] = dcv * gg * i * (1.0f - i);
    g[H + j] = dcv * cp[j] * f * (1.0f - f);
    g[2 * H + j] = dcv * i * (1.0f - gg * gg);
    g[3 * H + j] = dhv * tc * o * (1.0f - o);
  }
}

void rnn_lstm_forward(const rnn_run *r, float *hN, float *cN) {
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H, GH = 4 * H;
  const float *p = r->params;
  const int has_bias = u->b_ih != RNN_NO_BIAS;
  rnn_input_projection(r, has_bias ? p + u->b_ih : NULL,
                       has_bias ? p + u->b_hh : NULL, u->gates, GH);

  const float *c_prev = r->c0;
  for (int s = 0; s < r->T; s++) {
    const int t = rnn_step_time(r, s);
    ptrdiff_t ldh;
    const float *h_prev = rnn_prev_h(r, t, &ldh);
    float *g = u->gates + (size_t)t * B * GH;
    rnn_gemm_packed(B, GH, H, h_prev, ldh, 1, u->pk_hh, g, GH, 1);
    float *c = u->aux + (size_t)t * B * H;
    float *h = r->out + (size_t)t * B * r->ld_out;
    for (int b = 0; b < B; b++)
      lstm_row_forward(g + (size_t)b * GH, c_prev + (size_t)b * H, c + (size_t)b * H,
                       h + (size_t)b * r->ld_out, H);
    c_prev = c;
  }
  const int last = rnn_step_time(r, r->T - 1);
  for (int b = 0; b < B; b++) {
    if (hN)
      memcpy(hN + (size_t)b * H, r->out + ((size_t)last * B + b) * r->ld_out,
             (size_t)H * sizeof(float));
    if (cN)
      memcpy(cN + (size_t)b * H, u->aux + ((size_t)last * B + b) * H,
             (size_t)H * sizeof(float));
  }
}

void rnn_lstm_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                       float *dx, int dx_accumulate) {
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H, GH = 4 * H, T = r->T;
  for (int s = T - 1; s >= 0; s--) {
    const int t = rnn_step_time(r, s);
    float *g = u->gates + (size_t)t * B * GH;
    const float *c = u->aux + (size_t)t * B * H;
    const float *c_prev =
        s == 0 ? r->c0 : u->aux + (size_t)rnn_step_time(r, s - 1) * B * H;
    const float *dyt = dy ? dy + (size_t)t * B * r->ld_out : NULL;
    for (int b = 0; b < B; b++)
      lstm_row_backward(g + (size_t)b * GH, c + (size_t)b * H, c_prev + (size_t)b * H,
                        dh + (size_t)b * H, dyt ? dyt + (size_t)b * r->ld_out : NULL,
                        dc + (size_t)b * H, H);
    /* d h_{t-1} = dG_t W_hh */
    rnn_gemm_packed(B, H, GH, g, GH, 1, u->pk_hh_t, dh, H, 0);
  }
  rnn_weight_grads(r, u->gates, u->gates, dx, dx_accumulate);
}
