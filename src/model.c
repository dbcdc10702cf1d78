/* model.c - a recurrent stack (layers x directions of one cell type): the
 * flat parameter and gradient arrays, init, packed weights, the activation
 * cache, and the layer-by-layer forward and backward drivers. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENSORS 256 /* layers * directions * 4 */
#define MAX_LAYERS 64
#define MAX_HIDDEN 65536
#define MAX_INPUT 1048576

typedef struct {
  char name[32];
  size_t offset;
  int rows, cols;
} rnn_tensor;

struct rnn_model {
  int cell, I, H, L, D, G, bias;
  size_t nparams;
  float *params, *grads;
  int ntensors;
  rnn_tensor tensors[MAX_TENSORS];
  rnn_unit units[2 * MAX_LAYERS]; /* index layer * D + direction */
  float *packed;                   /* all units' packed weights, one block */
  int packed_valid;
  rnn_cell_forward_fn forward;
  rnn_cell_backward_fn backward;

  /* Activation cache, sized for cap_rows = T*B rows and cap_B batch. */
  size_t cap_rows, cap_B;
  float *cache;
  float *x;        /* [T*B][I] copy of the input */
  float *outs;     /* L x [T*B][D*H] layer outputs */
  float *h0, *c0;  /* [L*D][B][H] initial states (zeros when not given) */
  float *dbuf[2];  /* [T*B][max(I, D*H)] gradients flowing down the stack */
  float *dh, *dc;  /* [B][H] */
  float *tmp;      /* [B][G*H] */
  float *gemm_ws;
  size_t gemm_ws_floats;
  int T, B;           /* of the cached forward */
  int have_forward;   /* a forward is cached and not yet consumed by backward */
};

static size_t unit_packed_floats(int in_dim, int H, int G) {
  return rnn_gemm_packed_size(in_dim, G * H) + rnn_gemm_packed_size(H, G * H) +
         rnn_gemm_packed_size(G * H, in_dim) + rnn_gemm_packed_size(G * H, H);
}

int rnn_model_create(int cell, int input_size, int hidden_size, int num_layers,
                     int bidirectional, int bias, uint32_t seed,
                     rnn_model **out) {
  if (!out) return rnn_fail(RNN_E_INVALID, "out pointer is NULL");
  *out = NULL;
  if (cell < RNN_CELL_RNN_TANH || cell > RNN_CELL_GRU)
    return rnn_fail(RNN_E_INVALID, "unknown cell type %d", cell);
  if (input_size < 1 || input_size > MAX_INPUT)
    return rnn_fail(RNN_E_INVALID, "inputSize must be in [1, %d], got %d",
                    MAX_INPUT, input_size);
  if (hidden_size < 1 || hidden_size > MAX_HIDDEN)
    return rnn_fail(RNN_E_INVALID, "hiddenSize must be in [1, %d], got %d",
                    MAX_HIDDEN, hidden_size);
  if (num_layers < 1 || num_layers > MAX_LAYERS)
    return rnn_fail(RNN_E_INVALID, "numLayers must be in [1, %d], got %d",
                    MAX_LAYERS, num_layers);
  const int G = cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 1;
  const int D = bidirectional ? 2 : 1;
  const int H = hidden_size;

  /* Count in 64 bits: wasm32's size_t overflows long before the checks do. */
  uint64_t nparams = 0, npacked = 0;
  for (int l = 0; l < num_layers; l++) {
    const uint64_t in = l == 0 ? (uint64_t)input_size : (uint64_t)D * H;
    const uint64_t per = (uint64_t)G * H * in + (uint64_t)G * H * H +
                         (bias ? 2ull * G * H : 0);
    nparams += per * D;
    npacked += (uint64_t)D * 2 * (per + 8ull * (in + H + G * H));
  }
  if (nparams > (SIZE_MAX / sizeof(float)) / 4 ||
      npacked > (SIZE_MAX / sizeof(float)) / 4)
    return rnn_fail(RNN_E_NOMEM, "model too large: %llu parameters",
                    (unsigned long long)nparams);

  rnn_model *m = calloc(1, sizeof *m);
  if (!m) return rnn_fail(RNN_E_NOMEM, "out of memory creating the model");
  m->cell = cell, m->I = input_size, m->H = H, m->L = num_layers, m->D = D;
  m->G = G, m->bias = bias ? 1 : 0;
  switch (cell) {
  case RNN_CELL_LSTM: m->forward = rnn_lstm_forward, m->backward = rnn_lstm_backward; break;
  case RNN_CELL_GRU: m->forward = rnn_gru_forward, m->backward = rnn_gru_backward; break;
  case RNN_CELL_RNN_RELU: m->forward = rnn_rnn_relu_forward, m->backward = rnn_rnn_relu_backward; break;
  default: m->forward = rnn_rnn_forward, m->backward = rnn_rnn_backward; break;
  }

  /* Tensor table in state_dict order: layer, direction, then w_ih, w_hh,
   * b_ih, b_hh. */
  size_t off = 0, packed_total = 0;
  for (int l = 0; l < num_layers; l++) {
    for (int d = 0; d < D; d++) {
      rnn_unit *u = &m->units[l * D + d];
      u->in_dim = l == 0 ? input_size : D * H;
      const char *sfx = d ? "_reverse" : "";
      const struct { const char *kind; int rows, cols; size_t *slot; } parts[4] = {
          {"weight_ih", G * H, u->in_dim, &u->w_ih},
          {"weight_hh", G * H, H, &u->w_hh},
          {"bias_ih", G * H, 1, &u->b_ih},
          {"bias_hh", G * H, 1, &u->b_hh}};
      u->b_ih = u->b_hh = RNN_NO_BIAS;
      for (int k = 0; k < (bias ? 4 : 2); k++) {
        rnn_tensor *t = &m->tensors[m->ntensors++];
        snprintf(t->name, sizeof t->name, "%s_l%d%s", parts[k].kind, l, sfx);
        t->offset = off, t->rows = parts[k].rows, t->cols = parts[k].cols;
        *parts[k].slot = off;
        off += (size_t)parts[k].rows * parts[k].cols;
      }
      packed_total += unit_packed_floats(u->in_dim, H, G);
    }
  }
  m->nparams = off;
  m->params = malloc(off * sizeof(float));
  m->grads = calloc(off, sizeof(float));
  m->packed = malloc(packed_total * sizeof(float));
  if (!m->params || !m->grads || !m->packed) {
    rnn_model_destroy(m);
    return rnn_fail(RNN_E_NOMEM, "out of memory for %zu parameters", off);
  }
  float *pk = m->packed;
  for (int k = 0; k < num_layers * D; k++) {
    rnn_unit *u = &m->units[k];
    u->pk_ih = pk, pk += rnn_gemm_packed_size(u->in_dim, G * H);
    u->pk_hh = pk, pk += rnn_gemm_packed_size(H, G * H);
    u->pk_ih_t = pk, pk += rnn_gemm_packed_size(G * H, u->in_dim);
    u->pk_hh_t = pk, pk += rnn_gemm_packed_size(G * H, H);
  }

  /* PyTorch's reset_parameters: every tensor U(-1/sqrt(H), 1/sqrt(H)). */
  rnn_rng g;
  rnn_rng_seed(&g, seed);
  const float k = 1.0f / sqrtf((float)H);
  for (size_t i = 0; i < off; i++) m->params[i] = rnn_rng_uniform(&g, -k, k);
  *out = m;
  return RNN_OK;
}

void rnn_model_destroy(rnn_model *m) {
  if (!m) return;
  free(m->params);
  free(m->grads);
  free(m->packed);
  free(m->cache);
  free(m->gemm_ws);
  free(m);
}

size_t rnn_model_num_params(const rnn_model *m) { return m->nparams; }
float *rnn_model_params(rnn_model *m) { return m->params; }
float *rnn_model_grads(rnn_model *m) { return m->grads; }
int rnn_model_num_tensors(const rnn_model *m) { return m->ntensors; }

int rnn_model_tensor(const rnn_model *m, int i, const char **name,
                     size_t *offset, int *rows, int *cols) {
  if (i < 0 || i >= m->ntensors) return 0;
  const rnn_tensor *t = &m->tensors[i];
  if (name) *name = t->name;
  if (offset) *offset = t->offset;
  if (rows) *rows = t->rows;
  if (cols) *cols = t->cols;
  return t->cols == 1 && strncmp(t->name, "bias", 4) == 0 ? 1 : 2;
}

void rnn_model_params_changed(rnn_model *m) { m->packed_valid = 0; }

void rnn_model_zero_grad(rnn_model *m) {
  memset(m->grads, 0, m->nparams * sizeof(float));
}

/* Pack once per parameter change: forward uses W^T panels, backward W. */
static void pack_weights(rnn_model *m) {
  if (m->packed_valid) return;
  const int GH = m->G * m->H, H = m->H;
  for (int k = 0; k < m->L * m->D; k++) {
    rnn_unit *u = &m->units[k];
    const float *wih = m->params + u->w_ih, *whh = m->params + u->w_hh;
    rnn_gemm_pack_b(u->in_dim, GH, wih, 1, u->in_dim, u->pk_ih);
    rnn_gemm_pack_b(H, GH, whh, 1, H, u->pk_hh);
    rnn_gemm_pack_b(GH, u->in_dim, wih, u->in_dim, 1, u->pk_ih_t);
    rnn_gemm_pack_b(GH, H, whh, H, 1, u->pk_hh_t);
  }
  m->packed_valid = 1;
}

/* Grow the activation cache to hold T*B rows and batch B. Only allocates
 * when a call needs more than any earlier one. */
static int reserve_cache(rnn_model *m, int T, int B) {
  /* Every buffer's size is checked in 64 bits first: on wasm32, size_t
   * arithmetic would wrap around long before malloc could fail. */
  if ((uint64_t)T * (uint64_t)B > (uint64_t)INT32_MAX / 8)
    return rnn_fail(RNN_E_NOMEM, "sequence too large: T*B = %llu rows",
                    (unsigned long long)((uint64_t)T * (uint64_t)B));
  const size_t rows = (size_t)T * B;
  const int DH = m->D * m->H, GH = m->G * m->H;
  const int widest = m->I > DH ? m->I : DH;
  const int maxn = widest > m->H ? widest : m->H;
  const uint64_t ws64 = rnn_gemm_workspace_size((int)rows, maxn);
  if (ws64 > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "sequence too large for the GEMM workspace");
  const size_t ws = (size_t)ws64;
  if (ws > m->gemm_ws_floats) {
    float *p = malloc(ws * sizeof(float));
    if (!p) return rnn_fail(RNN_E_NOMEM, "out of memory for the GEMM workspace (%zu floats)", ws);
    free(m->gemm_ws);
    m->gemm_ws = p, m->gemm_ws_floats = ws;
  }
  if (rows <= m->cap_rows && (size_t)B <= m->cap_B) return RNN_OK;
  const size_t cap_rows = rows > m->cap_rows ? rows : m->cap_rows;
  const size_t cap_B = (size_t)B > m->cap_B ? (size_t)B : m->cap_B;
  const size_t LD = (size_t)m->L * m->D, H = m->H;
  const uint64_t per_unit = (uint64_t)cap_rows * GH + (uint64_t)cap_rows * H +
                            (m->cell == RNN_CELL_GRU ? (uint64_t)cap_rows * GH : 0);
  const uint64_t total = (uint64_t)cap_rows * m->I + (uint64_t)m->L * cap_rows * DH +
                         2ull * LD * cap_B * H + 2ull * cap_rows * widest +
                         2ull * cap_B * H + (uint64_t)cap_B * GH + LD * per_unit;
  if (total > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "sequence too large: T*B = %zu rows", rows);
  float *c = malloc((size_t)total * sizeof(float));
  if (!c)
    return rnn_fail(RNN_E_NOMEM, "out of memory for activations of T*B = %zu rows (%llu MB)",
                    rows, (unsigned long long)(total * 4 >> 20));
  free(m->cache);
  m->cache = c, m->cap_rows = cap_rows, m->cap_B = cap_B;
  m->x = c, c += cap_rows * m->I;
  m->outs = c, c += (size_t)m->L * cap_rows * DH;
  m->h0 = c, c += LD * cap_B * H;
  m->c0 = c, c += LD * cap_B * H;
  m->dbuf[0] = c, c += cap_rows * widest;
  m->dbuf[1] = c, c += cap_rows * widest;
  m->dh = c, c += cap_B * H;
  m->dc = c, c += cap_B * H;
  m->tmp = c, c += cap_B * GH;
  for (size_t k = 0; k < LD; k++) {
    rnn_unit *u = &m->units[k];
    u->gates = c, c += cap_rows * GH;
    u->aux = c, c += cap_rows * H;
    u->aux2 = NULL;
    if (m->cell == RNN_CELL_GRU) u->aux2 = c, c += cap_rows * GH;
  }
  return RNN_OK;
}

static rnn_run make_run(rnn_model *m, int l, int d) {
  const int B = m->B, H = m->H, DH = m->D * H;
  const size_t rows = (size_t)m->T * B;
  rnn_run r;
  r.T = m->T, r.B = B, r.H = H, r.G = m->G, r.reverse = d;
  r.params = m->params, r.grads = m->grads;
  r.u = &m->units[l * m->D + d];
  r.in = l == 0 ? m->x : m->outs + (size_t)(l - 1) * rows * DH;
  r.out = m->outs + (size_t)l * rows * DH + (size_t)d * H;
  r.ld_out = DH;
  r.h0 = m->h0 + (size_t)(l * m->D + d) * B * H;
  r.c0 = m->c0 + (size_t)(l * m->D + d) * B * H;
  r.tmp = m->tmp;
  r.gemm_ws = m->gemm_ws;
  return r;
}

int rnn_model_forward(rnn_model *m, int T, int B, const float *x,
                      const float *h0, const float *c0, float *output,
                      float *hN, float *cN) {
  if (!m) return rnn_fail(RNN_E_INVALID, "model is NULL");
  if (T < 1 || B < 1)
    return rnn_fail(RNN_E_SHAPE, "sequence length and batch must be >= 1, got T=%d B=%d", T, B);
  if (!x || !output) return rnn_fail(RNN_E_INVALID, "x and output must not be NULL");
  m->have_forward = 0;
  int st = reserve_cache(m, T, B);
  if (st) return st;
  pack_weights(m);
  m->T = T, m->B = B;
  const int H = m->H, LD = m->L * m->D, DH = m->D * H;
  const size_t rows = (size_t)T * B, state = (size_t)LD * B * H;
  memcpy(m->x, x, rows * m->I * sizeof(float));
  if (h0) memcpy(m->h0, h0, state * sizeof(float));
  else memset(m->h0, 0, state * sizeof(float));
  if (m->cell == RNN_CELL_LSTM && c0) memcpy(m->c0, c0, state * sizeof(float));
  else memset(m->c0, 0, state * sizeof(float));

  for (int l = 0; l < m->L; l++)
    for (int d = 0; d < m->D; d++) {
      rnn_run r = make_run(m, l, d);
      const size_t k = (size_t)(l * m->D + d) * B * H;
      m->forward(&r, hN ? hN + k : NULL,
                 cN && m->cell == RNN_CELL_LSTM ? cN + k : NULL);
    }
  memcpy(output, m->outs + (size_t)(m->L - 1) * rows * DH, rows * DH * sizeof(float));
  m->have_forward = 1;
  return RNN_OK;
}

int rnn_model_backward(rnn_model *m, const float *d_output, const float *d_hN,
                       const float *d_cN, float *dx, float *dh0, float *dc0) {
  if (!m) return rnn_fail(RNN_E_INVALID, "model is NULL");
  if (!m->have_forward)
    return rnn_fail(RNN_E_STATE, "backward needs a forward first (one backward per forward)");
  m->have_forward = 0; /* backward overwrites the cached activations */
  const size_t bh = (size_t)m->B * m->H;
  const int H = m->H;
  const int is_lstm = m->cell == RNN_CELL_LSTM;

  /* Gradient arriving at the current layer's output, [T*B][D*H]. */
  const float *dy = d_output;
  int which = 0;
  for (int l = m->L - 1; l >= 0; l--) {
    float *dx_layer = NULL;
    if (l > 0) dx_layer = m->dbuf[which];
    else if (dx) dx_layer = dx;
    for (int d = 0; d < m->D; d++) {
      rnn_run r = make_run(m, l, d);
      const size_t k = (size_t)(l * m->D + d) * bh;
      if (d_hN) memcpy(m->dh, d_hN + k, bh * sizeof(float));
      else memset(m->dh, 0, bh * sizeof(float));
      if (is_lstm && d_cN) memcpy(m->dc, d_cN + k, bh * sizeof(float));
      else memset(m->dc, 0, bh * sizeof(float));
      m->backward(&r, dy ? dy + (size_t)d * H : NULL, m->dh, m->dc, dx_layer, d > 0);
      if (dh0) memcpy(dh0 + k, m->dh, bh * sizeof(float));
      if (dc0 && is_lstm) memcpy(dc0 + k, m->dc, bh * sizeof(float));
    }
    dy = dx_layer;
    which ^= 1;
  }
  return RNN_OK;
}
