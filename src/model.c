/* model.c - a recurrent stack (layers x directions of one cell type): the
 * flat parameter and gradient arrays, init, packed weights, the activation
 * cache, dropout between layers, and the layer-by-layer forward and backward
 * drivers. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 64
#define MAX_TENSORS (2 * MAX_LAYERS * 5) /* directions x w_ih, w_hh, b_ih, b_hh, w_hr */
#define MAX_HIDDEN 65536
#define MAX_INPUT 1048576

struct rnn_model {
  rnn_model_config cfg;
  int I, H, Hout, L, D, G;
  const rnn_cell_def *cell;
  int training;
  rnn_params params;
  rnn_direction dirs[2 * MAX_LAYERS]; /* index layer * D + direction */
  float *packed;                   /* all directions' packed weights, one block */
  unsigned packed_version;         /* params.version they were packed at */
  void *qblock;                    /* quantized: every direction's int8 packs */
  size_t qcap;
  rnn_rng dropout_rng;

  /* Activation cache, sized for cap_rows = T*B rows and cap_B batch. */
  size_t cap_rows, cap_B;
  float *cache;
  float *x;          /* [T*B][I] copy of the input */
  float *outs;       /* L x [T*B][D*Hout] layer outputs */
  float *masks;      /* (L-1) x [T*B][D*Hout] dropout scales (0 or 1/(1-p)) */
  float *dropped;    /* (L-1) x [T*B][D*Hout] masked outputs: next layer's input */
  float *h0, *c0;    /* [L*D][B][Hout], [L*D][B][H] initial states (zeros when not given) */
  int32_t *lengths;  /* [B] copy, when given */
  float *dbuf[2];    /* [T*B][max(I, D*Hout)] gradients flowing down the stack */
  float *dh, *dc;    /* [B][Hout], [B][H] */
  float *tmp;        /* [B][G*H] */
  float *ws; /* GEMM workspace (rnn_run.ws) */
  size_t ws_floats;
  int T, B, has_lengths, dropout_on; /* of the cached forward */
  int have_forward; /* a forward is cached and not yet consumed by backward */
};

/* hh: the cell has W_hh (not the min cells). pk_hh_t of a GRU with the
 * reset gate before the product: the r and z rows (K = 2H), then pk_hn_t
 * (K = H): together the size of all 3H rows. */
static size_t direction_packed_floats(int in_dim, int H, int Ho, int G, int proj, int hh,
                                      int before) {
  size_t n = rnn_gemm_packed_size(in_dim, G * H) + rnn_gemm_packed_size(G * H, in_dim);
  if (hh) n += rnn_gemm_packed_size(Ho, G * H) + rnn_gemm_packed_size(G * H, Ho);
  if (proj) n += rnn_gemm_packed_size(H, Ho) + rnn_gemm_packed_size(Ho, H);
  if (before) n += rnn_gemm_packed_size(H, H);
  return n;
}

static int check_config(const rnn_model_config *c) {
  if (c->cell < RNN_CELL_RNN_TANH || c->cell > RNN_CELL_MIN_LSTM_LOG)
    return rnn_fail(RNN_E_INVALID, "unknown cell type %d", c->cell);
  if (c->input_size < 1 || c->input_size > MAX_INPUT)
    return rnn_fail(RNN_E_INVALID, "inputSize must be in [1, %d], got %d", MAX_INPUT, c->input_size);
  if (c->hidden_size < 1 || c->hidden_size > MAX_HIDDEN)
    return rnn_fail(RNN_E_INVALID, "hiddenSize must be in [1, %d], got %d", MAX_HIDDEN, c->hidden_size);
  if (c->num_layers < 1 || c->num_layers > MAX_LAYERS)
    return rnn_fail(RNN_E_INVALID, "numLayers must be in [1, %d], got %d", MAX_LAYERS, c->num_layers);
  if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
    return rnn_fail(RNN_E_INVALID, "dropout must be in [0, 1), got %g", c->dropout);
  if (c->proj_size < 0 || (c->proj_size > 0 && c->cell != RNN_CELL_LSTM))
    return rnn_fail(RNN_E_INVALID, "projSize is for LSTM only and must be >= 0, got %d", c->proj_size);
  if (c->proj_size >= c->hidden_size)
    return rnn_fail(RNN_E_INVALID, "projSize must be smaller than hiddenSize (%d), got %d",
                    c->hidden_size, c->proj_size);
  if (c->gate_activation < 0 || c->gate_activation >= RNN_GATE_COUNT ||
      (c->gate_activation && c->cell != RNN_CELL_LSTM && c->cell != RNN_CELL_GRU))
    return rnn_fail(RNN_E_INVALID, "gateActivation is for LSTM and GRU only and must be in [0, %d), got %d",
                    RNN_GATE_COUNT, c->gate_activation);
  if (c->reset_before != 0 && (c->reset_before != 1 || c->cell != RNN_CELL_GRU))
    return rnn_fail(RNN_E_INVALID, "resetAfter is for GRU only (reset_before 0 or 1), got %d",
                    c->reset_before);
  return RNN_OK;
}

/* Indexed by rnn_cell (checked by check_config). */
const rnn_cell_def *rnn_cell_def_of(const rnn_model_config *cfg) {
  static const rnn_cell_def *const defs[] = {&rnn_cell_rnn_tanh, &rnn_cell_rnn_relu,
                                             &rnn_cell_lstm, &rnn_cell_gru,
                                             &rnn_cell_min_gru, &rnn_cell_min_lstm,
                                             &rnn_cell_min_gru_log, &rnn_cell_min_lstm_log};
  return cfg->reset_before ? &rnn_cell_gru_reset_before : defs[cfg->cell];
}

RNN_SMALL int rnn_model_create(const rnn_model_config *cfg, rnn_model **out) {
  if (!out || !cfg) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *out = NULL;
  int st = check_config(cfg);
  if (st) return st;
  const int G = rnn_cell_def_of(cfg)->G, before = cfg->reset_before;
  const int hh = !rnn_cell_def_of(cfg)->forward_seq; /* W_hh, b_hh */
  const int D = cfg->bidirectional ? 2 : 1;
  const int H = cfg->hidden_size, P = cfg->proj_size, Ho = P ? P : H;
  const int L = cfg->num_layers;

  /* Count in 64 bits: wasm32's size_t overflows long before the checks do. */
  uint64_t nparams = 0;
  for (int l = 0; l < L; l++) {
    const uint64_t in = l == 0 ? (uint64_t)cfg->input_size : (uint64_t)D * Ho;
    const uint64_t per = (uint64_t)G * H * in + (uint64_t)hh * G * H * Ho +
                         (cfg->bias ? (1ull + hh) * G * H : 0) + (uint64_t)P * H;
    nparams += per * D;
  }
  /* parameters, gradients and about twice as much packed */
  if (nparams > (SIZE_MAX / sizeof(float)) / 8)
    return rnn_fail(RNN_E_NOMEM, "model too large: %llu parameters", (unsigned long long)nparams);

  rnn_model *m = calloc(1, sizeof *m);
  if (!m) return rnn_fail(RNN_E_NOMEM, "out of memory creating the model");
  if ((st = rnn_params_init(&m->params, MAX_TENSORS))) {
    rnn_model_destroy(m);
    return st;
  }
  m->cfg = *cfg;
  m->I = cfg->input_size, m->H = H, m->Hout = Ho, m->L = L, m->D = D, m->G = G;
  m->cell = rnn_cell_def_of(cfg);
  m->training = 1;

  /* Tensor table in state_dict order: layer, direction, then w_ih, w_hh,
   * b_ih, b_hh, w_hr. */
  size_t packed_total = 0;
  for (int l = 0; l < L; l++) {
    for (int d = 0; d < D; d++) {
      rnn_direction *dir = &m->dirs[l * D + d];
      dir->in_dim = l == 0 ? cfg->input_size : D * Ho;
      dir->w_hh = dir->b_ih = dir->b_hh = dir->w_hr = RNN_NONE;
      const struct { const char *kind; int rows, cols; size_t *slot; int present; } parts[5] = {
          {"weight_ih", G * H, dir->in_dim, &dir->w_ih, 1},
          {"weight_hh", G * H, Ho, &dir->w_hh, hh},
          {"bias_ih", G * H, 1, &dir->b_ih, cfg->bias},
          {"bias_hh", G * H, 1, &dir->b_hh, cfg->bias && hh},
          {"weight_hr", P, H, &dir->w_hr, P > 0}};
      for (int k = 0; k < 5; k++) {
        if (!parts[k].present) continue;
        char name[32];
        rnn_format(name, sizeof name, "%s_l%d%s", parts[k].kind, l, d ? "_reverse" : "");
        *parts[k].slot = rnn_params_add(&m->params, name, parts[k].rows, parts[k].cols,
                                        parts[k].kind[0] == 'b' ? 1 : 2); /* biases 1-D */
      }
      packed_total += direction_packed_floats(dir->in_dim, H, Ho, G, P > 0, hh, before);
    }
  }
  m->packed = malloc(packed_total * sizeof(float));
  if (rnn_params_alloc(&m->params) || !m->packed) {
    const size_t count = m->params.count;
    rnn_model_destroy(m);
    return rnn_fail(RNN_E_NOMEM, "out of memory for %zu parameters", count);
  }
  float *pk = m->packed;
  for (int k = 0; k < L * D; k++) {
    rnn_direction *dir = &m->dirs[k];
    dir->pk_ih = pk, pk += rnn_gemm_packed_size(dir->in_dim, G * H);
    dir->pk_ih_t = pk, pk += rnn_gemm_packed_size(G * H, dir->in_dim);
    if (hh) {
      dir->pk_hh = pk, pk += rnn_gemm_packed_size(Ho, G * H);
      dir->pk_hh_t = pk, pk += rnn_gemm_packed_size(G * H, Ho);
    }
    if (before) {
      dir->pk_hn_t = dir->pk_hh_t + rnn_gemm_packed_size(2 * H, H);
      dir->pk_hn = pk, pk += rnn_gemm_packed_size(H, H);
    }
    if (P) {
      dir->pk_hr = pk, pk += rnn_gemm_packed_size(H, Ho);
      dir->pk_hr_t = pk, pk += rnn_gemm_packed_size(Ho, H);
    }
  }

  /* PyTorch's reset_parameters: every tensor U(-1/sqrt(H), 1/sqrt(H)). */
  rnn_rng g;
  rnn_rng_seed(&g, cfg->seed);
  const float k = 1.0f / sqrtf((float)H);
  for (size_t i = 0; i < m->params.count; i++) m->params.values[i] = rnn_rng_uniform(&g, -k, k);
  /* Dropout draws from its own stream, so init does not depend on it. */
  rnn_rng_seed(&m->dropout_rng, ((uint64_t)cfg->seed << 32) ^ 0xD50F0D50Full);
  *out = m;
  return RNN_OK;
}

int rnn_model_new(int cell, int input_size, int hidden_size, int num_layers,
                  int bidirectional, int bias, int proj_size, float dropout, uint32_t seed,
                  int gate_activation, int reset_before, rnn_model **out) {
  const rnn_model_config cfg = {cell, input_size, hidden_size, num_layers, bidirectional,
                                bias, proj_size, dropout, seed, gate_activation, reset_before};
  return rnn_model_create(&cfg, out);
}

void rnn_model_destroy(rnn_model *m) {
  if (!m) return;
  rnn_params_free(&m->params);
  free(m->packed);
  free(m->qblock);
  free(m->cache);
  free(m->ws);
  free(m);
}

void rnn_model_set_training(rnn_model *m, int training) { m->training = training != 0; }
void rnn_model_get_rng(const rnn_model *m, uint32_t state[4]) {
  memcpy(state, m->dropout_rng.s, sizeof m->dropout_rng.s);
}
void rnn_model_set_rng(rnn_model *m, const uint32_t state[4]) {
  memcpy(m->dropout_rng.s, state, sizeof m->dropout_rng.s);
}
rnn_params *rnn_model_parameters(rnn_model *m) { return &m->params; }

const rnn_model_config *rnn_model_config_of(const rnn_model *m) { return &m->cfg; }
const rnn_direction *rnn_model_direction(const rnn_model *m, int k) { return &m->dirs[k]; }

/* W(n, k) = w[n * ld + k]: a weight in PyTorch's [out][in] layout */
typedef struct {
  const float *w;
  int ld;
} rows_source;
RNN_SMALL static float row_weight(const void *ctx, int k, int n) {
  const rows_source *s = ctx;
  return s->w[(size_t)n * s->ld + k];
}

/* A quantized model's forward products: int8 packs of W_ih, W_hh (reset
 * before: the r, z rows, W_hn apart) and W_hr, in one block. */
RNN_COLD static int pack_quantized(rnn_model *m) {
  const int GH = m->G * m->H, H = m->H, Ho = m->Hout, before = m->cfg.reset_before;
#define QSIZE(K, N) ((rnn_int8.packed_size(K, N) + 15) & ~(size_t)15)
  size_t bytes = 16;
  for (int k = 0; k < m->L * m->D; k++) {
    const rnn_direction *dir = &m->dirs[k];
    bytes += QSIZE(dir->in_dim, GH);
    if (dir->w_hh != RNN_NONE) bytes += QSIZE(Ho, before ? 2 * H : GH) + (before ? QSIZE(H, H) : 0);
    if (dir->w_hr != RNN_NONE) bytes += QSIZE(H, Ho);
  }
  const int st = rnn_qblock_reserve(&m->qblock, &m->qcap, bytes);
  if (st) return st;
  char *q = (char *)(((uintptr_t)m->qblock + 15) & ~(uintptr_t)15);
  const float *v = m->params.values;
  for (int k = 0; k < m->L * m->D; k++) {
    rnn_direction *dir = &m->dirs[k];
    /* one pack: rows [r0, r0 + N) of the weight at off, K wide */
#define QPACK(slot, off, r0, N, K)                                   \
  do {                                                               \
    const rows_source src = {v + (off) + (size_t)(r0) * (K), (K)};   \
    rnn_int8.pack((K), (N), row_weight, &src, q);                   \
    slot = q, q += QSIZE(K, N);                                      \
  } while (0)
    QPACK(dir->q_ih, dir->w_ih, 0, GH, dir->in_dim);
    if (dir->w_hh != RNN_NONE) {
      QPACK(dir->q_hh, dir->w_hh, 0, before ? 2 * H : GH, Ho);
      if (before) QPACK(dir->q_hn, dir->w_hh, 2 * H, H, H);
    }
    if (dir->w_hr != RNN_NONE) QPACK(dir->q_hr, dir->w_hr, 0, Ho, H);
#undef QPACK
  }
#undef QSIZE
  return RNN_OK;
}

/* Pack once per parameter change: forward uses W^T panels, backward W (a
 * quantized model packs its forward products in int8 only). */
static int pack_weights(rnn_model *m) {
  if (m->packed_version == m->params.version) return RNN_OK;
  const int GH = m->G * m->H, H = m->H, Ho = m->Hout;
  for (int k = 0; k < m->L * m->D; k++)
    m->dirs[k].q_ih = m->dirs[k].q_hh = m->dirs[k].q_hn = m->dirs[k].q_hr = NULL;
  if (m->params.quantized) {
    const int st = pack_quantized(m);
    if (!st) m->packed_version = m->params.version;
    return st;
  }
  for (int k = 0; k < m->L * m->D; k++) {
    rnn_direction *dir = &m->dirs[k];
    const float *wih = m->params.values + dir->w_ih;
    rnn_gemm_pack_b(dir->in_dim, GH, wih, 1, dir->in_dim, dir->pk_ih);
    rnn_gemm_pack_b(GH, dir->in_dim, wih, dir->in_dim, 1, dir->pk_ih_t);
    if (dir->w_hh != RNN_NONE) { /* not the min cells */
      const float *whh = m->params.values + dir->w_hh;
      rnn_gemm_pack_b(Ho, GH, whh, 1, Ho, dir->pk_hh);
      if (dir->pk_hn) { /* reset before: W_hn apart (pk_hh keeps it: its panels follow r and z) */
        rnn_gemm_pack_b(H, H, whh + (size_t)2 * H * H, 1, H, dir->pk_hn);
        rnn_gemm_pack_b(2 * H, H, whh, H, 1, dir->pk_hh_t);
        rnn_gemm_pack_b(H, H, whh + (size_t)2 * H * H, H, 1, dir->pk_hn_t);
      } else {
        rnn_gemm_pack_b(GH, Ho, whh, Ho, 1, dir->pk_hh_t);
      }
    }
    if (dir->w_hr != RNN_NONE) {
      const float *whr = m->params.values + dir->w_hr; /* [P][H] */
      rnn_gemm_pack_b(H, Ho, whr, 1, H, dir->pk_hr);
      rnn_gemm_pack_b(Ho, H, whr, H, 1, dir->pk_hr_t);
    }
  }
  m->packed_version = m->params.version;
  return RNN_OK;
}

/* Grow the activation cache to hold T*B rows and batch B. Only allocates
 * when a call needs more than any earlier one. */
RNN_SMALL static int reserve_cache(rnn_model *m, int T, int B) {
  /* Every size is checked in 64 bits first: on wasm32, size_t arithmetic
   * would wrap around long before malloc could fail. */
  if ((uint64_t)T * (uint64_t)B > (uint64_t)INT32_MAX / 8)
    return rnn_fail(RNN_E_NOMEM, "sequence too large: T*B = %llu rows",
                    (unsigned long long)((uint64_t)T * (uint64_t)B));
  const size_t rows = (size_t)T * B;
  const int H = m->H, Ho = m->Hout, DHo = m->D * Ho, GH = m->G * H;
  /* per-step scratch, or the scan's carries and slopes (rnn_cell_def) */
  const int tmp_row = m->cell->forward_seq ? 2 * RNN_SCAN_MAX_CHUNKS * H : GH;
  const int widest = m->I > DHo ? m->I : DHo;
  const int maxn = widest > H ? widest : H;
  /* one workspace serves every product (they run one after another) */
  const uint64_t ws_sgemm = rnn_gemm_workspace_size((int)rows, maxn);
  uint64_t ws_packed = rnn_gemm_packed_workspace_size();
  if (m->params.quantized) { /* int8 products quantize A there */
    const uint64_t ws_q = rnn_int8.workspace_size(maxn) / sizeof(float) + 1;
    if (ws_q > ws_packed) ws_packed = ws_q;
  }
  const uint64_t ws64 = ws_sgemm > ws_packed ? ws_sgemm : ws_packed;
  if (ws64 > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "sequence too large for the GEMM workspace");
  if (ws64 > m->ws_floats) {
    float *p = malloc((size_t)ws64 * sizeof(float));
    if (!p) return rnn_fail(RNN_E_NOMEM, "out of memory for the GEMM workspace");
    free(m->ws);
    m->ws = p, m->ws_floats = (size_t)ws64;
  }
  if (rows <= m->cap_rows && (size_t)B <= m->cap_B) return RNN_OK;
  const uint64_t R = rows > m->cap_rows ? rows : m->cap_rows;
  const uint64_t CB = (size_t)B > m->cap_B ? (size_t)B : m->cap_B;
  const uint64_t LD = (uint64_t)m->L * m->D;
  const int proj = m->Hout != m->H;
  const uint64_t per_direction = R * GH + R * H + R * Ho +
                            (m->cell->split_n ? R * GH : 0) +
                            (proj ? R * H + R * Ho : 0);
  const uint64_t drop = m->cfg.dropout > 0.0f ? 2ull * (m->L - 1) * R * DHo : 0;
  const uint64_t total = R * m->I + (uint64_t)m->L * R * DHo + drop + LD * CB * Ho +
                         LD * CB * H + CB /* lengths */ + 2ull * R * widest + CB * Ho +
                         CB * H + CB * tmp_row + LD * per_direction;
  if (total > (SIZE_MAX / sizeof(float)) / 2)
    return rnn_fail(RNN_E_NOMEM, "sequence too large: T*B = %zu rows", rows);
  float *c = malloc((size_t)total * sizeof(float));
  if (!c)
    return rnn_fail(RNN_E_NOMEM, "out of memory for activations of T*B = %zu rows (%llu MB)",
                    rows, (unsigned long long)(total * 4 >> 20));
  free(m->cache);
  m->cache = c, m->cap_rows = (size_t)R, m->cap_B = (size_t)CB;
  m->x = c, c += R * m->I;
  m->outs = c, c += (size_t)m->L * R * DHo;
  m->masks = m->dropped = NULL;
  if (drop) {
    m->masks = c, c += (size_t)(m->L - 1) * R * DHo;
    m->dropped = c, c += (size_t)(m->L - 1) * R * DHo;
  }
  m->h0 = c, c += LD * CB * Ho;
  m->c0 = c, c += LD * CB * H;
  m->lengths = (int32_t *)c, c += CB;
  m->dbuf[0] = c, c += R * widest;
  m->dbuf[1] = c, c += R * widest;
  m->dh = c, c += CB * Ho;
  m->dc = c, c += CB * H;
  m->tmp = c, c += CB * tmp_row;
  for (size_t k = 0; k < LD; k++) {
    rnn_direction *dir = &m->dirs[k];
    dir->gates = c, c += R * GH;
    dir->aux = c, c += R * H;
    dir->hprev = c, c += R * Ho;
    dir->aux2 = dir->mproj = dir->dhp = NULL;
    if (m->cell->split_n) dir->aux2 = c, c += R * GH; /* GRU: hidden-side grads (unused with reset before) */
    if (proj) dir->mproj = c, c += R * H, dir->dhp = c, c += R * Ho;
  }
  return RNN_OK;
}

/* The input of layer l: the model input, the previous layer's output, or
 * that output after dropout. */
static const float *layer_input(const rnn_model *m, int l) {
  const size_t layer = (size_t)m->T * m->B * m->D * m->Hout;
  if (l == 0) return m->x;
  if (m->dropout_on) return m->dropped + (l - 1) * layer;
  return m->outs + (l - 1) * layer;
}

static rnn_run make_run(rnn_model *m, int l, int d) {
  const int B = m->B, H = m->H, Ho = m->Hout, DHo = m->D * Ho;
  const size_t rows = (size_t)m->T * B;
  rnn_run r;
  r.T = m->T, r.B = B, r.H = H, r.Hout = Ho, r.G = m->G, r.reverse = d;
  r.gate = m->cfg.gate_activation;
  r.lengths = m->has_lengths ? m->lengths : NULL;
  r.params = m->params.values, r.grads = m->params.grads;
  r.dir = &m->dirs[l * m->D + d];
  r.in = layer_input(m, l);
  r.out = m->outs + (size_t)l * rows * DHo + (size_t)d * Ho;
  r.ld_out = DHo;
  r.h0 = m->h0 + (size_t)(l * m->D + d) * B * Ho;
  r.c0 = m->c0 + (size_t)(l * m->D + d) * B * H;
  r.dy = NULL;
  r.tmp = m->tmp;
  r.ws = m->ws, r.ws_floats = m->ws_floats;
  return r;
}

int rnn_model_input(rnn_model *m, int T, int B, float **x) {
  if (!m || !x) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *x = NULL;
  m->have_forward = 0; /* growing the cache drops the cached forward */
  if (T < 1 || B < 1)
    return rnn_fail(RNN_E_SHAPE, "sequence length and batch must be >= 1, got T=%d B=%d", T, B);
  const int st = reserve_cache(m, T, B);
  if (!st) *x = m->x;
  return st;
}

int rnn_model_forward(rnn_model *m, int T, int B, const float *x,
                      const int32_t *lengths, const float *h0, const float *c0,
                      float *output, float *hN, float *cN) {
  if (!m) return rnn_fail(RNN_E_INVALID, "model is NULL");
  if (T < 1 || B < 1)
    return rnn_fail(RNN_E_SHAPE, "sequence length and batch must be >= 1, got T=%d B=%d", T, B);
  if (!x) return rnn_fail(RNN_E_INVALID, "x must not be NULL");
  if (lengths)
    for (int b = 0; b < B; b++)
      if (lengths[b] < 1 || lengths[b] > T)
        return rnn_fail(RNN_E_INVALID, "lengths[%d] must be in [1, %d], got %d", b, T, lengths[b]);
  m->have_forward = 0;
  int st = reserve_cache(m, T, B);
  if (!st) st = pack_weights(m);
  if (st) return st;
  m->T = T, m->B = B;
  m->has_lengths = lengths != NULL;
  m->dropout_on = m->training && m->cfg.dropout > 0.0f && m->L > 1;
  const int H = m->H, Ho = m->Hout, LD = m->L * m->D, DHo = m->D * Ho;
  const size_t rows = (size_t)T * B, layer = rows * DHo;
  const int is_lstm = m->cell->cell_state;
  /* the user's values enter flushed (flush.h) */
  rnn_flush_copy(m->x, x, rows * m->I);
  if (lengths) memcpy(m->lengths, lengths, (size_t)B * sizeof(int32_t));
  if (h0) rnn_flush_copy(m->h0, h0, (size_t)LD * B * Ho);
  else memset(m->h0, 0, (size_t)LD * B * Ho * sizeof(float));
  if (is_lstm && c0) rnn_flush_copy(m->c0, c0, (size_t)LD * B * H);
  else memset(m->c0, 0, (size_t)LD * B * H * sizeof(float));

  for (int l = 0; l < m->L; l++) {
    for (int d = 0; d < m->D; d++) {
      rnn_run r = make_run(m, l, d);
      const size_t k = (size_t)(l * m->D + d) * B;
      rnn_direction_forward(m->cell, &r, hN ? hN + k * Ho : NULL,
                       cN && is_lstm ? cN + k * H : NULL);
    }
    if (m->dropout_on && l + 1 < m->L) {
      /* a fresh mask per element and step, from the model's generator */
      float *mask = m->masks + l * layer, *dst = m->dropped + l * layer;
      const float *src = m->outs + l * layer;
      rnn_dropout_mask(&m->dropout_rng, m->cfg.dropout, layer, mask);
      for (size_t i = 0; i < layer; i++) dst[i] = src[i] * mask[i];
    }
  }
  if (output) memcpy(output, m->outs + (size_t)(m->L - 1) * layer, layer * sizeof(float));
  m->have_forward = 1;
  return RNN_OK;
}

int rnn_model_backward(rnn_model *m, const float *d_output, const float *d_hN,
                       const float *d_cN, float *dx, float *dh0, float *dc0) {
  int st = rnn_backward_ready(m, "model", m && m->have_forward);
  if (!st) st = rnn_params_trainable(&m->params, "the model");
  if (st) return st;
  m->have_forward = 0; /* backward overwrites the cached activations */
  const int B = m->B, H = m->H, Ho = m->Hout;
  const size_t layer = (size_t)m->T * B * m->D * Ho;
  const int is_lstm = m->cell->cell_state;

  /* Gradient arriving at the current layer's output, [T*B][D*Hout]. */
  const float *dy = d_output;
  int which = 0;
  for (int l = m->L - 1; l >= 0; l--) {
    float *dx_layer = l > 0 ? m->dbuf[which] : dx;
    for (int d = 0; d < m->D; d++) {
      rnn_run r = make_run(m, l, d);
      r.dy = dy ? dy + (size_t)d * Ho : NULL;
      const size_t k = (size_t)(l * m->D + d) * B;
      rnn_direction_backward(m->cell, &r, d_hN ? d_hN + k * Ho : NULL,
                        is_lstm && d_cN ? d_cN + k * H : NULL, dh0 ? dh0 + k * Ho : NULL,
                        is_lstm && dc0 ? dc0 + k * H : NULL, dx_layer, d > 0, m->dh, m->dc);
    }
    if (l > 0 && m->dropout_on) { /* back through the mask between layers */
      const float *mask = m->masks + (l - 1) * layer;
      for (size_t i = 0; i < layer; i++) dx_layer[i] *= mask[i];
    }
    dy = dx_layer;
    which ^= 1;
  }
  return RNN_OK;
}

/* Gate taps of the cached forward: nothing is recorded while it runs (the
 * cache already holds every step's activations), so taps cost nothing
 * unless asked for, and must be read before backward overwrites them. */
RNN_SMALL int rnn_model_forward_taps(const rnn_model *m, int direction, float *dst) {
  if (!m || !dst) return rnn_fail(RNN_E_INVALID, "NULL argument");
  if (direction < 0 || direction >= m->L * m->D)
    return rnn_fail(RNN_E_INVALID, "direction must be in [0, %d), got %d", m->L * m->D, direction);
  if (!m->have_forward)
    return rnn_fail(RNN_E_STATE, "taps are read after a forward and before its backward");
  const rnn_direction *dir = &m->dirs[direction];
  const int B = m->B, H = m->H, Ho = m->Hout, GH = m->G * H, DHo = m->D * Ho;
  const int ng = rnn_model_num_tap_gates(m), is_lstm = m->cell->cell_state;
  const size_t rows = (size_t)m->T * B;
  const float *outs = m->outs + (size_t)(direction / m->D) * rows * DHo + (size_t)(direction % m->D) * Ho;
  float *cdst = dst + (size_t)ng * rows * H;
  float *hdst = cdst + (is_lstm ? rows * H : 0);
  for (size_t r = 0; r < rows; r++) {
    const int t = (int)(r / B), b = (int)(r % B);
    /* rows past a sequence's length hold pre-activations: report zeros */
    const int live = !m->has_lengths || t < m->lengths[b];
    for (int k = 0; k < ng; k++) {
      float *d = dst + ((size_t)k * rows + r) * H;
      if (live) memcpy(d, dir->gates + r * GH + (size_t)k * H, (size_t)H * sizeof(float));
      else memset(d, 0, (size_t)H * sizeof(float));
    }
    if (is_lstm) memcpy(cdst + r * H, dir->aux + r * H, (size_t)H * sizeof(float));
    memcpy(hdst + r * Ho, outs + r * DHo, (size_t)Ho * sizeof(float));
  }
  return RNN_OK;
}

int rnn_model_num_tap_gates(const rnn_model *m) {
  return m->G == 1 ? 0 : m->G; /* Elman's one block is h itself */
}
