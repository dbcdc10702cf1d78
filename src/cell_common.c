/* cell_common.c - the parts of a recurrent layer's forward and backward that
 * do not depend on the cell: the input projection of all time steps as one
 * GEMM, and the weight gradients as GEMMs over all time steps. */
#include "rnn_internal.h"

#include <string.h>

void rnn_input_projection(const rnn_run *r, const float *b1, const float *b2,
                          float *rows, int N) {
  const int M = r->T * r->B;
  for (int m = 0; m < M; m++) {
    float *row = rows + (size_t)m * N;
    if (b1 && b2)
      for (int n = 0; n < N; n++) row[n] = b1[n] + b2[n];
    else if (b1)
      memcpy(row, b1, (size_t)N * sizeof(float));
    else
      memset(row, 0, (size_t)N * sizeof(float));
  }
  rnn_gemm_packed(M, N, r->u->in_dim, r->in, r->u->in_dim, 1, r->u->pk_ih,
                  rows, N, 1);
}

const float *rnn_prev_h(const rnn_run *r, int t, ptrdiff_t *ld) {
  const int first = r->reverse ? r->T - 1 : 0;
  if (t == first) {
    *ld = r->H;
    return r->h0;
  }
  const int tp = r->reverse ? t + 1 : t - 1;
  *ld = r->ld_out;
  return r->out + (size_t)tp * r->B * r->ld_out;
}

static void add_column_sums(float *acc, const float *m, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    const float *row = m + (size_t)i * cols;
    for (int j = 0; j < cols; j++) acc[j] += row[j];
  }
}

void rnn_weight_grads(const rnn_run *r, const float *dG, const float *dGh,
                      float *dx, int dx_accumulate) {
  const rnn_unit *u = r->u;
  const int T = r->T, B = r->B, H = r->H, GH = r->G * r->H, in = u->in_dim;
  const int M = T * B;
  float *g = r->grads;

  /* dW_ih[GH][in] += dG^T [GH x TB] * in [TB x in] */
  rnn_sgemm(GH, in, M, dG, 1, GH, r->in, in, 1, g + u->w_ih, in, 1, r->gemm_ws);

  /* dW_hh[GH][H] += dGh^T * h_prev. The first step pairs with h0; the others
   * with the neighbouring output rows, which are contiguous (stride ld_out). */
  const int first = r->reverse ? T - 1 : 0;
  const float *dGh_first = dGh + (size_t)first * B * GH;
  rnn_sgemm(GH, H, B, dGh_first, 1, GH, r->h0, H, 1, g + u->w_hh, H, 1,
            r->gemm_ws);
  if (T > 1) {
    /* forward: dGh rows t=1..T-1 with out rows t=0..T-2;
     * reverse: dGh rows t=0..T-2 with out rows t=1..T-1. */
    const float *dGh_rest = r->reverse ? dGh : dGh + (size_t)B * GH;
    const float *h_rest = r->reverse ? r->out + (size_t)B * r->ld_out : r->out;
    rnn_sgemm(GH, H, (T - 1) * B, dGh_rest, 1, GH, h_rest, r->ld_out, 1,
              g + u->w_hh, H, 1, r->gemm_ws);
  }

  if (u->b_ih != RNN_NO_BIAS) {
    add_column_sums(g + u->b_ih, dG, M, GH);
    add_column_sums(g + u->b_hh, dGh, M, GH);
  }

  /* dx[TB][in] (+)= dG [TB x GH] * W_ih [GH x in] */
  if (dx)
    rnn_gemm_packed(M, in, GH, dG, GH, 1, u->pk_ih_t, dx, in, dx_accumulate);
}
