/* rnn_internal.h - structures shared by the engine's C files (not public). */
#ifndef RNN_INTERNAL_H
#define RNN_INTERNAL_H

#include "flush.h"
#include "gemm.h"
#include "parallel.h"
#include "qgemm.h"
#include "rnn.h"
#include "rnn_testing.h"
#include "rnn_threads.h"

#include <math.h>
#include <stddef.h>

#define RNN_NONE ((size_t)-1) /* offset of a parameter the model does not have */

/* Code that runs per call or per frame, not inside the products' inner
 * loops (the CTC loss, the audio front-end): compiled for size, since every
 * byte of rnn.wasm is downloaded (tests/payload.test.mjs). */
#ifdef __clang__
#define RNN_SMALL __attribute__((minsize))
/* Cold code that must not be inlined into a hot caller (which is not minsize). */
#define RNN_COLD __attribute__((minsize, noinline))
/* A whole file of such code, between these two (after its #includes, so the
 * inline helpers of flush.h and vmath.h keep their speed). */
#define RNN_SMALL_FILE_BEGIN _Pragma("clang attribute push (__attribute__((minsize)), apply_to = function)")
#define RNN_SMALL_FILE_END _Pragma("clang attribute pop")
#else
#define RNN_SMALL
#define RNN_COLD
#define RNN_SMALL_FILE_BEGIN
#define RNN_SMALL_FILE_END
#endif

/* sin x and cos x in double for |x| up to a few thousand (sincos.c: window functions, FFT
 * twiddles, Box-Muller), without libm's reduction of any double. */
void rnn_sincos(double x, double *s, double *c);

/* snprintf for the conversions the engine uses: %d %s %zu %llu %g (status.c). */
void rnn_format(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records a failure message for rnn_last_error and returns status. */
int rnn_fail(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A layer's input cache buf (capacity *cap elements of `size` bytes) made
 * to hold n: buf itself when it does (steady calls allocate nothing), else a
 * new block (buf freed); NULL (buf kept, RNN_E_NOMEM recorded) without
 * memory. */
void *rnn_input_cache(void *buf, size_t *cap, uint64_t n, size_t size);

/* The checks every backward starts with: the object (named `what` in the
 * message) is not NULL and holds a forward not yet consumed. */
int rnn_backward_ready(const void *layer, const char *what, int have_forward);

/* The parameter holder every module embeds (params.c). */
typedef struct {
  char name[32]; /* state_dict name */
  size_t offset; /* floats from the start of values / grads */
  int rows, cols, dims;
} rnn_tensor;

struct rnn_params {
  size_t count;
  float *values, *grads;
  rnn_tensor *tensors;
  int ntensors, max_tensors;
  unsigned version; /* moves on rnn_params_changed */
  int quantized;    /* rnn_params_quantize: forward products in int8 */
};

/* The int8 products (qgemm.h) as the engine calls them. In the shipped wasm
 * engines (built with RNN_INT8_LAZY) qgemm*.c is a module of its own,
 * rnn-int8*.wasm, which rnn.loadInt8() (js/int8.js) fetches on first use
 * and hands over through rnn_int8_attach; until then rnn_int8.pack is NULL
 * and quantizing fails with RNN_E_STATE. Elsewhere (C tests, fuzz targets,
 * native builds) they are qgemm.c's functions. */
typedef struct {
  size_t (*packed_size)(int K, int N);
  void (*pack)(int K, int N, rnn_pack_get get, const void *ctx, void *packed);
  size_t (*workspace_size)(int K);
  void (*packed)(int M, int N, int K, const float *a, ptrdiff_t lda, const void *packed, float *c,
                 ptrdiff_t ldc, int accumulate, void *ws, size_t ws_bytes);
  void (*snap_row)(int K, float *row);
  void (*packed2)(int N, int K1, const float *a1, const void *packed1, int K2, const float *a2,
                  const void *packed2, const float *bias, float *c, void *ws, size_t ws_bytes);
} rnn_int8_ops;
extern rnn_int8_ops rnn_int8;

/* The check every backward of a quantizable module makes. */
int rnn_params_trainable(const rnn_params *p, const char *what);
/* (Re)allocates *block to hold bytes (kept when it already does); the q packs
 * of a module live in one such block. */
int rnn_qblock_reserve(void **block, size_t *cap, size_t bytes);

/* Building one: init (room for max_tensors), add the tensors in state_dict
 * order (each returns its offset), then alloc values and zeroed grads. */
int rnn_params_init(rnn_params *p, int max_tensors);
size_t rnn_params_add(rnn_params *p, const char *name, int rows, int cols, int dims);
int rnn_params_alloc(rnn_params *p);
void rnn_params_free(rnn_params *p);

/* One direction of one layer: its parameters (offsets into the model's flat
 * arrays), its packed weights and its forward cache. Hout is the size of h:
 * the projection size P for a projected LSTM, else H. */
typedef struct {
  int in_dim;                          /* I for layer 0, D*Hout above */
  size_t w_ih, w_hh, b_ih, b_hh, w_hr; /* offsets; RNN_NONE when absent */
  float *pk_ih;   /* W_ih^T packed: K = in_dim, N = G*H (forward, all steps) */
  float *pk_hh;   /* W_hh^T packed: K = Hout, N = G*H (forward, per step) */
  float *pk_ih_t; /* W_ih packed: K = G*H, N = in_dim (backward dx) */
  float *pk_hh_t; /* W_hh packed: K = G*H, N = Hout (backward dh, per step) */
  float *pk_hr;   /* W_hr^T packed: K = H, N = P (projection forward) */
  float *pk_hr_t; /* W_hr packed: K = P, N = H (projection backward) */
  /* GRU with the reset gate before the product: W_hn apart, as W_hn^T
   * (K = H, N = H, forward on r * h) and W_hn (K = H, N = H, backward);
   * pk_hh and pk_hh_t then hold the r and z rows only */
  float *pk_hn, *pk_hn_t;
  /* int8 packs of the forward products (qgemm.h) when the model is
   * quantized, else NULL: W_ih, W_hh (GRU reset before: r, z rows), W_hn, W_hr */
  const void *q_ih, *q_hh, *q_hn, *q_hr;
  /* Forward cache, [T*B] rows each */
  float *gates;   /* [G*H] gate activations; overwritten by their gradients */
  float *aux;     /* [H] LSTM: c_t; GRU: W_hn h_{t-1} + b_hn (reset before: r * h_{t-1}) */
  float *aux2;    /* [G*H] GRU only: hidden-side gate gradients */
  float *hprev;   /* [Hout] the h_{t-1} each step started from */
  float *mproj;   /* [H] projected LSTM: o * tanh(c_t) before W_hr */
  float *dhp;     /* [P] projected LSTM: d h_t (backward) */
} rnn_direction;

/* Everything a cell's forward/backward needs about one direction's run. */
typedef struct {
  int T, B, H, Hout, G, reverse;
  int gate; /* rnn_gate_activation */
  const int32_t *lengths; /* [B] or NULL: every sequence has T steps */
  const float *params;
  float *grads;
  const rnn_direction *dir;
  const float *in;  /* [T*B][in_dim] this layer's input */
  float *out;       /* this direction's h_t: out + (t*B + b)*ld_out */
  int ld_out;       /* D*Hout */
  const float *h0;  /* [B][Hout] */
  const float *c0;  /* [B][H] LSTM */
  const float *dy;  /* backward: d out, same layout as out, or NULL */
  float *tmp;       /* B*G*H floats of per-step scratch */
  float *ws;        /* GEMM workspace: rnn_sgemm's, and rnn_gemm_packed's A blocks */
  size_t ws_floats;
} rnn_run;

/* c (+)= a * W^T, a forward product of a sequence: through the int8 pack q
 * when the model is quantized, else the float pack pk. */
static inline void rnn_forward_product(const rnn_run *r, int M, int N, int K, const float *a,
                                       ptrdiff_t lda, const float *pk, const void *q, float *c,
                                       ptrdiff_t ldc, int accumulate) {
  if (q) rnn_int8.packed(M, N, K, a, lda, q, c, ldc, accumulate, r->ws, r->ws_floats * sizeof(float));
  else rnn_gemm_packed(M, N, K, a, lda, 1, pk, c, ldc, accumulate, r->ws, r->ws_floats);
}

static inline int rnn_len(const rnn_run *r, int b) {
  return r->lengths ? r->lengths[b] : r->T;
}
/* The time step s (0..T-1) in the order this direction consumes them. */
static inline int rnn_step_time(const rnn_run *r, int s) {
  return r->reverse ? r->T - 1 - s : s;
}
/* Time of the step a sequence starts at (from h0) and ends at (hN). */
static inline int rnn_first_time(const rnn_run *r, int b) {
  return r->reverse ? rnn_len(r, b) - 1 : 0;
}
static inline int rnn_last_time(const rnn_run *r, int b) {
  return r->reverse ? 0 : rnn_len(r, b) - 1;
}
/* The time of the step before t in this direction's order. */
static inline int rnn_prev_time(const rnn_run *r, int t) {
  return r->reverse ? t + 1 : t - 1;
}

/* One layer's step of a stream (stream.c), as a cell's stream_step sees it:
 * batch row b reads [x_t, 1, h_{t-1}] at a + b*row and leaves h_t at
 * h + b*row (in place); g is [B][G*H] gate scratch (the taps), c LSTM's
 * cell state [B][H], gh GRU's hidden side [B][3H], mproj a projected LSTM's
 * [B][H]. product(stream, ...) runs c[B][N] = a[B][K] * packed over the B
 * rows with the stream's kernel (float panels, or an int8 product's parts
 * when the model is quantized: the cells only pass them on). The packs: w over the whole [x, 1, h]
 * (GRU: the r and z rows only), w_nx over [x, 1] and w_nh over [1, h]
 * (GRU's n rows), w_hr the projection; rh (a GRU with the reset gate
 * before the product; else NULL) is gh, whose rows start with the
 * [1, r * h] (the 1 with bias) the n rows' hidden product reads. */
typedef struct {
  int B, H, Hout, in, K, bias, gate;
  ptrdiff_t row;
  const float *a;
  float *h, *g, *c, *gh, *mproj, *rh;
  const void *w, *w_nx, *w_nh, *w_hr;
  void (*product)(const void *stream, int N, int K, const float *a, ptrdiff_t lda,
                  const void *packed, float *c, ptrdiff_t ldc);
  const void *stream;
  const struct rnn_cell_def *cell;
} rnn_stream_layer_step;

/* Every kernel flushes the subnormals it produces: see flush.h (a cell's
 * pointwise rows flush what they store: states, activations, gate gradients,
 * BPTT carries).
 *
 * A cell type: how one time step runs forward and backward, over a
 * sequence and in a stream. The drivers in cell_common.c own the time loop,
 * variable lengths, the input projection and the weight gradients.
 * forward_step: dir->gates[t] holds the input projection; hprev[t] is filled.
 *   Adds the recurrent product, runs the pointwise pass for active rows and
 *   writes out[t] (zero rows for sequences that have ended).
 * backward_step: dh/dc hold d h_t, d c_t (without dy); for active rows it
 *   turns gates[t] into gate gradients (zero for ended rows), then leaves
 *   d h_{t-1} in dh and d c_{t-1} in dc.
 * stream_step: one step of one stream layer (rnn_stream_layer_step).
 * Cells whose gates read x only (cell_min.c) have no W_hh / b_hh and run the
 * whole sequence at once instead of forward_step / backward_step:
 * forward_seq gets gates = the input projection and writes out (and hN);
 * backward_seq leaves the gate gradients in gates and writes dh0 (may be
 * NULL). tmp then holds 2 * RNN_SCAN_MAX_CHUNKS * B * H floats. */
#define RNN_SCAN_MAX_CHUNKS 8
typedef struct rnn_cell_def rnn_cell_def;
struct rnn_cell_def {
  int G;
  int fold_hh_bias; /* 1: b_hh joins b_ih in the input projection (not GRU) */
  int cell_state;   /* 1: a cell state c besides h (LSTM) */
  int split_n;      /* 1: the n gate's input and hidden sides stay apart (GRU) */
  int reset_before; /* 1: W_hn multiplies r * h_{t-1} (aux), not h_{t-1} */
  void (*forward_step)(const rnn_run *r, int t);
  void (*backward_step)(const rnn_run *r, int t, float *dh, float *dc);
  /* [T*B][G*H] hidden-side gate gradients (GRU: aux2; others: gates) */
  const float *(*hidden_grads)(const rnn_run *r);
  void (*stream_step)(const rnn_stream_layer_step *st);
  int log_space; /* min cells: the paper's log-space variant (h~ through g) */
  void (*forward_seq)(const rnn_cell_def *cell, const rnn_run *r, float *hN);
  void (*backward_seq)(const rnn_cell_def *cell, const rnn_run *r, const float *dhN, float *dh0);
};

/* The cell definition of a configuration (model.c). */
const rnn_cell_def *rnn_cell_def_of(const rnn_model_config *cfg);

/* g[0..n) = the gate activation `gate` (rnn_gate_activation) of g + add
 * (add may be NULL), in place (cell_common.c). */
void rnn_gate_activate(float *g, const float *add, int n, int gate);

/* Before a loop that SIMD code already covers (a tail) or that is short
 * beside the gate math: not auto-vectorized, which would only add code. */
#ifdef __clang__
#define RNN_TAIL_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define RNN_TAIL_LOOP
#endif

/* For cells whose hidden-side gate gradients equal the input-side ones. */
const float *rnn_gates_as_hidden_grads(const rnn_run *r);

extern const rnn_cell_def rnn_cell_lstm, rnn_cell_gru, rnn_cell_gru_reset_before,
    rnn_cell_rnn_tanh, rnn_cell_rnn_relu, rnn_cell_min_gru, rnn_cell_min_lstm,
    rnn_cell_min_gru_log, rnn_cell_min_lstm_log;

/* Model accessors for stream.c (model.c). */
const rnn_model_config *rnn_model_config_of(const rnn_model *m);
const rnn_direction *rnn_model_direction(const rnn_model *m, int k);

void rnn_direction_forward(const rnn_cell_def *cell, const rnn_run *r, float *hN,
                      float *cN);
/* dhN/dcN ([B][Hout], [B][H]) may be NULL; dh0/dc0 are written unless NULL;
 * dx (may be NULL) is written or accumulated into; parameter gradients
 * accumulate. dh/dc are [B][Hout]/[B][H] scratch. */
void rnn_direction_backward(const rnn_cell_def *cell, const rnn_run *r,
                       const float *dhN, const float *dcN, float *dh0,
                       float *dc0, float *dx, int dx_accumulate, float *dh,
                       float *dc);

#endif
