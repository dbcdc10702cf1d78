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
 * activations, hn keeps W_hn h + b_hn for backward, h is written. hn may
 * be gh + 2H and h may be hp (the stream works in place). */
static void gru_row_forward(float *g, const float *gh, const float *hp, float *hn,
                            float *h, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t rg = rnn_sigmoid_f32x4(wasm_f32x4_add(wasm_v128_load(g + j), wasm_v128_load(gh + j)));
    const v128_t z = rnn_sigmoid_f32x4(wasm_f32x4_add(wasm_v128_load(g + H + j), wasm_v128_load(gh + H + j)));
    const v128_t ghn = wasm_v128_load(gh + 2 * H + j);
    /* the argument is computed here: flushed (vmath.h's tanh needs it) */
    const v128_t n = rnn_tanh_f32x4(rnn_flush_f32x4(wasm_f32x4_add(wasm_v128_load(g + 2 * H + j), wasm_f32x4_mul(rg, ghn))));
    wasm_v128_store(g + j, rg);
    wasm_v128_store(g + H + j, z);
    wasm_v128_store(g + 2 * H + j, n);
    wasm_v128_store(hn + j, ghn);
    wasm_v128_store(h + j, rnn_flush_f32x4(wasm_f32x4_add(n, wasm_f32x4_mul(z, wasm_f32x4_sub(wasm_v128_load(hp + j), n)))));
  }
#endif
  for (; j < H; j++) {
    const float rg = rnn_sigmoidf(g[j] + gh[j]);
    const float z = rnn_sigmoidf(g[H + j] + gh[H + j]);
    const float n = rnn_tanhf(rnn_flush(g[2 * H + j] + rg * gh[2 * H + j]));
    g[j] = rg, g[H + j] = z, g[2 * H + j] = n;
    hn[j] = gh[2 * H + j];
    h[j] = rnn_flush(n + z * (hp[j] - n));
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
    if (dy) dhv = rnn_flush_f32x4(wasm_f32x4_add(dhv, wasm_v128_load(dy + j)));
    const v128_t dan = rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_mul(dhv, wasm_f32x4_sub(one, z)),
                                                      wasm_f32x4_sub(one, wasm_f32x4_mul(n, n))));
    const v128_t dar = rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dan, wasm_v128_load(hn + j)), rg),
                                                      wasm_f32x4_sub(one, rg)));
    const v128_t daz = rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dhv, wasm_f32x4_sub(wasm_v128_load(hp + j), n)), z),
                                                      wasm_f32x4_sub(one, z)));
    wasm_v128_store(dh + j, rnn_flush_f32x4(wasm_f32x4_mul(dhv, z)));
    wasm_v128_store(g + j, dar);
    wasm_v128_store(gh + j, dar);
    wasm_v128_store(g + H + j, daz);
    wasm_v128_store(gh + H + j, daz);
    wasm_v128_store(g + 2 * H + j, dan);
    wasm_v128_store(gh + 2 * H + j, rnn_flush_f32x4(wasm_f32x4_mul(dan, rg)));
  }
#endif
  for (; j < H; j++) {
    const float rg = g[j], z = g[H + j], n = g[2 * H + j];
    const float dhv = dy ? rnn_flush(dh[j] + dy[j]) : dh[j];
    const float dan = rnn_flush(dhv * (1.0f - z) * (1.0f - n * n));
    const float dar = rnn_flush(dan * hn[j] * rg * (1.0f - rg));
    const float daz = rnn_flush(dhv * (hp[j] - n) * z * (1.0f - z));
    dh[j] = rnn_flush(dhv * z);
    g[j] = gh[j] = dar;
    g[H + j] = gh[H + j] = daz;
    g[2 * H + j] = dan;
    gh[2 * H + j] = rnn_flush(dan * rg);
  }
}

/* One step's pointwise pass over batch rows [b0, b1): forward (h = output
 * rows), or backward (dh, dyt). */
typedef struct {
  const rnn_run *r;
  int t;
  float *g, *gh, *hn, *h;
  const float *hp;
  float *dh;
  const float *dyt;
} gru_rows;

static void gru_forward_rows(const void *ctx, int b0, int b1) {
  const gru_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = 3 * H;
  for (int b = b0; b < b1; b++) {
    if (p->t < rnn_len(r, b))
      gru_row_forward(p->g + (size_t)b * GH, p->gh + (size_t)b * GH, p->hp + (size_t)b * H,
                      p->hn + (size_t)b * H, p->h + (size_t)b * r->ld_out, H);
    else
      memset(p->h + (size_t)b * r->ld_out, 0, (size_t)H * sizeof(float));
  }
}

static void gru_backward_rows(const void *ctx, int b0, int b1) {
  const gru_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = 3 * H;
  for (int b = b0; b < b1; b++) {
    if (p->t < rnn_len(r, b)) {
      gru_row_backward(p->g + (size_t)b * GH, p->gh + (size_t)b * GH, p->hp + (size_t)b * H,
                       p->hn + (size_t)b * H, p->dyt ? p->dyt + (size_t)b * r->ld_out : NULL,
                       p->dh + (size_t)b * H, H);
    } else {
      memset(p->g + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
      memset(p->gh + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
      memset(p->dh + (size_t)b * H, 0, (size_t)H * sizeof(float));
    }
  }
}

static void gru_forward_step(const rnn_run *r, int t) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, GH = 3 * H;
  const float *hp = dir->hprev + (size_t)t * B * H;
  float *gh = r->tmp; /* [B][3H] recurrent part of this step, with b_hh */
  for (int b = 0; b < B; b++) {
    if (dir->b_hh != RNN_NONE)
      memcpy(gh + (size_t)b * GH, r->params + dir->b_hh, (size_t)GH * sizeof(float));
    else
      memset(gh + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
  }
  rnn_gemm_packed(B, GH, H, hp, H, 1, dir->pk_hh, gh, GH, 1, r->ws, r->ws_floats);
  const gru_rows rows = {r, t, dir->gates + (size_t)t * B * GH, gh, dir->aux + (size_t)t * B * H,
                         r->out + (size_t)t * B * r->ld_out, hp, NULL, NULL};
  rnn_parallel_rows(B, (double)B * GH, gru_forward_rows, &rows);
}

static void gru_backward_step(const rnn_run *r, int t, float *dh, float *dc) {
  (void)dc;
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, GH = 3 * H;
  const float *hp = dir->hprev + (size_t)t * B * H;
  float *g = dir->gates + (size_t)t * B * GH; /* becomes input-side grads */
  float *gh = dir->aux2 + (size_t)t * B * GH; /* hidden-side grads */
  const float *dyt = r->dy ? r->dy + (size_t)t * B * r->ld_out : NULL;
  const gru_rows rows = {r, t, g, gh, dir->aux + (size_t)t * B * H, NULL, hp, dh, dyt};
  rnn_parallel_rows(B, (double)B * GH, gru_backward_rows, &rows);
  /* d h_{t-1} += dGh_t W_hh (dh holds the direct path z * dh) */
  rnn_gemm_packed(B, H, GH, gh, GH, 1, dir->pk_hh_t, dh, H, 1, r->ws, r->ws_floats);
}

static const float *gru_hidden_grads(const rnn_run *r) { return r->dir->aux2; }

/* A stream step: r and z over [x, 1, h] in one product, n's input side
 * over [x, 1] and its hidden side over [1, h] apart (r multiplies the
 * second), then the rows in place (h overwrites h_{t-1}). */
static void gru_stream_step(const rnn_stream_layer_step *st) {
  const int B = st->B, H = st->H, GH = 3 * H, bias = st->bias;
  st->product(st->stream, 2 * H, st->K, st->a, st->row, st->w, st->g, GH);
  st->product(st->stream, H, st->in + bias, st->a, st->row, st->w_nx, st->g + 2 * H, GH);
  st->product(st->stream, H, bias + H, st->a + st->in, st->row, st->w_nh, st->gh + 2 * H, GH);
  for (int b = 0; b < B; b++) {
    float *gh = st->gh + (size_t)b * GH, *hb = st->h + b * st->row;
    gru_row_forward(st->g + (size_t)b * GH, gh, hb, gh + 2 * H, hb, H);
  }
}

const rnn_cell_def rnn_cell_gru = {.G = 3, .split_n = 1,
                                   .forward_step = gru_forward_step,
                                   .backward_step = gru_backward_step,
                                   .hidden_grads = gru_hidden_grads,
                                   .stream_step = gru_stream_step};
