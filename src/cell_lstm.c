/* cell_lstm.c - LSTM forward and BPTT, PyTorch's nn.LSTM (gate rows i, f, g, o):
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * The input projection of all steps is one GEMM; each step adds
 * h_{t-1} W_hh^T into its gate rows and runs one fused pointwise pass. */
#include "rnn_internal.h"

#include <string.h>

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
    for (int b = 0; b < B; b++) {
      float *gb = g + (size_t)b * GH;
      const float *cpb = c_prev + (size_t)b * H;
      float *cb = c + (size_t)b * H, *hb = h + (size_t)b * r->ld_out;
      for (int j = 0; j < H; j++) {
        const float i = rnn_sigmoid(gb[j]), f = rnn_sigmoid(gb[H + j]);
        const float gg = tanhf(gb[2 * H + j]), o = rnn_sigmoid(gb[3 * H + j]);
        const float cv = f * cpb[j] + i * gg;
        gb[j] = i, gb[H + j] = f, gb[2 * H + j] = gg, gb[3 * H + j] = o;
        cb[j] = cv;
        hb[j] = o * tanhf(cv);
      }
    }
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
    for (int b = 0; b < B; b++) {
      float *gb = g + (size_t)b * GH;
      const float *cb = c + (size_t)b * H, *cpb = c_prev + (size_t)b * H;
      float *dhb = dh + (size_t)b * H, *dcb = dc + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float i = gb[j], f = gb[H + j], gg = gb[2 * H + j], o = gb[3 * H + j];
        const float dhv = dhb[j] + (dyt ? dyt[(size_t)b * r->ld_out + j] : 0.0f);
        const float tc = tanhf(cb[j]);
        const float dcv = dcb[j] + dhv * o * (1.0f - tc * tc);
        dcb[j] = dcv * f; /* d c_{t-1} */
        gb[j] = dcv * gg * i * (1.0f - i);
        gb[H + j] = dcv * cpb[j] * f * (1.0f - f);
        gb[2 * H + j] = dcv * i * (1.0f - gg * gg);
        gb[3 * H + j] = dhv * tc * o * (1.0f - o);
      }
    }
    /* d h_{t-1} = dG_t W_hh */
    rnn_gemm_packed(B, H, GH, g, GH, 1, u->pk_hh_t, dh, H, 0);
  }
  rnn_weight_grads(r, u->gates, u->gates, dx, dx_accumulate);
}
