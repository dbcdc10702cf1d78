/* cell_lstm.c - LSTM forward and BPTT, PyTorch's nn.LSTM (gate rows i, f, g, o):
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * The input projection of all steps is one GEMM; each step adds
 * h_{t-1} W_hh^T into its gate rows and runs one fused pointwise pass. */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

/* The fused pointwise pass of one batch row: gate pre-activations g (i, f,
 * g, o blocks of H) become activations in place; c and h written (c may be
 * cp: the stream updates its state in place). sig (a constant at each call,
 * so each call is its own loop: a branch in the loop costs ~10% of a small
 * LSTM's step): i, f, o are computed here as sigmoids, else they hold their
 * activations already. */
static inline __attribute__((always_inline)) void lstm_row_pass(float *g, const float *cp, float *c,
                                                                float *h, int H, const int sig) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t i = sig ? rnn_sigmoid_f32x4(wasm_v128_load(g + j)) : wasm_v128_load(g + j);
    const v128_t f = sig ? rnn_sigmoid_f32x4(wasm_v128_load(g + H + j)) : wasm_v128_load(g + H + j);
    const v128_t gg = rnn_tanh_f32x4(wasm_v128_load(g + 2 * H + j));
    const v128_t o = sig ? rnn_sigmoid_f32x4(wasm_v128_load(g + 3 * H + j)) : wasm_v128_load(g + 3 * H + j);
    const v128_t cv = rnn_flush_f32x4(wasm_f32x4_add(wasm_f32x4_mul(f, wasm_v128_load(cp + j)),
                                                     wasm_f32x4_mul(i, gg)));
    if (sig) wasm_v128_store(g + j, i), wasm_v128_store(g + H + j, f), wasm_v128_store(g + 3 * H + j, o);
    wasm_v128_store(g + 2 * H + j, gg);
    wasm_v128_store(c + j, cv);
    wasm_v128_store(h + j, rnn_flush_f32x4(wasm_f32x4_mul(o, rnn_tanh_f32x4(cv))));
  }
#endif
  for (; j < H; j++) {
    if (sig) g[j] = rnn_sigmoidf(g[j]), g[H + j] = rnn_sigmoidf(g[H + j]), g[3 * H + j] = rnn_sigmoidf(g[3 * H + j]);
    const float i = g[j], f = g[H + j];
    const float gg = rnn_tanhf(g[2 * H + j]), o = g[3 * H + j];
    const float cv = rnn_flush(f * cp[j] + i * gg);
    g[2 * H + j] = gg;
    c[j] = cv;
    h[j] = rnn_flush(o * rnn_tanhf(cv));
  }
}

/* The pass with the gate activation `gate`: hard sigmoids by a block pass
 * first. */
static void lstm_row_forward(float *g, const float *cp, float *c, float *h, int H, int gate) {
  if (!gate) {
    lstm_row_pass(g, cp, c, h, H, 1);
    return;
  }
  rnn_gate_activate(g, NULL, 2 * H, gate);
  rnn_gate_activate(g + 3 * H, NULL, H, gate);
  lstm_row_pass(g, cp, c, h, H, 0);
}

/* One batch row of the backward pointwise pass: activations in g become
 * pre-activation gradients; dc becomes d c_{t-1}. dy may be NULL. */
static void lstm_row_backward(float *g, const float *c, const float *cp,
                              const float *dh, const float *dy, float *dc, int H, int gate) {
  int j = 0;
#ifdef __wasm_simd128__
  const v128_t one = wasm_f32x4_splat(1.0f);
  for (; j + 4 <= H; j += 4) {
    const v128_t i = wasm_v128_load(g + j), f = wasm_v128_load(g + H + j);
    const v128_t gg = wasm_v128_load(g + 2 * H + j), o = wasm_v128_load(g + 3 * H + j);
    v128_t dhv = wasm_v128_load(dh + j);
    if (dy) dhv = rnn_flush_f32x4(wasm_f32x4_add(dhv, wasm_v128_load(dy + j)));
    const v128_t tc = rnn_tanh_f32x4(wasm_v128_load(c + j));
    const v128_t dcv = wasm_f32x4_add(
        wasm_v128_load(dc + j),
        wasm_f32x4_mul(wasm_f32x4_mul(dhv, o), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
    wasm_v128_store(dc + j, rnn_flush_f32x4(wasm_f32x4_mul(dcv, f)));
    wasm_v128_store(g + j, rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(dcv, gg), i, gate)));
    wasm_v128_store(g + H + j, rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(dcv, wasm_v128_load(cp + j)), f, gate)));
    wasm_v128_store(g + 2 * H + j, rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_mul(dcv, i), wasm_f32x4_sub(one, wasm_f32x4_mul(gg, gg)))));
    wasm_v128_store(g + 3 * H + j, rnn_flush_f32x4(rnn_gate_grad_f32x4(wasm_f32x4_mul(dhv, tc), o, gate)));
  }
#endif
  for (; j < H; j++) {
    const float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
    const float dhv = dy ? rnn_flush(dh[j] + dy[j]) : dh[j];
    const float tc = rnn_tanhf(c[j]);
    const float dcv = dc[j] + dhv * o * (1.0f - tc * tc);
    dc[j] = rnn_flush(dcv * f);
    g[j] = rnn_flush(rnn_gate_gradf(dcv * gg, i, gate));
    g[H + j] = rnn_flush(rnn_gate_gradf(dcv * cp[j], f, gate));
    g[2 * H + j] = rnn_flush(dcv * i * (1.0f - gg * gg));
    g[3 * H + j] = rnn_flush(rnn_gate_gradf(dhv * tc, o, gate));
  }
}

/* c_{t-1} of sequence b at step t (an active step). */
static const float *lstm_cprev(const rnn_run *r, int t, int b) {
  if (t == rnn_first_time(r, b)) return r->c0 + (size_t)b * r->H;
  return r->dir->aux + ((size_t)rnn_prev_time(r, t) * r->B + b) * r->H;
}

/* One step's pointwise pass over batch rows [b0, b1). */
typedef struct {
  const rnn_run *r;
  int t, proj;
  float *g, *c, *h, *m;
} lstm_rows;

static void lstm_forward_rows(const void *ctx, int b0, int b1) {
  const lstm_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = 4 * H, t = p->t;
  for (int b = b0; b < b1; b++) {
    /* without projection h_t itself, with it m_t = o * tanh(c_t) */
    float *dest = p->proj ? p->m + (size_t)b * H : p->h + (size_t)b * r->ld_out;
    if (t < rnn_len(r, b)) {
      lstm_row_forward(p->g + (size_t)b * GH, lstm_cprev(r, t, b), p->c + (size_t)b * H, dest, H, r->gate);
    } else {
      memset(dest, 0, (size_t)H * sizeof(float));
      memset(p->c + (size_t)b * H, 0, (size_t)H * sizeof(float));
    }
  }
}

static void lstm_forward_step(const rnn_run *r, int t) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, Ho = r->Hout, GH = 4 * H;
  const int proj = dir->w_hr != RNN_NONE;
  float *g = dir->gates + (size_t)t * B * GH;
  rnn_forward_product(r, B, GH, Ho, dir->hprev + (size_t)t * B * Ho, Ho, dir->pk_hh, dir->q_hh, g, GH, 1);
  const lstm_rows rows = {r, t, proj, g, dir->aux + (size_t)t * B * H,
                          r->out + (size_t)t * B * r->ld_out,
                          proj ? dir->mproj + (size_t)t * B * H : NULL};
  rnn_parallel_rows(B, (double)B * GH, lstm_forward_rows, &rows);
  /* h_t = m_t W_hr^T (rows of ended sequences stay 0: their m is 0) */
  if (proj) rnn_forward_product(r, B, Ho, H, rows.m, H, dir->pk_hr, dir->q_hr, rows.h, r->ld_out, 0);
}

typedef struct {
  const rnn_run *r;
  int t;
  float *g, *dc;
  const float *c, *dm, *dyt;
} lstm_back_rows;

static void lstm_backward_rows(const void *ctx, int b0, int b1) {
  const lstm_back_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = 4 * H, t = p->t;
  for (int b = b0; b < b1; b++) {
    if (t < rnn_len(r, b))
      lstm_row_backward(p->g + (size_t)b * GH, p->c + (size_t)b * H, lstm_cprev(r, t, b),
                        p->dm + (size_t)b * H, p->dyt ? p->dyt + (size_t)b * r->ld_out : NULL,
                        p->dc + (size_t)b * H, H, r->gate);
    else
      memset(p->g + (size_t)b * GH, 0, (size_t)GH * sizeof(float));
  }
}

static void lstm_backward_step(const rnn_run *r, int t, float *dh, float *dc) {
  const rnn_direction *dir = r->dir;
  const int B = r->B, H = r->H, Ho = r->Hout, GH = 4 * H;
  float *g = dir->gates + (size_t)t * B * GH;
  const float *c = dir->aux + (size_t)t * B * H;
  const float *dyt = r->dy ? r->dy + (size_t)t * B * r->ld_out : NULL;
  const float *dm = dh; /* d (o * tanh c): d h_t, or through W_hr */
  if (dir->w_hr != RNN_NONE) {
    float *dhp = dir->dhp + (size_t)t * B * Ho;
    for (int b = 0; b < B; b++) {
      float *row = dhp + (size_t)b * Ho;
      if (t < rnn_len(r, b))
        for (int j = 0; j < Ho; j++)
          row[j] = rnn_flush(dh[(size_t)b * Ho + j] + (dyt ? dyt[(size_t)b * r->ld_out + j] : 0.0f));
      else
        memset(row, 0, (size_t)Ho * sizeof(float));
    }
    rnn_gemm_packed(B, H, Ho, dhp, Ho, 1, dir->pk_hr_t, r->tmp, H, 0, r->ws, r->ws_floats);
    dm = r->tmp, dyt = NULL;
  }
  const lstm_back_rows rows = {r, t, g, dc, c, dm, dyt};
  rnn_parallel_rows(B, (double)B * GH, lstm_backward_rows, &rows);
  /* d h_{t-1} = dG_t W_hh */
  rnn_gemm_packed(B, Ho, GH, g, GH, 1, dir->pk_hh_t, dh, Ho, 0, r->ws, r->ws_floats);
}

/* A stream step: one product over [x, 1, h], the rows in place (c stays
 * c, h overwrites h_{t-1}), then the projection. */
static void lstm_stream_step(const rnn_stream_layer_step *st) {
  const int B = st->B, H = st->H, GH = 4 * H;
  st->product(st->stream, GH, st->K, st->a, st->row, st->w, st->g, GH);
  for (int b = 0; b < B; b++) {
    float *c = st->c + (size_t)b * H;
    float *dest = st->mproj ? st->mproj + (size_t)b * H : st->h + b * st->row;
    lstm_row_forward(st->g + (size_t)b * GH, c, c, dest, H, st->gate);
  }
  if (st->mproj) st->product(st->stream, st->Hout, H, st->mproj, H, st->w_hr, st->h, st->row);
}

const rnn_cell_def rnn_cell_lstm = {.G = 4, .fold_hh_bias = 1, .cell_state = 1,
                                    .forward_step = lstm_forward_step,
                                    .backward_step = lstm_backward_step,
                                    .hidden_grads = rnn_gates_as_hidden_grads,
                                    .stream_step = lstm_stream_step};
