/* rnn_internal.h - structures shared by the engine's C files (not public). */
#ifndef RNN_INTERNAL_H
#define RNN_INTERNAL_H

#include "gemm.h"
#include "rnn.h"

#include <math.h>
#include <stddef.h>

#define RNN_NO_BIAS ((size_t)-1)

/* Records a failure message for rnn_last_error and returns status. */
int rnn_fail(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* One direction of one layer: its parameters (offsets into the model's flat
 * arrays), its packed weights and its forward cache. */
typedef struct {
  int in_dim;                      /* I for layer 0, D*H above */
  size_t w_ih, w_hh, b_ih, b_hh;   /* offsets; b_* = RNN_NO_BIAS without bias */
  float *pk_ih;   /* W_ih^T packed: K = in_dim, N = G*H (forward, all steps) */
  float *pk_hh;   /* W_hh^T packed: K = H, N = G*H (forward, per step) */
  float *pk_ih_t; /* W_ih packed: K = G*H, N = in_dim (backward dx) */
  float *pk_hh_t; /* W_hh packed: K = G*H, N = H (backward dh, per step) */
  float *gates;   /* [T*B][G*H] gate activations; overwritten by their gradients */
  float *aux;     /* [T*B][H] LSTM: c_t; GRU: W_hn h_{t-1} + b_hn */
  float *aux2;    /* [T*B][G*H] GRU only: hidden-side gate gradients */
} rnn_unit;

/* Everything a cell's forward/backward needs about one unit's run. */
typedef struct {
  int T, B, H, G, reverse;
  const float *params;
  float *grads;
  const rnn_unit *u;
  const float *in;  /* [T*B][in_dim] this layer's input */
  float *out;       /* this direction's h_t: out + (t*B + b)*ld_out */
  int ld_out;       /* D*H */
  const float *h0;  /* [B][H] */
  const float *c0;  /* [B][H] LSTM */
  float *tmp;       /* B*G*H floats of per-step scratch */
  float *gemm_ws;   /* rnn_sgemm workspace */
} rnn_run;

/* Forward writes out, and hN/cN ([B][H]) from the last step. */
typedef void (*rnn_cell_forward_fn)(const rnn_run *r, float *hN, float *cN);
/* Backward: dy (stride ld_out, may be NULL), dh/dc hold d hN / d cN on entry
 * and d h0 / d c0 on return; dx ([T*B][in_dim], may be NULL) is written or
 * accumulated into; parameter gradients accumulate. */
typedef void (*rnn_cell_backward_fn)(const rnn_run *r, const float *dy,
                                     float *dh, float *dc, float *dx,
                                     int dx_accumulate);

void rnn_lstm_forward(const rnn_run *r, float *hN, float *cN);
void rnn_lstm_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                       float *dx, int dx_accumulate);
void rnn_gru_forward(const rnn_run *r, float *hN, float *cN);
void rnn_gru_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                      float *dx, int dx_accumulate);
void rnn_rnn_forward(const rnn_run *r, float *hN, float *cN);
void rnn_rnn_backward(const rnn_run *r, const float *dy, float *dh, float *dc,
                      float *dx, int dx_accumulate);
void rnn_rnn_relu_forward(const rnn_run *r, float *hN, float *cN);
void rnn_rnn_relu_backward(const rnn_run *r, const float *dy, float *dh,
                           float *dc, float *dx, int dx_accumulate);

/* Helpers shared by the cells (cell_common.c). */
/* rows[T*B][N] = b1 + b2 (either may be NULL), then += in * W_ih^T. */
void rnn_input_projection(const rnn_run *r, const float *b1, const float *b2,
                          float *rows, int N);
/* The time step s (0..T-1) in the order this direction consumes them. */
static inline int rnn_step_time(const rnn_run *r, int s) {
  return r->reverse ? r->T - 1 - s : s;
}
/* h_{t-1} as seen by step time t: h0 for the first step, else the previous
 * step's output row (stride ld_out). */
const float *rnn_prev_h(const rnn_run *r, int t, ptrdiff_t *ld);
/* dW_ih += dG^T in; dW_hh += dGh^T h_prev (all steps); db_ih += sum dG;
 * db_hh += sum dGh; dx (+)= dG W_ih. dG: [T*B][G*H] input-side gate grads,
 * dGh: hidden-side (== dG for RNN/LSTM). */
void rnn_weight_grads(const rnn_run *r, const float *dG, const float *dGh,
                      float *dx, int dx_accumulate);

#endif
