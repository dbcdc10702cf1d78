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

__attribute__((noinline)) static void elman_row_forward(const float *a, float *h, int H, int relu) {
  if (relu)
    for (int j = 0; j < H; j++) h[j] = a[j] > 0.0f ? a[j] : 0.0f;
  else
    tanh_row(a, h, H);
}

/* One step's pointwise pass over batch rows [b0, b1). */
typedef struct {
  const rnn_run *r;
  int t, relu;
  float *a;       /* pre-activations; backward: their gradients */
  float *h;       /* output rows (forward writes, backward reads) */
  const float *dh, *dyt;
} elman_rows;

static void elman_forward_rows(const void *ctx, int b0, int b1) {
  const elman_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H;
  for (int b = b0; b < b1; b++) {
    float *hb = p->h + (size_t)b * r->ld_out;
    if (p->t >= rnn_len(r, b))
      memset(hb, 0, (size_t)H * sizeof(float));
    else
      elman_row_forward(p->a + (size_t)b * H, hb, H, p->relu);
  }
}

/* da = (dh + dy) * (1 - h^2) for tanh, (dh + dy) [h > 0] for relu; dy may
 * be NULL. What is stored is flushed (flush.h): tanh's product, relu's sum
 * (tanh's sum lives in a register only: a subnormal one, from dh and dy
 * cancelling, makes a subnormal or zero product, flushed). */
static void elman_row_backward(const float *dh, const float *dy, const float *h, float *da, int H, int relu) {
  int j = 0;
#ifdef __wasm_simd128__
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  for (; j + 4 <= H; j += 4) {
    const v128_t d = wasm_f32x4_add(wasm_v128_load(dh + j), dy ? wasm_v128_load(dy + j) : zero);
    const v128_t hv = wasm_v128_load(h + j);
    wasm_v128_store(da + j, rnn_flush_f32x4(relu ? wasm_v128_and(d, wasm_f32x4_gt(hv, zero))
                                                 : wasm_f32x4_mul(d, wasm_f32x4_sub(one, wasm_f32x4_mul(hv, hv)))));
  }
#endif
  for (; j < H; j++) {
    const float dhv = dh[j] + (dy ? dy[j] : 0.0f);
    /* relu'(a) from h = relu(a): h > 0 exactly when a > 0 */
    da[j] = rnn_flush(relu ? (h[j] > 0.0f ? dhv : 0.0f) : dhv * (1.0f - h[j] * h[j]));
  }
}

static void elman_backward_rows(const void *ctx, int b0, int b1) {
  const elman_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H;
  for (int b = b0; b < b1; b++) {
    float *dab = p->a + (size_t)b * H;
    if (p->t >= rnn_len(r, b)) {
      memset(dab, 0, (size_t)H * sizeof(float));
      continue;
    }
    elman_row_backward(p->dh + (size_t)b * H, p->dyt ? p->dyt + (size_t)b * r->ld_out : NULL,
                       p->h + (size_t)b * r->ld_out, dab, H, p->relu);
  }
}

static void rnn_forward_step(const rnn_run *r, int t, int relu) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H;
  float *a = dir->gates + (size_t)t * B * H;
  rnn_forward_product(r, B, H, H, dir->hprev + (size_t)t * B * H, H, dir->pk_hh, dir->q_hh, a, H, 1);
  const elman_rows rows = {r, t, relu, a, r->out + (size_t)t * B * r->ld_out, NULL, NULL};
  rnn_parallel_rows(B, (double)B * H, elman_forward_rows, &rows);
}

static void rnn_backward_step(const rnn_run *r, int t, float *dh, int relu) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H;
  float *da = dir->gates + (size_t)t * B * H;
  const elman_rows rows = {r, t, relu, da, r->out + (size_t)t * B * r->ld_out, dh,
                           r->dy ? r->dy + (size_t)t * B * r->ld_out : NULL};
  rnn_parallel_rows(B, (double)B * H, elman_backward_rows, &rows);
  rnn_gemm_packed(B, H, H, da, H, 1, dir->pk_hh_t, dh, H, 0, r->ws, r->ws_floats);
}

/* A stream step: one product over [x, 1, h], then h in place. */
static void elman_stream_step(const rnn_stream_layer_step *st, int relu) {
  const int H = st->H;
  st->product(st->stream, H, st->K, st->a, st->row, st->w, st->g, H);
  for (int b = 0; b < st->B; b++) elman_row_forward(st->g + (size_t)b * H, st->h + b * st->row, H, relu);
}

static void tanh_forward_step(const rnn_run *r, int t) { rnn_forward_step(r, t, 0); }
static void relu_forward_step(const rnn_run *r, int t) { rnn_forward_step(r, t, 1); }
static void tanh_backward_step(const rnn_run *r, int t, float *dh, float *dc) {
  (void)dc;
  rnn_backward_step(r, t, dh, 0);
}
static void relu_backward_step(const rnn_run *r, int t, float *dh, float *dc) {
  (void)dc;
  rnn_backward_step(r, t, dh, 1);
}
static void tanh_stream_step(const rnn_stream_layer_step *st) { elman_stream_step(st, 0); }
static void relu_stream_step(const rnn_stream_layer_step *st) { elman_stream_step(st, 1); }

const rnn_cell_def rnn_cell_rnn_tanh = {.G = 1, .fold_hh_bias = 1,
                                        .forward_step = tanh_forward_step,
                                        .backward_step = tanh_backward_step,
                                        .hidden_grads = rnn_gates_as_hidden_grads,
                                        .stream_step = tanh_stream_step};
const rnn_cell_def rnn_cell_rnn_relu = {.G = 1, .fold_hh_bias = 1,
                                        .forward_step = relu_forward_step,
                                        .backward_step = relu_backward_step,
                                        .hidden_grads = rnn_gates_as_hidden_grads,
                                        .stream_step = relu_stream_step};
