/* cell_common.c - the parts of a recurrent layer's forward and backward that
 * do not depend on the cell: the time loop with variable lengths, the input
 * projection of all time steps as one GEMM, and the weight gradients as
 * GEMMs over all time steps. */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

/* One pass per gate block, before the cell's fused pass reads the values:
 * the choice of function is made once per block, not per element. */
void rnn_gate_activate(float *g, const float *add, int n, int gate) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= n; j += 4) {
    v128_t x = wasm_v128_load(g + j);
    if (add) x = wasm_f32x4_add(x, wasm_v128_load(add + j));
    wasm_v128_store(g + j, gate ? rnn_hard_sigmoid_f32x4(x, gate) : rnn_sigmoid_f32x4(x));
  }
#endif
  RNN_TAIL_LOOP
  for (; j < n; j++) {
    const float x = add ? g[j] + add[j] : g[j];
    g[j] = gate ? rnn_hard_sigmoidf(x, gate) : rnn_sigmoidf(x);
  }
}

/* rows[T*B][G*H] = b_ih (+ b_hh), then += in * W_ih^T: one GEMM for all steps. */
static void input_projection(const rnn_cell_def *cell, const rnn_run *r) {
  const rnn_direction *dir = r->dir;
  const int M = r->T * r->B, N = cell->G * r->H;
  const float *b1 = dir->b_ih != RNN_NONE ? r->params + dir->b_ih : NULL;
  const float *b2 = cell->fold_hh_bias && dir->b_hh != RNN_NONE ? r->params + dir->b_hh : NULL;
  for (int m = 0; m < M; m++) {
    float *row = dir->gates + (size_t)m * N;
    if (b1 && b2)
      for (int n = 0; n < N; n++) row[n] = b1[n] + b2[n];
    else if (b1)
      memcpy(row, b1, (size_t)N * sizeof(float));
    else
      memset(row, 0, (size_t)N * sizeof(float));
  }
  rnn_forward_product(r, M, N, dir->in_dim, r->in, dir->in_dim, dir->pk_ih, dir->q_ih, dir->gates, N, 1);
}

/* hprev[t] = the state each sequence starts step t from: h0 at its first
 * step, else its output of the previous step (h0 too for sequences that have
 * no step t: their rows are never used). */
static void fill_hprev(const rnn_run *r, int t) {
  const int B = r->B, Ho = r->Hout;
  float *hp = r->dir->hprev + (size_t)t * B * Ho;
  for (int b = 0; b < B; b++) {
    const int from_h0 = t == rnn_first_time(r, b) || t >= rnn_len(r, b);
    const float *src = from_h0 ? r->h0 + (size_t)b * Ho
                           : r->out + ((size_t)rnn_prev_time(r, t) * B + b) * r->ld_out;
    memcpy(hp + (size_t)b * Ho, src, (size_t)Ho * sizeof(float));
  }
}

void rnn_direction_forward(const rnn_cell_def *cell, const rnn_run *r, float *hN,
                      float *cN) {
  const int B = r->B, Ho = r->Hout, H = r->H;
  input_projection(cell, r);
  if (cell->forward_seq) {
    cell->forward_seq(cell, r, hN);
    return;
  }
  for (int s = 0; s < r->T; s++) {
    const int t = rnn_step_time(r, s);
    fill_hprev(r, t);
    cell->forward_step(r, t);
    for (int b = 0; b < B; b++) {
      if (t != rnn_last_time(r, b)) continue;
      if (hN)
        memcpy(hN + (size_t)b * Ho, r->out + ((size_t)t * B + b) * r->ld_out,
               (size_t)Ho * sizeof(float));
      if (cN)
        memcpy(cN + (size_t)b * H, r->dir->aux + ((size_t)t * B + b) * H,
               (size_t)H * sizeof(float));
    }
  }
}

const float *rnn_gates_as_hidden_grads(const rnn_run *r) { return r->dir->gates; }

/* acc[j] += the sum of column j; sums of opposite terms can fall below
 * FLT_MIN, so the result is flushed (flush.h). */
static void add_column_sums(float *acc, const float *m, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    const float *row = m + (size_t)i * cols;
    for (int j = 0; j < cols; j++) acc[j] += row[j];
  }
  rnn_flush_array(acc, (size_t)cols);
}

/* BPTT step by step for the cells with a recurrent product. */
static void bptt(const rnn_cell_def *cell, const rnn_run *r, const float *dhN,
                 const float *dcN, float *dh0, float *dc0, float *dh, float *dc) {
  const int T = r->T, B = r->B, H = r->H, Ho = r->Hout;
  memset(dh, 0, (size_t)B * Ho * sizeof(float));
  memset(dc, 0, (size_t)B * H * sizeof(float));
  for (int s = T - 1; s >= 0; s--) {
    const int t = rnn_step_time(r, s);
    /* d hN, d cN enter at each sequence's own last step. */
    for (int b = 0; b < B; b++) {
      if (t != rnn_last_time(r, b)) continue;
      if (dhN)
        for (int j = 0; j < Ho; j++) dh[(size_t)b * Ho + j] = rnn_flush(dh[(size_t)b * Ho + j] + dhN[(size_t)b * Ho + j]);
      if (dcN)
        for (int j = 0; j < H; j++) dc[(size_t)b * H + j] = rnn_flush(dc[(size_t)b * H + j] + dcN[(size_t)b * H + j]);
    }
    cell->backward_step(r, t, dh, dc);
    /* d h0, d c0 leave at each sequence's own first step. */
    for (int b = 0; b < B; b++) {
      if (t != rnn_first_time(r, b)) continue;
      if (dh0) memcpy(dh0 + (size_t)b * Ho, dh + (size_t)b * Ho, (size_t)Ho * sizeof(float));
      if (dc0) memcpy(dc0 + (size_t)b * H, dc + (size_t)b * H, (size_t)H * sizeof(float));
    }
  }
}

void rnn_direction_backward(const rnn_cell_def *cell, const rnn_run *r,
                       const float *dhN, const float *dcN, float *dh0,
                       float *dc0, float *dx, int dx_accumulate, float *dh,
                       float *dc) {
  const rnn_direction *dir = r->dir;
  const int H = r->H, Ho = r->Hout, GH = cell->G * H;
  const int M = r->T * r->B;
  if (cell->backward_seq) cell->backward_seq(cell, r, dhN, dh0);
  else bptt(cell, r, dhN, dcN, dh0, dc0, dh, dc);

  const float *dG = dir->gates, *dGh = cell->hidden_grads(r);
  const int in = dir->in_dim;
  float *g = r->grads;
  /* dW_ih[GH][in] += dG^T [GH x TB] * in [TB x in] */
  rnn_sgemm(GH, in, M, dG, 1, GH, r->in, in, 1, g + dir->w_ih, in, 1, r->ws, r->ws_floats);
  /* dW_hh[GH][Hout] += dGh^T * hprev, over every step at once (with the
   * reset gate before the product, W_hn's rows take r * h_{t-1} instead) */
  if (dir->w_hh != RNN_NONE) {
    const int hrows = cell->reset_before ? 2 * H : GH;
    rnn_sgemm(hrows, Ho, M, dGh, 1, GH, dir->hprev, Ho, 1, g + dir->w_hh, Ho, 1, r->ws, r->ws_floats);
    if (cell->reset_before)
      rnn_sgemm(H, H, M, dGh + hrows, 1, GH, dir->aux, H, 1, g + dir->w_hh + (size_t)hrows * H, H, 1,
                r->ws, r->ws_floats);
  }
  /* dW_hr[P][H] += dhp^T * m */
  if (dir->w_hr != RNN_NONE)
    rnn_sgemm(Ho, H, M, dir->dhp, 1, Ho, dir->mproj, H, 1, g + dir->w_hr, H, 1, r->ws, r->ws_floats);
  if (dir->b_ih != RNN_NONE) {
    add_column_sums(g + dir->b_ih, dG, M, GH);
    if (dir->b_hh != RNN_NONE) add_column_sums(g + dir->b_hh, dGh, M, GH);
  }
  /* dx[TB][in] (+)= dG [TB x GH] * W_ih [GH x in] */
  if (dx) rnn_gemm_packed(M, in, GH, dG, GH, 1, dir->pk_ih_t, dx, in, dx_accumulate, r->ws, r->ws_floats);
}
