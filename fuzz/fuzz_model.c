/* fuzz_model.c - libFuzzer target for the recurrent model API: validation of
 * configurations and arguments, forward / backward / taps over random small
 * configurations (every cell, layers, directions, bias, projection, dropout,
 * lengths, training mode) with random data (NaN, infinities, huge values
 * included), optimizers (SGD / Adam / AdamW, valid and invalid
 * hyper-parameters) and gradient clipping.
 *
 * It checks that nothing crashes, leaks or hits undefined behaviour (ASan,
 * LSan, UBSan), that every status is the documented one for the arguments
 * (invalid -> RNN_E_INVALID / RNN_E_SHAPE / RNN_E_STATE / RNN_E_NOMEM, valid
 * -> RNN_OK), and, on ordinary data, a few invariants of the results (finite,
 * zero past each sequence's length, |h| <= 1 for tanh-bounded cells).
 *
 * Build: ./build.sh fuzz (build/fuzz_model). Run: see fuzz/README.md. */
#include "fuzz_common.h"

/* The engine's size limits (model.c); larger sizes are refused as invalid. */
#define LIMIT_INPUT 1048576
#define LIMIT_HIDDEN 65536
#define LIMIT_LAYERS 64

static int gates_of(int cell) {
  static const int g[] = {1, 1, 4, 3, 2, 3, 2, 3}; /* by rnn_cell */
  return g[cell];
}

/* Valid as rnn.h documents a configuration (sizes >= 1, known cell, dropout
 * in [0, 1), projSize for LSTM only and < H). */
static int config_valid(const rnn_model_config *c) {
  if (c->cell < RNN_CELL_RNN_TANH || c->cell > RNN_CELL_MIN_LSTM_LOG) return 0;
  if (c->input_size < 1 || c->hidden_size < 1 || c->num_layers < 1) return 0;
  if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) return 0;
  if (c->proj_size < 0) return 0;
  if (c->proj_size > 0 && (c->cell != RNN_CELL_LSTM || c->proj_size >= c->hidden_size)) return 0;
  if (c->gate_activation < 0 || c->gate_activation >= RNN_GATE_COUNT) return 0;
  if (c->gate_activation && c->cell != RNN_CELL_LSTM && c->cell != RNN_CELL_GRU) return 0;
  if (c->reset_before && (c->reset_before != 1 || c->cell != RNN_CELL_GRU)) return 0;
  return 1;
}

/* Raw configurations: anything the 32-bit fields can hold. Invalid ones must
 * be refused with RNN_E_INVALID (and *out NULL); small valid ones must be
 * created; valid ones too large to create here are not tried (their malloc
 * would trip libFuzzer's allocation limit, which is the point of NOMEM). */
static void fuzz_raw_config(fz_input *in) {
  rnn_model_config c;
  memset(&c, 0, sizeof c);
  const uint8_t shape = fz_u8(in);
  /* each field: a small value, or (per bit of shape) raw 32 bits */
  c.cell = shape & 1 ? (int32_t)fz_u32(in) : fz_range(in, -1, 8);
  c.input_size = shape & 2 ? (int32_t)fz_u32(in) : fz_range(in, -2, 8);
  c.hidden_size = shape & 4 ? (int32_t)fz_u32(in) : fz_range(in, -2, 8);
  c.num_layers = shape & 8 ? (int32_t)fz_u32(in) : fz_range(in, -1, 4);
  c.bidirectional = (int32_t)fz_u32(in);
  c.bias = (int32_t)fz_u32(in);
  c.proj_size = shape & 16 ? (int32_t)fz_u32(in) : fz_range(in, -2, 8);
  c.dropout = shape & 32 ? fz_bits_float(fz_u32(in)) : fz_float(in, 0);
  c.seed = fz_u32(in);
  c.gate_activation = fz_range(in, -1, 3);
  c.reset_before = fz_range(in, -1, 2);

  const int valid = config_valid(&c);
  const int over = c.input_size > LIMIT_INPUT || c.hidden_size > LIMIT_HIDDEN ||
                   c.num_layers > LIMIT_LAYERS;
  const int small = c.input_size <= 64 && c.hidden_size <= 64 && c.num_layers <= 4;
  if (valid && !over && !small) return;
  rnn_model *m = (rnn_model *)&c;
  const int st = rnn_model_create(&c, &m);
  FZ_SANE(st);
  if (!valid || over) {
    FZ_CHECK(st == RNN_E_INVALID && m == NULL,
             "invalid config (cell %d I %d H %d L %d proj %d dropout %g) gave %s", c.cell,
             c.input_size, c.hidden_size, c.num_layers, c.proj_size, (double)c.dropout,
             rnn_status_name(st));
    return;
  }
  FZ_CHECK(st == RNN_OK && m != NULL, "small valid config refused: %s", rnn_status_name(st));
  /* one tiny forward/backward with whatever the config is */
  const int D = c.bidirectional ? 2 : 1, Ho = c.proj_size ? c.proj_size : c.hidden_size;
  float *x = fz_floats(in, (size_t)c.input_size * 2, 0), *y = fz_zeros((size_t)2 * D * Ho);
  FZ_CHECK(rnn_model_forward(m, 1, 2, x, NULL, NULL, NULL, y, NULL, NULL) == RNN_OK, "forward");
  FZ_CHECK(rnn_model_backward(m, y, NULL, NULL, x, NULL, NULL) == RNN_OK, "backward");
  free(x), free(y);
  rnn_model_destroy(m);
}

/* A small valid configuration, sometimes with one field broken. Returns
 * whether it is meant to be valid. */
static int decode_config(fz_input *in, rnn_model_config *c, int big) {
  memset(c, 0, sizeof *c);
  c->cell = fz_range(in, 0, 7);
  /* big: past the GEMM blocking sizes (K blocks of 256, row blocks of 128) */
  c->input_size = big ? fz_range(in, 1, 40) * 8 : fz_range(in, 1, 6);
  c->hidden_size = big ? fz_range(in, 1, 40) : fz_range(in, 1, 8);
  c->num_layers = fz_range(in, 1, 3);
  const uint8_t flags = fz_u8(in);
  c->bidirectional = flags & 1;
  c->bias = (flags >> 1) & 1;
  c->proj_size = c->cell == RNN_CELL_LSTM && (flags & 4) ? fz_range(in, 0, c->hidden_size - 1) : 0;
  /* the cell variants (issue 19) from the flag bits the rest leaves free */
  const int gated = c->cell == RNN_CELL_LSTM || c->cell == RNN_CELL_GRU; /* not the min cells */
  c->gate_activation = gated ? ((flags >> 3) & 3) % RNN_GATE_COUNT : 0;
  c->reset_before = c->cell == RNN_CELL_GRU && (flags & 0x20);
  const uint8_t d = fz_u8(in);
  c->dropout = d % 4 == 0 ? 0.0f : d % 4 == 1 ? 0.25f : d % 4 == 2 ? 0.9f : (float)(d >> 2) / 64.0f;
  c->seed = fz_u32(in);
  if (!(flags & 0x80)) return 1;
  switch (fz_u8(in) % 10) { /* break exactly one thing */
  case 0: c->hidden_size = -fz_range(in, 0, 3); break;
  case 1: c->input_size = 0; break;
  case 2: c->num_layers = -fz_range(in, 0, 2); break;
  case 3: c->dropout = fz_u8(in) & 1 ? 1.0f : NAN; break;
  case 4: c->proj_size = c->cell == RNN_CELL_LSTM ? c->hidden_size + fz_range(in, 0, 2) : 1; break;
  case 5: c->proj_size = -1; break;
  case 6: c->cell = fz_u8(in) & 1 ? 8 : -1; break;
  case 7: c->gate_activation = gated ? RNN_GATE_COUNT : 1; break;
  case 8: c->reset_before = c->cell == RNN_CELL_GRU ? 2 : 1; break;
  default: c->dropout = -0.5f; break;
  }
  return 0;
}

/* The optimizer's hyper-parameters: mostly sensible, sometimes out of range. */
static double pick_double(fz_input *in, const double *choices, int n) {
  return choices[fz_u8(in) % n];
}

static int opt_valid(int kind, const rnn_opt_config *c) {
  if (kind < RNN_OPT_SGD || kind > RNN_OPT_ADAMW) return 0;
  if (!(c->lr >= 0.0) || !(c->weight_decay >= 0.0)) return 0;
  if (kind == RNN_OPT_SGD) {
    if (!(c->momentum >= 0.0)) return 0;
    if (c->nesterov && (c->momentum <= 0.0 || c->dampening != 0.0)) return 0;
    return 1;
  }
  return c->beta1 >= 0.0 && c->beta1 < 1.0 && c->beta2 >= 0.0 && c->beta2 < 1.0 && c->eps >= 0.0;
}

static void fuzz_optimizer(fz_input *in, rnn_model *m) {
  static const double lrs[] = {1e-3, 0.1, 0.0, 1.0, 1e30, -1.0, NAN, INFINITY};
  static const double betas[] = {0.9, 0.999, 0.0, 0.5, 1.0, -0.1, NAN, 0.999999};
  static const double small[] = {0.0, 1e-8, 0.01, 0.9, -1.0, NAN, INFINITY, 1.0};
  const int kind = fz_range(in, -1, 3);
  rnn_opt_config c;
  memset(&c, 0, sizeof c);
  c.lr = pick_double(in, lrs, 8);
  c.beta1 = pick_double(in, betas, 8);
  c.beta2 = pick_double(in, betas, 8);
  c.eps = pick_double(in, small, 8);
  c.weight_decay = pick_double(in, small, 8);
  c.momentum = pick_double(in, small, 8);
  c.dampening = pick_double(in, small, 8);
  const uint8_t f = fz_u8(in);
  c.amsgrad = f & 1;
  c.nesterov = (f >> 1) & 1;

  /* one segment for the whole model, or one per tensor */
  const int per_tensor = (f >> 2) & 1;
  const int nseg = per_tensor ? rnn_params_num_tensors(rnn_model_parameters(m)) : 1;
  float **ps = malloc((size_t)nseg * sizeof *ps), **gs = malloc((size_t)nseg * sizeof *gs);
  size_t *counts = malloc((size_t)nseg * sizeof *counts);
  if (!ps || !gs || !counts) abort();
  for (int i = 0; i < nseg; i++) {
    size_t off = 0;
    int rows = 0, cols = 0;
    if (per_tensor) rnn_params_tensor(rnn_model_parameters(m), i, NULL, &off, &rows, &cols);
    ps[i] = rnn_params_values(rnn_model_parameters(m)) + off;
    gs[i] = rnn_params_grads(rnn_model_parameters(m)) + off;
    counts[i] = per_tensor ? (size_t)rows * cols : rnn_params_count(rnn_model_parameters(m));
  }
  rnn_optimizer *o = (rnn_optimizer *)&c;
  int st = rnn_optimizer_create(kind, &c, nseg, ps, gs, counts, &o);
  FZ_SANE(st);
  const int valid = opt_valid(kind, &c);
  FZ_CHECK(valid ? st == RNN_OK && o : st == RNN_E_INVALID && o == NULL,
           "optimizer kind %d lr %g betas %g %g eps %g wd %g mom %g damp %g nesterov %d: %s", kind,
           c.lr, c.beta1, c.beta2, c.eps, c.weight_decay, c.momentum, c.dampening, c.nesterov,
           rnn_status_name(st));
  if (st == RNN_OK) {
    FZ_CHECK(rnn_optimizer_state_size(o) == rnn_params_count(rnn_model_parameters(m)), "state size");
    const int has_m = kind != RNN_OPT_SGD || c.momentum != 0.0;
    FZ_CHECK((rnn_optimizer_moment(o, 0) != NULL) == has_m, "moment 0");
    FZ_CHECK((rnn_optimizer_moment(o, 1) != NULL) == (kind != RNN_OPT_SGD), "moment 1");
    FZ_CHECK((rnn_optimizer_moment(o, 2) != NULL) == (kind != RNN_OPT_SGD && c.amsgrad), "moment 2");
    FZ_CHECK(rnn_optimizer_moment(o, 3) == NULL && rnn_optimizer_moment(o, -1) == NULL, "moment 3");
    const int steps = fz_range(in, 1, 3);
    for (int s = 0; s < steps; s++) {
      const uint8_t a = fz_u8(in);
      if (a % 8 == 0) rnn_optimizer_set_lr(o, pick_double(in, lrs, 8));
      if (a % 8 == 1) { /* any count, as restored from a checkpoint */
        static const int64_t counts_at[] = {0, 1, 2, 1000, -1, INT64_MIN, INT64_MAX - 1, INT64_MAX};
        const uint8_t b = fz_u8(in);
        rnn_optimizer_set_steps(o, b & 8 ? (int64_t)fz_u64(in) : counts_at[b % 8]);
        FZ_CHECK(rnn_optimizer_steps(o) >= 0, "negative step count");
      }
      const int64_t before = rnn_optimizer_steps(o);
      FZ_CHECK(rnn_optimizer_step(o) == RNN_OK, "step");
      FZ_CHECK(rnn_optimizer_steps(o) >= before, "step count went down: %lld -> %lld",
               (long long)before, (long long)rnn_optimizer_steps(o));
    }
    rnn_params_changed(rnn_model_parameters(m));
    rnn_optimizer_destroy(o);
  }
  /* clipping, any max_norm; negative (invalid) max_norm is reported */
  static const double norms[] = {1.0, 0.0, 1e-3, 5.0, -1.0, NAN, INFINITY, 1e30};
  const double mx = pick_double(in, norms, 8);
  double norm = -1.0;
  const int cst = rnn_clip_grad_norm(nseg, gs, counts, mx, &norm);
  FZ_CHECK(mx >= 0.0 ? cst == RNN_OK && !(norm < 0.0) : cst == RNN_E_INVALID,
           "clip(%g) returned %d (norm %g)", mx, cst, norm);
  free(ps), free(gs), free(counts);
}

static void fuzz_model(fz_input *in, uint8_t mode) {
  rnn_model_config c;
  const int big = (mode & 0x30) == 0x30; /* one input in four: larger sizes */
  const int want_valid = decode_config(in, &c, big);
  rnn_model *m = (rnn_model *)&c;
  int st = rnn_model_create(&c, &m);
  FZ_SANE(st);
  if (!want_valid) {
    FZ_CHECK(st == RNN_E_INVALID && m == NULL, "broken config gave %s", rnn_status_name(st));
    return;
  }
  FZ_CHECK(st == RNN_OK && m, "valid config cell %d I %d H %d L %d D %d proj %d p %g: %s", c.cell,
           c.input_size, c.hidden_size, c.num_layers, c.bidirectional + 1, c.proj_size,
           (double)c.dropout, rnn_status_name(st));

  const int nice = mode & 1; /* ordinary data only: results are checked more */
  const int I = c.input_size, H = c.hidden_size, Ho = c.proj_size ? c.proj_size : H;
  const int L = c.num_layers, D = c.bidirectional ? 2 : 1, is_lstm = c.cell == RNN_CELL_LSTM;
  /* |h| <= 1 (the min cells' h mixes h0 and unbounded candidates) */
  const int bounded = c.cell <= RNN_CELL_GRU && c.cell != RNN_CELL_RNN_RELU && c.proj_size == 0;
  int params_finite = 1; /* no NaN / infinity among the parameters */
  int params_init = 1;   /* the parameters are still the initial ones */
  int pending = 0, pend_T = 0, pend_B = 0; /* the forward a backward would use */
  int maybe_pending = 0;                   /* a failed forward after a pending one */

  const int rounds = fz_range(in, 1, 3);
  for (int round = 0; round < rounds && in->n; round++) {
    const uint8_t k = fz_u8(in);
    int T = big ? fz_range(in, 1, 48) : fz_range(in, 1, 6);
    int B = big ? fz_range(in, 1, 8) : fz_range(in, 1, 4);
    int want = RNN_OK;
    if (k % 16 == 0) T = -fz_range(in, 0, 2), want = RNN_E_SHAPE;
    else if (k % 16 == 1) B = -fz_range(in, 0, 2), want = RNN_E_SHAPE;
    else if (k % 16 == 2) { /* absurd: refused before anything is allocated or read */
      T = fz_u8(in) & 1 ? 1 << 20 : 0x7fffffff;
      B = fz_u8(in) & 1 ? 1 << 12 : 0x7fffffff;
      want = RNN_E_NOMEM;
    }
    const int sane = want == RNN_OK;
    const size_t rows = sane ? (size_t)T * B : 1;

    /* lengths: none, valid, or possibly out of range */
    int32_t *lengths = NULL;
    const uint8_t lm = fz_u8(in) % 4;
    if (sane && lm) {
      lengths = malloc((size_t)B * sizeof *lengths);
      if (!lengths) abort();
      for (int b = 0; b < B; b++) {
        if (lm == 3) {
          const uint8_t v = fz_u8(in);
          lengths[b] = v < 32 ? (int32_t)(v % 9) - 1 : v < 40 ? INT32_MIN + v : 1 + v % T;
          if (lengths[b] < 1 || lengths[b] > T) want = RNN_E_INVALID;
        } else {
          lengths[b] = fz_range(in, 1, T);
        }
      }
    }
    /* training mode, dropout generator state, and maybe a poked parameter */
    const uint8_t opts = fz_u8(in);
    rnn_model_set_training(m, opts & 1);
    if (opts & 2) {
      uint32_t s[4];
      for (int i = 0; i < 4; i++) s[i] = fz_u32(in);
      rnn_model_set_rng(m, s);
      uint32_t g[4];
      rnn_model_get_rng(m, g);
      FZ_CHECK(memcmp(s, g, sizeof s) == 0, "rng state round trip");
    }
    if ((opts & 4) && !nice) {
      float *p = rnn_params_values(rnn_model_parameters(m));
      p[fz_u32(in) % rnn_params_count(rnn_model_parameters(m))] = fz_float(in, 0);
      rnn_params_changed(rnn_model_parameters(m));
      params_finite = fz_all_finite(p, rnn_params_count(rnn_model_parameters(m)));
      params_init = 0;
    }
    /* int8 inference until after the backward below (which it refuses) */
    int quantized = 0;
    if (opts & 128) {
      rnn_params *mp = rnn_model_parameters(m);
      const int finite = fz_all_finite(rnn_params_values(mp), rnn_params_count(mp));
      const int qs = rnn_params_quantize(mp, 1);
      FZ_SANE(qs);
      /* only weights are checked: a non-finite bias quantizes */
      FZ_CHECK(qs == RNN_OK || (qs == RNN_E_INVALID && !finite), "quantize: %s", rnn_status_name(qs));
      quantized = qs == RNN_OK;
      FZ_CHECK(rnn_params_quantized(mp) == quantized, "quantized flag");
    }
    float *x = fz_floats(in, sane ? rows * I : 1, nice);
    float *h0 = opts & 8 ? fz_floats(in, (size_t)L * D * (sane ? B : 1) * Ho, nice) : NULL;
    float *c0 = opts & 16 ? fz_floats(in, (size_t)L * D * (sane ? B : 1) * H, nice) : NULL;
    const size_t ny = sane ? rows * D * Ho : 1;
    float *y = fz_zeros(ny);
    float *hN = opts & 32 ? fz_zeros((size_t)L * D * (sane ? B : 1) * Ho) : NULL;
    float *cN = opts & 64 ? fz_zeros((size_t)L * D * (sane ? B : 1) * H) : NULL;

    st = rnn_model_forward(m, T, B, x, lengths, h0, c0, y, hN, cN);
    FZ_SANE(st);
    FZ_CHECK(st == want, "forward T %d B %d: %s, want %s", T, B, rnn_status_name(st),
             rnn_status_name(want));
    if (st == RNN_OK) {
      pending = 1, maybe_pending = 0, pend_T = T, pend_B = B;
      if (params_finite && lengths) /* padded steps are exactly zero */
        for (int t = 0; t < T; t++)
          for (int b = 0; b < B; b++)
            if (t >= lengths[b])
              for (int j = 0; j < D * Ho; j++)
                FZ_CHECK(y[((size_t)t * B + b) * D * Ho + j] == 0.0f, "padded output not 0");
      if (nice && params_init) {
        FZ_CHECK(fz_all_finite(y, ny), "non-finite output from ordinary data");
        if (hN) FZ_CHECK(fz_all_finite(hN, (size_t)L * D * B * Ho), "non-finite hN");
        if (cN && is_lstm) FZ_CHECK(fz_all_finite(cN, (size_t)L * D * B * H), "non-finite cN");
        if (bounded && !h0)
          for (size_t i = 0; i < ny; i++) FZ_CHECK(fabsf(y[i]) <= 1.0f, "|h| = %g > 1", (double)y[i]);
      }
      /* gate taps of one direction (or an invalid one) */
      if (k & 0x10) {
        const int dir = fz_range(in, -1, L * D);
        const int ng = rnn_model_num_tap_gates(m);
        FZ_CHECK(ng == (gates_of(c.cell) == 1 ? 0 : gates_of(c.cell)), "tap gates");
        float *taps = fz_zeros(rows * ((size_t)ng * H + (is_lstm ? H : 0) + Ho));
        const int ts = rnn_model_forward_taps(m, dir, taps);
        FZ_SANE(ts);
        FZ_CHECK(ts == (dir >= 0 && dir < L * D ? RNN_OK : RNN_E_INVALID), "taps of direction %d: %s", dir,
                 rnn_status_name(ts));
        free(taps);
      }
    } else if (st == RNN_E_NOMEM) {
      pending = 0, maybe_pending = 0; /* the cache may have been given up */
    } else if (pending) {
      maybe_pending = 1; /* refused before the cache was touched: either answer is fine */
    }
    free(lengths), free(x), free(h0), free(c0), free(y), free(hN), free(cN);

    /* backward, sized for the forward it runs through */
    const uint8_t bm = fz_u8(in);
    if (bm & 1) {
      const int bT = pending ? pend_T : 1, bB = pending ? pend_B : 1;
      const size_t brows = (size_t)bT * bB, nh = (size_t)L * D * bB * Ho, nc = (size_t)L * D * bB * H;
      float *dy = bm & 2 ? fz_floats(in, brows * D * Ho, nice) : NULL;
      float *dhN = bm & 4 ? fz_floats(in, nh, nice) : NULL;
      float *dcN = bm & 8 ? fz_floats(in, nc, nice) : NULL;
      float *dx = bm & 16 ? fz_zeros(brows * I) : NULL;
      float *dh0 = bm & 32 ? fz_zeros(nh) : NULL;
      float *dc0 = bm & 64 ? fz_zeros(nc) : NULL;
      if (bm & 128) rnn_params_zero_grad(rnn_model_parameters(m));
      st = rnn_model_backward(m, dy, dhN, dcN, dx, dh0, dc0);
      FZ_SANE(st);
      if (quantized) FZ_CHECK(st == RNN_E_STATE, "backward of a quantized model: %s", rnn_status_name(st));
      else if (maybe_pending) FZ_CHECK(st == RNN_OK || st == RNN_E_STATE, "backward: %s", rnn_status_name(st));
      else FZ_CHECK(st == (pending ? RNN_OK : RNN_E_STATE), "backward (pending %d): %s", pending,
                    rnn_status_name(st));
      if (st == RNN_OK && nice && params_init && (bm & 128)) {
        FZ_CHECK(fz_all_finite(rnn_params_grads(rnn_model_parameters(m)), rnn_params_count(rnn_model_parameters(m))), "non-finite gradients");
        if (dx) FZ_CHECK(fz_all_finite(dx, brows * I), "non-finite dx");
        if (dh0) FZ_CHECK(fz_all_finite(dh0, nh), "non-finite dh0");
      }
      pending = 0, maybe_pending = 0;
      free(dy), free(dhN), free(dcN), free(dx), free(dh0), free(dc0);
      /* taps and a second backward are refused now */
      st = rnn_model_backward(m, NULL, NULL, NULL, NULL, NULL, NULL);
      FZ_CHECK(st == RNN_E_STATE, "second backward: %s", rnn_status_name(st));
    }
    if (quantized) {
      FZ_CHECK(rnn_params_quantize(rnn_model_parameters(m), 0) == RNN_OK, "dequantize");
      /* a refused backward leaves its forward cached: drop it (rnn_model_input does) */
      float *drop;
      FZ_CHECK(rnn_model_input(m, 1, 1, &drop) == RNN_OK, "drop the cached forward");
      pending = 0, maybe_pending = 0;
    }
    if (k & 0x20) {
      fuzz_optimizer(in, m); /* may move the parameters anywhere (lr 1e30, NaN gradients) */
      params_init = 0;
      params_finite = fz_all_finite(rnn_params_values(rnn_model_parameters(m)), rnn_params_count(rnn_model_parameters(m)));
    }
  }

  /* arguments no call accepts */
  float one = 0.0f;
  FZ_CHECK(rnn_model_forward(m, 1, 1, NULL, NULL, NULL, NULL, &one, NULL, NULL) == RNN_E_INVALID, "x NULL");
  FZ_CHECK(rnn_model_forward(NULL, 1, 1, &one, NULL, NULL, NULL, &one, NULL, NULL) == RNN_E_INVALID, "m NULL");
  FZ_CHECK(rnn_model_backward(NULL, NULL, NULL, NULL, NULL, NULL, NULL) == RNN_E_INVALID, "m NULL");
  FZ_CHECK(rnn_model_forward_taps(m, 0, NULL) == RNN_E_INVALID, "taps dst NULL");
  FZ_CHECK(rnn_params_tensor(rnn_model_parameters(m), rnn_params_num_tensors(rnn_model_parameters(m)), NULL, NULL, NULL, NULL) == 0, "tensor index");
  FZ_CHECK(gates_of(c.cell) >= 1, "gates");
  rnn_model_destroy(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_input in = {data, size};
  const uint8_t mode = fz_u8(&in);
  if (mode % 8 == 7) fuzz_raw_config(&in);
  else fuzz_model(&in, mode);
  return 0;
}
