/* stream.c - streaming inference: a unidirectional stack run one time step
 * at a time, its state kept here between calls (see rnn.h).
 *
 * Each batch row lives in one "chain" of floats:
 *   [x_0 (I), 1, h_0 (Hout), 1, h_1 (Hout), ..., 1, h_{L-1} (Hout)]
 * (the 1s only with bias). Layer l reads [x_l, 1, h_l] = [h_{l-1}, 1, h_l]
 * straight from the chain: one GEMM per layer per step against the packed
 * [W_ih | b_ih + b_hh | W_hh]^T (the bias rides in as the weight of the 1),
 * and its new h_t overwrites h_{t-1} in place once the GEMM has read it,
 * where it is at once the next step's state and the next layer's input.
 * No copies between layers, no bias pass, nothing allocated per step.
 * GRU's n gate needs W_in x + b_in and W_hn h + b_hn apart (r multiplies
 * the second), so it takes [x, 1] and [1, h] in two smaller products
 * (with the reset gate before the product, [1, r * h] from a row of its own);
 * the min cells' gates read [x, 1] only (their h enters in the cell's update).
 * With batch 1 the products are single rows (rnn_gemv_packed); the packs
 * are the stream's own, redone when the model's parameter version moves. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int in;       /* input width: I for layer 0, else Hout */
  size_t x_off; /* this layer's input in a chain row */
  size_t h_off; /* its h (state and output) in a chain row */
  int K;        /* in + bias + Hout: depth of the fused product */
  float *w;     /* chain [x, 1, h] -> all gates (GRU: r and z), packed */
  float *w_nx;  /* GRU: [x, 1] -> W_in x + b_in */
  float *w_nh;  /* GRU: [1, h] -> W_hn h + b_hn */
  float *w_hr;  /* projected LSTM: W_hr^T */
  float *c;     /* LSTM: [B][H] cell state */
  float *g;     /* [B][G*H] gates: per layer with taps, else shared */
  struct qproduct *q; /* quantized model: the int8 forms of w, w_nx, w_nh, w_hr */
} stream_layer;

/* A product of a quantized model: a = [x (nx), 1 (nb), h (nh)] as one of
 * the float packs reads it, computed as the sequence forward does (the
 * float bias, then x and h through their own int8 packs, each row of each
 * part quantized with its own scale), so both give the same numbers. */
typedef struct qproduct {
  int nx, nb, nh;
  float *bias;    /* [N] (nb) */
  void *qx, *qh;  /* qgemm packs of the x and h parts */
} qproduct;

struct rnn_stream {
  rnn_model *m;
  const rnn_cell_def *cell;
  int B, L, I, H, Hout, G, bias, taps;
  size_t row;       /* chain row length */
  unsigned version; /* rnn_params version the packs were made at (0: none) */
  int reverse;      /* batch 1: this step sweeps the packs last to first */
  float *chain;     /* [B][row] */
  float *gh;        /* GRU: [B][3H] hidden side; r, z blocks stay 0 (reset
                     * before: they hold [1, r * h]) */
  float *mproj;     /* projected LSTM: [B][H] o * tanh(c) before W_hr */
  float *staging;
  void *block;      /* everything above (and the layers' buffers) */
  float *io_in, *io_out;
  int io_steps;
  float *ws; /* rnn_gemm_packed's A blocks (batches of RNN_GEMM_MR rows and more) */
  size_t ws_floats;
  int quantized;  /* the packs in use are qblock's */
  void *qblock;   /* int8 packs, biases, descriptors and the qgemm workspace */
  size_t qcap, qws_bytes;
  void *qws;
  stream_layer layers[];
};

/* Buffers start 64-byte aligned (malloc gives 8 or 16), so the packs'
 * v128 loads never straddle cache lines needlessly. */
#define ALIGN_FLOATS 16
static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

/* Where a layer's weights live in the model's flat parameters. */
typedef struct {
  const float *wih, *whh, *bih, *bhh;
  int in, Hout, bias;
} weights;

/* Which parts feed a packed product: gate rows r0 .. r0+N-1 over chain
 * columns [k0, k0 + K) of the layer's [x, 1, h] (k0 relative to x). */
typedef struct {
  int r0, N, k0, K;
  int ih, bih, bhh, hh;
} pack_spec;

typedef struct {
  const weights *w;
  const pack_spec *p;
} fused_source;

/* rnn_pack_get: B(k, n) of a fused product. */
static float fused_weight(const void *ctx, int k, int n) {
  const weights *w = ((const fused_source *)ctx)->w;
  const pack_spec *p = ((const fused_source *)ctx)->p;
  const int r = p->r0 + n;
  int col = p->k0 + k;
  if (col < w->in) return p->ih ? w->wih[(size_t)r * w->in + col] : 0.0f;
  col -= w->in;
  if (w->bias) {
    /* the same float sum as the sequence forward's b_ih + b_hh */
    if (col == 0) {
      if (p->bih && p->bhh) return w->bih[r] + w->bhh[r];
      return p->bih ? w->bih[r] : p->bhh ? w->bhh[r] : 0.0f;
    }
    col--;
  }
  return p->hh ? w->whh[(size_t)r * w->Hout + col] : 0.0f;
}

/* Batch 1 runs single-row products (rnn_gemv_packed, ~25% faster there),
 * larger batches the GEMM; each packs B its own way. */
static size_t packed_size(const rnn_stream *s, int K, int N) {
  return s->B == 1 ? rnn_gemv_packed_size(K, N) : rnn_gemm_packed_size(K, N);
}

static void pack(const rnn_stream *s, int K, int N, rnn_pack_get get, const void *ctx,
                 float *dst) {
  if (s->B == 1) rnn_gemv_pack_fn(K, N, get, ctx, dst);
  else rnn_gemm_pack_b_fn(K, N, get, ctx, dst);
}

/* c[B][N] (row stride ldc) = a[B][K] (row stride lda) * packed */
static void product(const void *stream, int N, int K, const float *a, ptrdiff_t lda,
                    const void *packed, float *c, ptrdiff_t ldc) {
  const rnn_stream *s = stream; /* rnn_stream_layer_step.product: the cells call it */
  if (s->quantized) {
    const qproduct *q = packed;
    if (s->B == 1 && q->nx && q->nh) { /* one pass over the panels of both parts */
      rnn_int8.packed2(N, q->nx, a, q->qx, q->nh, a + q->nx + q->nb, q->qh, q->nb ? q->bias : NULL, c, s->qws,
                        s->qws_bytes);
      return;
    }
    if (q->nb)
      for (int b = 0; b < s->B; b++) memcpy(c + b * ldc, q->bias, (size_t)N * sizeof(float));
    if (q->nx) rnn_int8.packed(s->B, N, q->nx, a, lda, q->qx, c, ldc, q->nb, s->qws, s->qws_bytes);
    if (q->nh)
      rnn_int8.packed(s->B, N, q->nh, a + q->nx + q->nb, lda, q->qh, c, ldc, q->nb || q->nx, s->qws,
                       s->qws_bytes);
    return;
  }
  if (s->B == 1) rnn_gemv_packed_dir(N, K, a, 1, packed, c, 0, s->reverse);
  else rnn_gemm_packed(s->B, N, K, a, lda, 1, packed, c, ldc, 0, s->ws, s->ws_floats);
}

/* W_hr [P][H] as B(k, n) = W_hr[n][k] */
typedef struct {
  const float *whr;
  int H;
} proj_source;

static float proj_weight(const void *ctx, int k, int n) {
  const proj_source *p = ctx;
  return p->whr[(size_t)n * p->H + k];
}

/* Pack specs of a layer: [0] the main product, [1], [2] GRU's n parts. */
static int layer_specs(const rnn_stream *s, const stream_layer *ly, pack_spec sp[3]) {
  const int H = s->H, in = ly->in, b = s->bias;
  if (s->cell->forward_seq) { /* min cells: gates of [x, 1] only */
    sp[0] = (pack_spec){0, s->G * H, 0, in + b, 1, 1, 0, 0};
    return 1;
  }
  if (!s->cell->split_n) {
    sp[0] = (pack_spec){0, s->G * H, 0, ly->K, 1, 1, 1, 1};
    return 1;
  }
  sp[0] = (pack_spec){0, 2 * H, 0, ly->K, 1, 1, 1, 1};
  sp[1] = (pack_spec){2 * H, H, 0, in + b, 1, 1, 0, 0};
  sp[2] = (pack_spec){2 * H, H, in, b + H, 0, 0, 1, 1};
  return 3;
}

RNN_SMALL static weights layer_weights(const rnn_stream *s, int l) {
  const float *params = rnn_params_values(rnn_model_parameters(s->m));
  const rnn_direction *dir = rnn_model_direction(s->m, l);
  const weights w = {params + dir->w_ih, dir->w_hh != RNN_NONE ? params + dir->w_hh : NULL,
                     dir->b_ih != RNN_NONE ? params + dir->b_ih : NULL,
                     dir->b_hh != RNN_NONE ? params + dir->b_hh : NULL,
                     s->layers[l].in, s->Hout, s->bias};
  return w;
}

/* B(k + koff, n) of another source */
typedef struct {
  rnn_pack_get get;
  const void *ctx;
  int koff;
} shifted_source;
RNN_SMALL static float shifted_weight(const void *ctx, int k, int n) {
  const shifted_source *s = ctx;
  return s->get(s->ctx, k + s->koff, n);
}

#define QALIGN(n) (((n) + 15) & ~(size_t)15)

/* Bytes of a qproduct's parts; with p, also fills q from the source at *p. */
RNN_COLD static size_t qproduct_make(qproduct *q, char **p, int nx, int nb, int nh, int N,
                            rnn_pack_get get, const void *ctx) {
  const size_t nbias = QALIGN((size_t)nb * N * sizeof(float));
  const size_t nqx = nx ? QALIGN(rnn_int8.packed_size(nx, N)) : 0;
  const size_t nqh = nh ? QALIGN(rnn_int8.packed_size(nh, N)) : 0;
  if (!p) return nbias + nqx + nqh;
  *q = (qproduct){nx, nb, nh, NULL, NULL, NULL};
  if (nb) {
    q->bias = (float *)*p, *p += nbias;
    for (int n = 0; n < N; n++) q->bias[n] = get(ctx, nx, n);
  }
  if (nx) {
    const shifted_source src = {get, ctx, 0};
    rnn_int8.pack(nx, N, shifted_weight, &src, q->qx = *p);
    *p += nqx;
  }
  if (nh) {
    const shifted_source src = {get, ctx, nx + nb};
    rnn_int8.pack(nh, N, shifted_weight, &src, q->qh = *p);
    *p += nqh;
  }
  return nbias + nqx + nqh;
}

/* Every layer's products as qproducts, in one block: sized in a first pass
 * (p NULL), filled in the second. */
RNN_COLD static size_t qproducts(rnn_stream *s, char *p) {
  size_t bytes = 0;
  for (int l = 0; l < s->L; l++) {
    stream_layer *ly = &s->layers[l];
    const weights w = layer_weights(s, l);
    pack_spec sp[3];
    const int n = layer_specs(s, ly, sp);
    for (int i = 0; i < n; i++) {
      const fused_source src = {&w, &sp[i]};
      const int nx = sp[i].k0 < ly->in ? ly->in - sp[i].k0 : 0;
      bytes += qproduct_make(p ? &ly->q[i] : NULL, p ? &p : NULL, nx, s->bias, sp[i].K - nx - s->bias, sp[i].N,
                             fused_weight, &src);
    }
    if (ly->w_hr) {
      const proj_source src = {rnn_params_values(rnn_model_parameters(s->m)) +
                                   rnn_model_direction(s->m, l)->w_hr, s->H};
      bytes += qproduct_make(p ? &ly->q[3] : NULL, p ? &p : NULL, 0, 0, s->H, s->Hout, proj_weight, &src);
    }
  }
  return bytes;
}

RNN_COLD static int repack_quantized(rnn_stream *s) {
  const int widest = s->I > s->H ? s->I : s->H;
  const size_t head = QALIGN((size_t)s->L * 4 * sizeof(qproduct));
  const size_t ws = QALIGN(rnn_int8.workspace_size(widest));
  const int st = rnn_qblock_reserve(&s->qblock, &s->qcap, 16 + head + ws + qproducts(s, NULL));
  if (st) return st;
  char *p = (char *)(((uintptr_t)s->qblock + 15) & ~(uintptr_t)15);
  for (int l = 0; l < s->L; l++) s->layers[l].q = (qproduct *)p + 4 * l;
  s->qws = p + head, s->qws_bytes = ws;
  qproducts(s, p + head + ws);
  return RNN_OK;
}

static int repack(rnn_stream *s) {
  rnn_params *mp = rnn_model_parameters(s->m);
  const float *params = rnn_params_values(mp);
  s->quantized = 0;
  if (rnn_params_quantized(mp)) {
    const int st = repack_quantized(s);
    if (st) return st;
    s->quantized = 1;
    s->version = rnn_params_version(mp);
    return RNN_OK;
  }
  for (int l = 0; l < s->L; l++) {
    stream_layer *ly = &s->layers[l];
    const rnn_direction *dir = rnn_model_direction(s->m, l);
    const weights w = layer_weights(s, l);
    pack_spec sp[3];
    const int n = layer_specs(s, ly, sp);
    float *dst[3] = {ly->w, ly->w_nx, ly->w_nh};
    for (int i = 0; i < n; i++) {
      const fused_source src = {&w, &sp[i]};
      pack(s, sp[i].K, sp[i].N, fused_weight, &src, dst[i]);
    }
    if (ly->w_hr) {
      const proj_source src = {params + dir->w_hr, s->H};
      pack(s, s->H, s->Hout, proj_weight, &src, ly->w_hr);
    }
  }
  s->version = rnn_params_version(mp);
  return RNN_OK;
}

RNN_SMALL int rnn_stream_create(rnn_model *m, int batch, int taps, rnn_stream **out) {
  if (!m || !out) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *out = NULL;
  const rnn_model_config *cfg = rnn_model_config_of(m);
  if (cfg->bidirectional)
    return rnn_fail(RNN_E_UNSUPPORTED, "streams run unidirectional models only (a reverse "
                                       "direction needs the whole sequence)");
  if (batch < 1 || batch > (1 << 20))
    return rnn_fail(RNN_E_INVALID, "batch must be in [1, %d], got %d", 1 << 20, batch);
  const int L = cfg->num_layers, H = cfg->hidden_size, I = cfg->input_size;
  const int Ho = cfg->proj_size ? cfg->proj_size : H, bias = cfg->bias != 0;
  const rnn_cell_def *cell = rnn_cell_def_of(cfg);
  const int G = cell->G;
  const uint64_t B = (uint64_t)batch;

  rnn_stream *s = calloc(1, sizeof *s + (size_t)L * sizeof(stream_layer));
  if (!s) return rnn_fail(RNN_E_NOMEM, "out of memory creating a stream");
  s->m = m, s->cell = cell, s->B = batch, s->L = L, s->I = I, s->H = H;
  s->Hout = Ho, s->G = G, s->bias = bias, s->taps = taps != 0;

  /* Layout first (sizes in 64 bits: wasm32's size_t wraps long before
   * malloc fails), then one allocation. */
  uint64_t row = 0;
  for (int l = 0; l < L; l++) {
    stream_layer *ly = &s->layers[l];
    ly->in = l == 0 ? I : Ho;
    ly->x_off = (size_t)row;
    ly->h_off = (size_t)(row + ly->in + bias);
    ly->K = ly->in + bias + Ho;
    row = ly->h_off;
  }
  row += Ho;
  s->row = (size_t)row;
  const uint64_t stage_state = (uint64_t)L * B * (Ho + H);
  const uint64_t stage_taps = B * ((uint64_t)(G == 1 ? 0 : G) * H + H + Ho);
  const int g_blocks = s->taps ? L : 1;
  /* every piece may round up by ALIGN_FLOATS, and so may the start */
  uint64_t total = ALIGN_FLOATS + B * row + ALIGN_FLOATS;
  total += (uint64_t)g_blocks * (B * G * H + ALIGN_FLOATS);
  if (cell->cell_state) total += (uint64_t)L * (B * H + ALIGN_FLOATS);
  if (cell->split_n) total += B * 3 * H + ALIGN_FLOATS;
  if (cfg->proj_size) total += B * H + ALIGN_FLOATS;
  total += (stage_state > stage_taps ? stage_state : stage_taps) + ALIGN_FLOATS;
  for (int l = 0; l < L; l++) {
    const stream_layer *ly = &s->layers[l];
    pack_spec sp[3];
    const int n = layer_specs(s, ly, sp);
    for (int i = 0; i < n; i++) total += packed_size(s, sp[i].K, sp[i].N) + ALIGN_FLOATS;
    if (cfg->proj_size) total += packed_size(s, H, Ho) + ALIGN_FLOATS;
  }
  if (total > (SIZE_MAX / sizeof(float)) / 2) {
    free(s);
    return rnn_fail(RNN_E_NOMEM, "stream too large: batch %d", batch);
  }
  s->block = calloc((size_t)total, sizeof(float));
  if (!s->block) {
    free(s);
    return rnn_fail(RNN_E_NOMEM, "out of memory for a stream of batch %d (%llu MB)", batch,
                    (unsigned long long)(total * 4 >> 20));
  }
  float *p = (float *)(((uintptr_t)s->block + 63) & ~(uintptr_t)63);
#define TAKE(n) (p += round_up(n), p - round_up(n))
  s->chain = TAKE((size_t)(B * row));
  float *g_shared = s->taps ? NULL : TAKE((size_t)(B * G * H));
  for (int l = 0; l < L; l++) {
    stream_layer *ly = &s->layers[l];
    ly->g = s->taps ? TAKE((size_t)(B * G * H)) : g_shared;
    if (cell->cell_state) ly->c = TAKE((size_t)(B * H));
  }
  if (cell->split_n) s->gh = TAKE((size_t)(B * 3 * H));
  if (cfg->proj_size) s->mproj = TAKE((size_t)(B * H));
  s->staging = TAKE((size_t)(stage_state > stage_taps ? stage_state : stage_taps));
  for (int l = 0; l < L; l++) {
    stream_layer *ly = &s->layers[l];
    pack_spec sp[3];
    const int n = layer_specs(s, ly, sp);
    float **dst[3] = {&ly->w, &ly->w_nx, &ly->w_nh};
    for (int i = 0; i < n; i++) *dst[i] = TAKE(packed_size(s, sp[i].K, sp[i].N));
    if (cfg->proj_size) ly->w_hr = TAKE(packed_size(s, H, Ho));
  }
#undef TAKE
  /* the constant 1 of every layer's bias column */
  if (bias)
    for (uint64_t b = 0; b < B; b++)
      for (int l = 0; l < L; l++)
        s->chain[b * row + s->layers[l].x_off + s->layers[l].in] = 1.0f;
  if (batch > 1) { /* products of fewer than MR rows pack A too (flush.h) */
    s->ws_floats = rnn_gemm_packed_workspace_size();
    s->ws = malloc(s->ws_floats * sizeof(float));
    if (!s->ws) s->ws_floats = 0; /* A is then read in place: slower, same sums */
  }
  const int st = rnn_stream_reserve(s, 1);
  if (st) {
    rnn_stream_destroy(s);
    return st;
  }
  *out = s;
  return RNN_OK;
}

void rnn_stream_destroy(rnn_stream *s) {
  if (!s) return;
  free(s->io_in);
  free(s->io_out);
  free(s->ws);
  free(s->qblock);
  free(s->block);
  free(s);
}

RNN_SMALL int rnn_stream_reserve(rnn_stream *s, int steps) {
  if (!s) return rnn_fail(RNN_E_INVALID, "stream is NULL");
  if (steps < 1) return rnn_fail(RNN_E_INVALID, "steps must be >= 1, got %d", steps);
  if (steps <= s->io_steps) return RNN_OK;
  const uint64_t rows = (uint64_t)steps * s->B;
  const uint64_t nin = rows * s->I, nout = rows * s->Hout;
  if (nin > SIZE_MAX / sizeof(float) / 2 || nout > SIZE_MAX / sizeof(float) / 2)
    return rnn_fail(RNN_E_NOMEM, "too many steps for one call: %d", steps);
  float *in = malloc((size_t)nin * sizeof(float));
  float *out = malloc((size_t)nout * sizeof(float));
  if (!in || !out) {
    free(in);
    free(out);
    return rnn_fail(RNN_E_NOMEM, "out of memory for the buffers of %d steps", steps);
  }
  free(s->io_in);
  free(s->io_out);
  s->io_in = in, s->io_out = out, s->io_steps = steps;
  return RNN_OK;
}

float *rnn_stream_input(rnn_stream *s) { return s->io_in; }
float *rnn_stream_output(rnn_stream *s) { return s->io_out; }
float *rnn_stream_staging(rnn_stream *s) { return s->staging; }

static void layer_step(rnn_stream *s, const stream_layer *ly) {
  const rnn_stream_layer_step st = {
      s->B, s->H, s->Hout, ly->in, ly->K, s->bias, rnn_model_config_of(s->m)->gate_activation,
      (ptrdiff_t)s->row, s->chain + ly->x_off, s->chain + ly->h_off, ly->g, ly->c, s->gh,
      s->mproj, s->cell->reset_before ? s->gh : NULL,
      s->quantized ? (const void *)&ly->q[0] : ly->w, s->quantized ? (const void *)&ly->q[1] : ly->w_nx,
      s->quantized ? (const void *)&ly->q[2] : ly->w_nh, s->quantized ? (const void *)&ly->q[3] : ly->w_hr,
      product, s, s->cell};
  s->cell->stream_step(&st);
}

static void one_step(rnn_stream *s, const float *x, float *y) {
  const int B = s->B, I = s->I, Ho = s->Hout;
  const size_t row = s->row, y_off = s->layers[s->L - 1].h_off;
  for (int b = 0; b < B; b++)
    rnn_flush_copy(s->chain + b * row, x + (size_t)b * I, (size_t)I); /* flush.h */
  for (int l = 0; l < s->L; l++) layer_step(s, &s->layers[l]);
  /* Alternate the sweep direction: H=256 LSTM packs (1.15 MB) overflow a
   * 1 MB L2, and swept one way every step they would all come from L3;
   * back and forth, most of what the last step read is still in L2. */
  s->reverse = !s->reverse;
  for (int b = 0; b < B; b++)
    memcpy(y + (size_t)b * Ho, s->chain + b * row + y_off, (size_t)Ho * sizeof(float));
}

static int ensure_packed(rnn_stream *s) {
  if (s->version != rnn_params_version(rnn_model_parameters(s->m))) return repack(s);
  return RNN_OK;
}

int rnn_stream_step(rnn_stream *s, const float *x, float *y) {
  if (!s || !x || !y) return rnn_fail(RNN_E_INVALID, "NULL argument");
  const int st = ensure_packed(s);
  if (st) return st;
  one_step(s, x, y);
  return RNN_OK;
}

int rnn_stream_run(rnn_stream *s, int steps, const float *xs, float *ys) {
  if (!s || !xs || !ys) return rnn_fail(RNN_E_INVALID, "NULL argument");
  if (steps < 1) return rnn_fail(RNN_E_SHAPE, "steps must be >= 1, got %d", steps);
  const int st = ensure_packed(s);
  if (st) return st;
  const size_t xstep = (size_t)s->B * s->I, ystep = (size_t)s->B * s->Hout;
  for (int t = 0; t < steps; t++) one_step(s, xs + t * xstep, ys + t * ystep);
  return RNN_OK;
}

void rnn_stream_reset(rnn_stream *s) { rnn_stream_set_state(s, NULL, NULL); }

RNN_SMALL void rnn_stream_get_state(const rnn_stream *s, float *h, float *c) {
  const int B = s->B, H = s->H, Ho = s->Hout;
  for (int l = 0; l < s->L; l++) {
    const stream_layer *ly = &s->layers[l];
    for (int b = 0; b < B; b++)
      memcpy(h + ((size_t)l * B + b) * Ho, s->chain + b * s->row + ly->h_off,
             (size_t)Ho * sizeof(float));
    if (c && ly->c) memcpy(c + (size_t)l * B * H, ly->c, (size_t)B * H * sizeof(float));
  }
}

RNN_SMALL void rnn_stream_set_state(rnn_stream *s, const float *h, const float *c) {
  const int B = s->B, H = s->H, Ho = s->Hout;
  for (int l = 0; l < s->L; l++) {
    stream_layer *ly = &s->layers[l];
    for (int b = 0; b < B; b++) {
      float *dst = s->chain + b * s->row + ly->h_off;
      if (h) rnn_flush_copy(dst, h + ((size_t)l * B + b) * Ho, (size_t)Ho);
      else memset(dst, 0, (size_t)Ho * sizeof(float));
    }
    if (ly->c) {
      if (c) rnn_flush_copy(ly->c, c + (size_t)l * B * H, (size_t)B * H);
      else memset(ly->c, 0, (size_t)B * H * sizeof(float));
    }
    /* taps describe the last step; there is none after a state change */
    if (s->taps) memset(ly->g, 0, (size_t)B * s->G * H * sizeof(float));
  }
}

RNN_SMALL int rnn_stream_taps(const rnn_stream *s, int layer, float *dst) {
  if (!s || !dst) return rnn_fail(RNN_E_INVALID, "NULL argument");
  if (!s->taps) return rnn_fail(RNN_E_STATE, "this stream was created without taps");
  if (layer < 0 || layer >= s->L)
    return rnn_fail(RNN_E_INVALID, "layer must be in [0, %d), got %d", s->L, layer);
  const stream_layer *ly = &s->layers[layer];
  const int B = s->B, H = s->H, Ho = s->Hout, G = s->G;
  const int ng = G == 1 ? 0 : G; /* Elman's one block is h itself */
  for (int k = 0; k < ng; k++)
    for (int b = 0; b < B; b++)
      memcpy(dst + ((size_t)k * B + b) * H, ly->g + ((size_t)b * G + k) * H,
             (size_t)H * sizeof(float));
  dst += (size_t)ng * B * H;
  if (ly->c) {
    memcpy(dst, ly->c, (size_t)B * H * sizeof(float));
    dst += (size_t)B * H;
  }
  for (int b = 0; b < B; b++)
    memcpy(dst + (size_t)b * Ho, s->chain + b * s->row + ly->h_off, (size_t)Ho * sizeof(float));
  return RNN_OK;
}
