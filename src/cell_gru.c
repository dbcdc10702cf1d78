/* cell_gru.c - GRU forward and BPTT, PyTorch's nn.GRU (gate rows r, z, n):
 *   n_t = tanh(W_in x + b_in + r * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z) * n + z * h_{t-1}, computed as n + z * (h_{t-1} - n)
 * The reset gate multiplies after the recurrent product, so all three
 * recurrent products stay one GEMM per step. */
#include "rnn_internal.h"

#include <string.h>

void rnn_gru_forward(const rnn_run *r, float *hN, float *cN) {
  (void)cN;
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H, GH = 3 * H;
  const float *p = r->params;
  const int has_bias = u->b_ih != RNN_NO_BIAS;
  rnn_input_projection(r, has_bias ? p + u->b_ih : NULL, NULL, u->gates, GH);
  float *gh = r->tmp; /* [B][3H] recurrent part of this step */

  for (int s = 0; s < r->T; s++) {
    const int t = rnn_step_time(r, s);
    ptrdiff_t ldh;
    const float *h_prev = rnn_prev_h(r, t, &ldh);
    for (int b = 0; b < B; b++) {
      if (has_bias)
        memcpy(gh + (size_t)b * GH, p + u->b_hh, (size_t)GH * sizeof(float));
      else
        memset(gh + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
    }
    rnn_gemm_packed(B, GH, H, h_prev, ldh, 1, u->pk_hh, gh, GH, 1);
    float *g = u->gates + (size_t)t * B * GH;
    float *hn = u->aux + (size_t)t * B * H;
    float *h = r->out + (size_t)t * B * r->ld_out;
    for (int b = 0; b < B; b++) {
      float *gb = g + (size_t)b * GH;
      const float *ghb = gh + (size_t)b * GH, *hpb = h_prev + (size_t)b * ldh;
      float *hb = h + (size_t)b * r->ld_out, *hnb = hn + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float rg = rnn_sigmoid(gb[j] + ghb[j]);
        const float z = rnn_sigmoid(gb[H + j] + ghb[H + j]);
        const float n = tanhf(gb[2 * H + j] + rg * ghb[2 * H + j]);
        gb[j] = rg, gb[H + j] = z, gb[2 * H + j] = n;
        hnb[j] = ghb[2 * H + j];
        hb[j] = n + z * (hpb[j] - n);
      }
    }
  }
  if (hN) {
    const int last = rnn_step_time(r, r->T - 1);
    for (int b = 0; b < B; b++)
      memcpy(hN + (size_t)b * H, r->out + ((size_t)last * B + b) * r->ld_out,
             (size_t)H * sizeof(float));
  }
}

void rnn_gru_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                      float *dx, int dx_accumulate) {
  (void)dc;
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H, GH = 3 * H, T = r->T;
  for (int s = T - 1; s >= 0; s--) {
    const int t = rnn_step_time(r, s);
    ptrdiff_t ldh;
    const float *h_prev = rnn_prev_h(r, t, &ldh);
    float *g = u->gates + (size_t)t * B * GH;   /* becomes input-side grads */
    float *gh = u->aux2 + (size_t)t * B * GH;   /* hidden-side grads */
    const float *hn = u->aux + (size_t)t * B * H;
    const float *dyt = dy ? dy + (size_t)t * B * r->ld_out : NULL;
    for (int b = 0; b < B; b++) {
      float *gb = g + (size_t)b * GH, *ghb = gh + (size_t)b * GH;
      const float *hpb = h_prev + (size_t)b * ldh, *hnb = hn + (size_t)b * H;
      float *dhb = dh + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float rg = gb[j], z = gb[H + j], n = gb[2 * H + j];
        const float dhv = dhb[j] + (dyt ? dyt[(size_t)b * r->ld_out + j] : 0.0f);
        const float dan = dhv * (1.0f - z) * (1.0f - n * n);
        const float dar = dan * hnb[j] * rg * (1.0f - rg);
        const float daz = dhv * (hpb[j] - n) * z * (1.0f - z);
        dhb[j] = dhv * z; /* the direct path to h_{t-1} */
        gb[j] = ghb[j] = dar;
        gb[H + j] = ghb[H + j] = daz;
        gb[2 * H + j] = dan;
        ghb[2 * H + j] = dan * rg;
      }
    }
    /* d h_{t-1} += dGh_t W_hh */
    rnn_gemm_packed(B, H, GH, gh, GH, 1, u->pk_hh_t, dh, H, 1);
  }
  rnn_weight_grads(r, u->gates, u->aux2, dx, dx_accumulate);
}
