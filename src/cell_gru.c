/* cell_gru.c - GRU forward and BPTT, PyTorch's nn.GRU (gate rows r, z, n):
 *   n_t = tanh(W_in x + b_in + r * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z) * n + z * h_{t-1}, computed as n + z * (h_{t-1} - n)
 * The reset gate multiplies after the recurrent product, so all three
 * recurrent products stay one GEMM per step. */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

/* One batch row of the forward pointwise pass: g holds the input-side
 * pre-activations (r, z, n blocks), gh the hidden-side ones; g becomes the
 * activations, hn keeps W_hn h + b_hn for backward, h is written. */
static void gru_row_forward(float *g, const float *gh, const float *hp,
                            float *hn, float *h, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t rg = rnn_sigmoid_f32x4(wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(gh + j)));
    const v128_t z = rnn_sigmoid_f32x4(wasm_f32x4_add(wasm_v128_load(g + H + j), wasm_v128_load(gh + H + j)));
    const v128_t ghn = wasm_v128_load(gh + 2 * H + j);
    const v128_t n = rnn_tanh_f32x4(wasm_f32x4_add(wasm_v128_load(g + 2 * H + j), wasm_f32x4_mul(rg, ghn)));
    wasm_v128_store(g + j, rg);
    wasm_v128_store(g + H + j, z);
    wasm_v128_store(g + 2 * H + j, n);
    wasm_v128_store(hn + j, ghn);
    wasm_v128_store(h + j, wasm_f32x4_add(n, wasm_f32x4_mul(z, wasm_f32x4_sub(wasm_v128_load(hp + j), n))));
  }
#endif
  for (; j < H; j++) {
    const float rg = rnn_sigmoidf(g[j] + gh[j]);
    const float z = rnn_sigmoidf(g[H + j] + gh[H + j]);
    const float n = rnn_tanhf(g[2 * H + j] + rg * gh[2 * H + j]);
    g[j] = rg, g[H + j] = z, g[2 * H + j] = n;
    hn[j] = gh[2 * H + j];
    h[j] = n + z * (hp[j] - n);
  }
}

/* One batch row of the backward pass: g (activations) becomes the
 * input-side gate gradients, gh the hidden-side ones (they differ in the n
 * block by the factor r); dh becomes the direct part of d h_{t-1}. */
static void gru_row_backward(float *g, float *gh, const float *hp,
                             const float *hn, const float *dy, float *dh, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  const v128_t one = wasm_f32x4_splat(1.0f);
  for (; j + 4 <= H; j += 4) {
    const v128_t rg = wasm_v128_load(g + j), z = wasm_v128_load(g + H + j);
    const v128_t n = wasm_v128_load(g + 2 * H + j);
    v128_t dhv = wasm_v128_load(dh + j);
    if (dy) dhv = wasm_f32x4_add(dhv, wasm_v128_load(dy + j));
    const v128_t dan = wasm_f32x4_mul(wasm_f32x4_mul(dhv, wasm_f32x4_sub(one, z)),
                                      wasm_f32x4_sub(one, wasm_f32x4_mul(n, n)));
    const v128_t dar = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dan, wasm_v128_load(hn + j)), rg),
                                      wasm_f32x4_sub(one, rg));
    const v128_t daz = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dhv, wasm_f32x4_sub(wasm_v128_load(hp + j), n)), z),
                                      wasm_f32x4_sub(one, z));
    wasm_v128_store(dh + j, wasm_f32x4_mul(dhv, z));
    wasm_v128_store(g + j, dar);
    wasm_v128_store(gh + j, dar);
    wasm_v128_store(g + H + j, daz);
    wasm_v128_store(gh + H + j, daz);
    wasm_v128_store(g + 2 * H + j, dan);
    wasm_v128_store(gh + 2 * H + j, wasm_f32x4_mul(dan, rg));
  }
#endif
  for (; j < H; j++) {
    const float rg = g[j], z = g[H + j], n = g[2 * H + j];
    const float dhv = dh[j] + (dy ? dy[j] : 0.0f);
    const float dan = dhv * (1.0f - z) * (1.0f - n * n);
    const float dar = dan * hn[j] * rg * (1.0f - rg);
    const float daz = dhv * (hp[j] - n) * z * (1.0f - z);
    dh[j] = dhv * z;
    g[j] = gh[j] = dar;
    g[H + j] = gh[H + j] = daz;
    g[2 * H + j] = dan;
    gh[2 * H + j] = dan * rg;
  }
}

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
    for (int b = 0; b < B; b++)
      gru_row_forward(g + (size_t)b * GH, gh + (size_t)b * GH, h_prev + (size_t)b * ldh,
                      hn + (size_t)b * H, h + (size_t)b * r->ld_out, H);
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
    for (int b = 0; b < B; b++)
      gru_row_backward(g + (size_t)b * GH, gh + (size_t)b * GH, h_prev + (size_t)b * ldh,
                       hn + (size_t)b * H, dyt ? dyt + (size_t)b * r->ld_out : NULL,
                       dh + (size_t)b * H, H);
    /* d h_{t-1} += dGh_t W_hh */
    rnn_gemm_packed(B, H, GH, gh, GH, 1, u->pk_hh_t, dh, H, 1);
  }
  rnn_weight_grads(r, u->gates, u->aux2, dx, dx_accumulate);
}
