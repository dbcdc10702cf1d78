/* cell_gru.c - GRU forward and BPTT, PyTorch's nn.GRU (gate rows r, z, n):
 *   n_t = tanh(W_in x + b_in + r * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z) * n + z * h_{t-1}, computed as n + z * (h_{t-1} - n)
 * The reset gate multiplies after the recurrent product, so all three
 * recurrent products stay one GEMM per step.
 * The other form (rnn_cell_gru_reset_before: Keras reset_after=False,
 * TF.js, ONNX linear_before_reset=0) puts it before the product:
 *   n_t = tanh(W_in x + b_in + W_hn (r * h_{t-1}) + b_hn)
 * so each step's product splits: the r and z rows on h_{t-1}, then the n
 * rows on r * h_{t-1}. Both share the row kernels below; r and z go through
 * the gate activation (rnn_gate_activate). */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>


/* The n gate and h of one batch row, with r and z activated in g: n =
 * tanh(g_n + r * ghn) (after: reset after the product) or tanh(g_n + ghn);
 * hn (may be NULL) keeps ghn for backward; h may be hp (the stream). */
__attribute__((noinline)) static void gru_n(float *g, const float *ghn, const float *hp, float *hn, float *h, int H,
                  int after) {
  float *gn = g + 2 * H;
  const float *z = g + H;
  if (hn) memcpy(hn, ghn, (size_t)H * sizeof(float));
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    v128_t hv = wasm_v128_load(ghn + j);
    if (after) hv = wasm_f32x4_mul(wasm_v128_load(g + j), hv);
    /* the argument is computed here: flushed (vmath.h's tanh needs it) */
    const v128_t n = rnn_tanh_f32x4(rnn_flush_f32x4(wasm_f32x4_add(wasm_v128_load(gn + j), hv)));
    wasm_v128_store(gn + j, n);
    wasm_v128_store(h + j, rnn_flush_f32x4(wasm_f32x4_add(n, wasm_f32x4_mul(wasm_v128_load(z + j), wasm_f32x4_sub(wasm_v128_load(hp + j), n)))));
  }
#endif
  RNN_TAIL_LOOP
  for (; j < H; j++) {
    const float n = rnn_tanhf(rnn_flush(gn[j] + (after ? g[j] * ghn[j] : ghn[j])));
    gn[j] = n;
    h[j] = rnn_flush(n + z[j] * (hp[j] - n));
  }
}

/* One batch row of the backward pass: g (activations) becomes the
 * input-side gate gradients, gh the hidden-side ones (they differ in the n
 * block by the factor r); dh becomes the direct part of d h_{t-1}.
 * Reset before (hn NULL): only the z and n blocks of g are written (they
 * are the hidden side too) and r stays for gru_r_back. */
static void gru_row_backward(float *g, float *gh, const float *hp, const float *hn,
                             const float *dy, float *dh, int H, int gate) {
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
    const v128_t daz = rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(dhv, wasm_f32x4_sub(wasm_v128_load(hp + j), n)), z, gate));
    wasm_v128_store(dh + j, rnn_flush_f32x4(wasm_f32x4_mul(dhv, z)));
    wasm_v128_store(g + H + j, daz);
    wasm_v128_store(g + 2 * H + j, dan);
    if (hn) {
      const v128_t dar = rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(dan, wasm_v128_load(hn + j)), rg, gate));
      wasm_v128_store(g + j, dar);
      wasm_v128_store(gh + j, dar);
      wasm_v128_store(gh + H + j, daz);
      wasm_v128_store(gh + 2 * H + j, rnn_flush_f32x4(wasm_f32x4_mul(dan, rg)));
    }
  }
#endif
  RNN_TAIL_LOOP
  for (; j < H; j++) {
    const float rg = g[j], z = g[H + j], n = g[2 * H + j];
    const float dhv = dy ? rnn_flush(dh[j] + dy[j]) : dh[j];
    const float dan = rnn_flush(dhv * (1.0f - z) * (1.0f - n * n));
    const float daz = rnn_flush(rnn_gate_gradf(dhv * (hp[j] - n), z, gate));
    dh[j] = rnn_flush(dhv * z);
    g[H + j] = daz;
    g[2 * H + j] = dan;
    if (hn) {
      g[j] = gh[j] = rnn_flush(rnn_gate_gradf(dan * hn[j], rg, gate));
      gh[H + j] = daz;
      gh[2 * H + j] = rnn_flush(dan * rg);
    }
  }
}

/* Reset before: rh = r * h, the n rows' operand. */
static void gru_rh(float *rh, const float *r, const float *h, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4)
    wasm_v128_store(rh + j, rnn_flush_f32x4(wasm_f32x4_mul(wasm_v128_load(r + j), wasm_v128_load(h + j))));
#endif
  RNN_TAIL_LOOP
  for (; j < H; j++) rh[j] = rnn_flush(r[j] * h[j]);
}

/* Reset before, after drh = d (r * h_{t-1}) = dan W_hn: r's gradient
 * replaces r in g, and dh gains drh * r. */
static void gru_r_back(float *g, const float *drh, const float *hp, float *dh, int H, int gate) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t rg = wasm_v128_load(g + j), u = wasm_v128_load(drh + j);
    wasm_v128_store(g + j, rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(u, wasm_v128_load(hp + j)), rg, gate)));
    wasm_v128_store(dh + j, rnn_flush_f32x4(wasm_f32x4_add(wasm_v128_load(dh + j), wasm_f32x4_mul(u, rg))));
  }
#endif
  RNN_TAIL_LOOP
  for (; j < H; j++) {
    const float rg = g[j];
    g[j] = rnn_flush(rnn_gate_gradf(drh[j] * hp[j], rg, gate));
    dh[j] = rnn_flush(dh[j] + drh[j] * rg);
  }
}

/* One step's pointwise pass over batch rows [b0, b1): forward (h = output
 * rows), or backward (dh, dyt). pass 0: the whole step of the reset-after
 * GRU; reset before: 1 (forward: r, z and r * h into aux; backward: z, n)
 * and 2 (forward: n and h; backward: r, from drh in gh). */
typedef struct {
  const rnn_run *r;
  int t, pass;
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
    float *g = p->g + (size_t)b * GH, *gh = p->gh + (size_t)b * GH;
    float *hn = p->hn + (size_t)b * H, *h = p->h + (size_t)b * r->ld_out;
    const float *hp = p->hp + (size_t)b * H;
    if (p->t >= rnn_len(r, b)) { /* r * h of ended rows is 0 too: weight gradients read it */
      memset(p->pass == 1 ? hn : h, 0, (size_t)H * sizeof(float));
      continue;
    }
    if (p->pass != 2) rnn_gate_activate(g, gh, 2 * H, r->gate); /* r, z */
    if (p->pass == 1)
      gru_rh(hn, g, hp, H);
    else
      gru_n(g, gh + 2 * H, hp, p->pass ? NULL : hn, h, H, !p->pass);
  }
}

static void gru_backward_rows(const void *ctx, int b0, int b1) {
  const gru_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = 3 * H;
  for (int b = b0; b < b1; b++) {
    float *g = p->g + (size_t)b * GH, *dh = p->dh + (size_t)b * H;
    const float *hp = p->hp + (size_t)b * H;
    if (p->t < rnn_len(r, b)) {
      if (p->pass == 2)
        gru_r_back(g, p->gh + (size_t)b * H, hp, dh, H, r->gate);
      else
        gru_row_backward(g, p->gh + (size_t)b * GH, hp, p->pass ? NULL : p->hn + (size_t)b * H,
                         p->dyt ? p->dyt + (size_t)b * r->ld_out : NULL, dh, H, r->gate);
    } else if (p->pass != 2) {
      memset(g, 0, (size_t)GH * sizeof(float));
      if (!p->pass) memset(p->gh + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
      memset(dh, 0, (size_t)H * sizeof(float));
    }
  }
}

/* Reset before is told by pk_hn, the pack only it has. */
static void gru_forward_step(const rnn_run *r, int t) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, GH = 3 * H, before = dir->pk_hn != NULL;
  const float *hp = dir->hprev + (size_t)t * B * H;
  float *gh = r->tmp; /* [B][3H] recurrent part of this step, with b_hh */
  for (int b = 0; b < B; b++) {
    if (dir->b_hh != RNN_NONE)
      memcpy(gh + (size_t)b * GH, r->params + dir->b_hh, (size_t)GH * sizeof(float));
    else
      memset(gh + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
  }
  /* reset before: the r and z columns only (pk_hh's panels hold the n
   * columns after them; the product stores the first 2H) */
  rnn_forward_product(r, B, before ? 2 * H : GH, H, hp, H, dir->pk_hh, dir->q_hh, gh, GH, 1);
  gru_rows rows = {r, t, before, dir->gates + (size_t)t * B * GH, gh, dir->aux + (size_t)t * B * H,
                   r->out + (size_t)t * B * r->ld_out, hp, NULL, NULL};
  rnn_parallel_rows(B, (double)B * GH, gru_forward_rows, &rows);
  if (!before) return;
  rnn_forward_product(r, B, H, H, rows.hn, H, dir->pk_hn, dir->q_hn, gh + 2 * H, GH, 1);
  rows.pass = 2;
  rnn_parallel_rows(B, (double)B * H, gru_forward_rows, &rows);
}

static void gru_backward_step(const rnn_run *r, int t, float *dh, float *dc) {
  (void)dc;
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, GH = 3 * H, before = dir->pk_hn != NULL;
  const float *hp = dir->hprev + (size_t)t * B * H;
  float *g = dir->gates + (size_t)t * B * GH; /* becomes input-side grads */
  float *gh = before ? g : dir->aux2 + (size_t)t * B * GH; /* hidden-side grads */
  const float *dyt = r->dy ? r->dy + (size_t)t * B * r->ld_out : NULL;
  gru_rows rows = {r, t, before, g, gh, dir->aux + (size_t)t * B * H, NULL, hp, dh, dyt};
  rnn_parallel_rows(B, (double)B * GH, gru_backward_rows, &rows);
  if (before) { /* d (r * h_{t-1}) = dan W_hn, into tmp */
    rnn_gemm_packed(B, H, H, g + 2 * H, GH, 1, dir->pk_hn_t, r->tmp, H, 0, r->ws, r->ws_floats);
    rows.pass = 2, rows.gh = r->tmp;
    rnn_parallel_rows(B, (double)B * H, gru_backward_rows, &rows);
  }
  /* d h_{t-1} += dGh_t W_hh (dh holds the direct path z * dh; reset
   * before: the r and z rows, W_hn's part came through r * h) */
  rnn_gemm_packed(B, H, before ? 2 * H : GH, gh, GH, 1, dir->pk_hh_t, dh, H, 1, r->ws, r->ws_floats);
}

static const float *gru_hidden_grads(const rnn_run *r) { return r->dir->aux2; }

/* A stream step: r and z over [x, 1, h] in one product, n's input side
 * over [x, 1] and its hidden side over [1, h] apart (r multiplies the
 * second; reset before: over [1, r * h] once r is known), then the rows in
 * place (h overwrites h_{t-1}). */
static void gru_stream_step(const rnn_stream_layer_step *st) {
  const int B = st->B, H = st->H, GH = 3 * H, bias = st->bias, before = st->rh != NULL;
  st->product(st->stream, 2 * H, st->K, st->a, st->row, st->w, st->g, GH);
  st->product(st->stream, H, st->in + bias, st->a, st->row, st->w_nx, st->g + 2 * H, GH);
  if (!before) st->product(st->stream, H, bias + H, st->a + st->in, st->row, st->w_nh, st->gh + 2 * H, GH);
  for (int b = 0; b < B; b++) {
    float *g = st->g + (size_t)b * GH, *hb = st->h + b * st->row;
    rnn_gate_activate(g, NULL, 2 * H, st->gate); /* r, z: the products hold all of them */
    if (!before) {
      gru_n(g, st->gh + (size_t)b * GH + 2 * H, hb, NULL, hb, H, 1);
      continue;
    }
    float *rh = st->rh + (size_t)b * GH;
    rh[0] = 1.0f; /* the bias column (overwritten next without bias) */
    gru_rh(rh + bias, g, hb, H);
  }
  if (!before) return;
  st->product(st->stream, H, bias + H, st->rh, GH, st->w_nh, st->gh + 2 * H, GH);
  for (int b = 0; b < B; b++) {
    float *hb = st->h + b * st->row;
    gru_n(st->g + (size_t)b * GH, st->gh + (size_t)b * GH + 2 * H, hb, NULL, hb, H, 0);
  }
}

const rnn_cell_def rnn_cell_gru = {.G = 3, .split_n = 1,
                                   .forward_step = gru_forward_step,
                                   .backward_step = gru_backward_step,
                                   .hidden_grads = gru_hidden_grads,
                                   .stream_step = gru_stream_step};

const rnn_cell_def rnn_cell_gru_reset_before = {.G = 3, .split_n = 1, .reset_before = 1,
                                                .forward_step = gru_forward_step,
                                                .backward_step = gru_backward_step,
                                                .hidden_grads = rnn_gates_as_hidden_grads,
                                                .stream_step = gru_stream_step};
