/* cell_rnn.c - Elman RNN forward and BPTT, PyTorch's nn.RNN:
 *   h_t = tanh(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)   (or relu) */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

static void tanh_row(const float *a, float *h, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) wasm_v128_store(h + j, rnn_tanh_f32x4(wasm_v128_load(a + j)));
#endif
  for (; j < H; j++) h[j] = rnn_tanhf(a[j]);
}

static void rnn_forward(const rnn_run *r, float *hN, int relu) {
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H;
  const float *p = r->params;
  const int has_bias = u->b_ih != RNN_NO_BIAS;
  rnn_input_projection(r, has_bias ? p + u->b_ih : NULL,
                       has_bias ? p + u->b_hh : NULL, u->gates, H);
  for (int s = 0; s < r->T; s++) {
    const int t = rnn_step_time(r, s);
    ptrdiff_t ldh;
    const float *h_prev = rnn_prev_h(r, t, &ldh);
    float *a = u->gates + (size_t)t * B * H;
    rnn_gemm_packed(B, H, H, h_prev, ldh, 1, u->pk_hh, a, H, 1);
    float *h = r->out + (size_t)t * B * r->ld_out;
    for (int b = 0; b < B; b++) {
      const float *ab = a + (size_t)b * H;
      float *hb = h + (size_t)b * r->ld_out;
      if (relu)
        for (int j = 0; j < H; j++) hb[j] = ab[j] > 0.0f ? ab[j] : 0.0f;
      else
        tanh_row(ab, hb, H);
    }
  }
  if (hN) {
    const int last = rnn_step_time(r, r->T - 1);
    for (int b = 0; b < B; b++)
      memcpy(hN + (size_t)b * H, r->out + ((size_t)last * B + b) * r->ld_out,
             (size_t)H * sizeof(float));
  }
}

static void rnn_backward(const rnn_run *r, const float *dy, float *dh,
                         float *dx, int dx_accumulate, int relu) {
  const rnn_unit *u = r->u;
  const int B = r->B, H = r->H;
  for (int s = r->T - 1; s >= 0; s--) {
    const int t = rnn_step_time(r, s);
    float *da = u->gates + (size_t)t * B * H;
    const float *h = r->out + (size_t)t * B * r->ld_out;
    const float *dyt = dy ? dy + (size_t)t * B * r->ld_out : NULL;
    for (int b = 0; b < B; b++) {
      const float *hb = h + (size_t)b * r->ld_out;
      float *dab = da + (size_t)b * H;
      const float *dhb = dh + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float dhv = dhb[j] + (dyt ? dyt[(size_t)b * r->ld_out + j] : 0.0f);
        /* relu'(a) from h = relu(a): h > 0 exactly when a > 0 */
        dab[j] = relu ? (hb[j] > 0.0f ? dhv : 0.0f) : dhv * (1.0f - hb[j] * hb[j]);
      }
    }
    rnn_gemm_packed(B, H, H, da, H, 1, u->pk_hh_t, dh, H, 0);
  }
  rnn_weight_grads(r, u->gates, u->gates, dx, dx_accumulate);
}

void rnn_rnn_forward(const rnn_run *r, float *hN, float *cN) {
  (void)cN;
  rnn_forward(r, hN, 0);
}
void rnn_rnn_relu_forward(const rnn_run *r, float *hN, float *cN) {
  (void)cN;
  rnn_forward(r, hN, 1);
}
void rnn_rnn_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                      float *dx, int dx_accumulate) {
  (void)dc;
  rnn_backward(r, dy, dh, dx, dx_accumulate, 0);
}
void rnn_rnn_relu_backward(const rnn_run *r, const float *dy, float *dh,
                           float *dc, float *dx, int dx_accumulate) {
  (void)dc;
  rnn_backward(r, dy, dh, dx, dx_accumulate, 1);
}
