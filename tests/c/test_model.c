/* test_model.c - the public C API of the model (src/rnn.h) from C: RNN,
 * LSTM and GRU stacks over a grid of configurations (layers, directions,
 * bias, projection, dropout), forward and backward with and without lengths,
 * finite-difference checks of gradients, zero_grad, params_changed,
 * training mode, the dropout generator, optimizers and clipping, every
 * documented invalid argument (status and rnn_last_error message), absurd
 * sizes (RNN_E_NOMEM, no crash), Linear / Embedding / losses briefly, and
 * CausalConv1d against a double-precision reference (forward, backward,
 * finite differences, lengths, the carried context, chunks).
 *
 * Built natively, to wasm (SIMD and scalar) by ./build.sh tests and with
 * AddressSanitizer + UndefinedBehaviorSanitizer by ./build.sh sanitize, so
 * it frees everything it allocates (LeakSanitizer runs on it).
 * Exit code 0 when everything passes; last line "N passed, M failed". */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"
#include "rnn_testing.h" /* rnn_optimizer_force_scalar, rnn_parallel_emulate */
#define TEST_RAND_SEED 2024u
#include "test_rand.h"

/* Absurd sizes must come back as RNN_E_NOMEM: under AddressSanitizer that
 * needs malloc to return NULL instead of reporting the request. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
#endif

static int passed, failed;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  if (failed <= 40) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf(" (last error: %s)\n", rnn_last_error());
    va_end(ap);
  }
}

/* A call that must fail with `want` and leave a message containing `needle`. */
static void expect_status(int got, int want, const char *needle, const char *what) {
  const char *msg = rnn_last_error();
  check(got == want && (!needle || strstr(msg, needle) != NULL),
        "%s: status %s (want %s), message \"%s\" (want it to mention \"%s\")", what,
        rnn_status_name(got), rnn_status_name(want), msg, needle ? needle : "");
}


static int all_finite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}
static double max_abs_diff(const float *a, const float *b, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double d = fabs((double)a[i] - (double)b[i]);
    if (!(d <= m)) m = d; /* NaN sticks */
  }
  return m;
}

static rnn_model_config config(int cell, int I, int H, int L, int bidir, int bias, int proj,
                               float dropout, uint32_t seed) {
  rnn_model_config c;
  memset(&c, 0, sizeof c);
  c.cell = cell, c.input_size = I, c.hidden_size = H, c.num_layers = L;
  c.bidirectional = bidir, c.bias = bias, c.proj_size = proj, c.dropout = dropout;
  c.seed = seed;
  return c;
}

static rnn_model_config variant(rnn_model_config c, int gate_activation, int reset_before) {
  c.gate_activation = gate_activation, c.reset_before = reset_before;
  return c;
}

static const char *cell_name(int cell) {
  static const char *names[] = {"RNN_TANH", "RNN_RELU", "LSTM", "GRU",
                                "MIN_GRU", "MIN_LSTM", "MIN_GRU_LOG", "MIN_LSTM_LOG"};
  return cell >= 0 && cell < 8 ? names[cell] : "?";
}

static int gates_of(int cell) { return cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 1; }

/* ---- one model's whole life: shapes, tensors, forward, backward, FD ---- */

typedef struct {
  rnn_model_config cfg;
  int T, B;
  const int32_t *lengths;
} model_case;

/* Everything a forward/backward run needs, sized for the case. */
typedef struct {
  int T, B, I, H, Ho, L, D, is_lstm;
  size_t nx, ny, nh, nc;
  float *x, *h0, *c0, *y, *hN, *cN;
  float *wy, *wh, *wc; /* loss weights: loss = sum wy*y + sum wh*hN + sum wc*cN */
  float *dx, *dh0, *dc0;
} run_bufs;

static void bufs_init(run_bufs *r, const rnn_model_config *c, int T, int B) {
  memset(r, 0, sizeof *r);
  r->T = T, r->B = B, r->I = c->input_size, r->H = c->hidden_size;
  r->Ho = c->proj_size ? c->proj_size : c->hidden_size;
  r->L = c->num_layers, r->D = c->bidirectional ? 2 : 1;
  r->is_lstm = c->cell == RNN_CELL_LSTM;
  r->nx = (size_t)T * B * r->I;
  r->ny = (size_t)T * B * r->D * r->Ho;
  r->nh = (size_t)r->L * r->D * B * r->Ho;
  r->nc = (size_t)r->L * r->D * B * r->H;
  r->x = rand_array(r->nx, 1.0f);
  r->h0 = rand_array(r->nh, 0.5f);
  r->c0 = rand_array(r->nc, 0.5f);
  r->y = zeros(r->ny), r->hN = zeros(r->nh), r->cN = zeros(r->nc);
  r->wy = rand_array(r->ny, 1.0f), r->wh = rand_array(r->nh, 1.0f), r->wc = rand_array(r->nc, 1.0f);
  r->dx = zeros(r->nx), r->dh0 = zeros(r->nh), r->dc0 = zeros(r->nc);
}

static void bufs_free(run_bufs *r) {
  float *all[] = {r->x, r->h0, r->c0, r->y, r->hN, r->cN, r->wy, r->wh, r->wc, r->dx, r->dh0, r->dc0};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
}

static int run_forward(rnn_model *m, run_bufs *r, const int32_t *lengths) {
  return rnn_model_forward(m, r->T, r->B, r->x, lengths, r->h0, r->is_lstm ? r->c0 : NULL,
                           r->y, r->hN, r->is_lstm ? r->cN : NULL);
}

static double objective(const run_bufs *r) {
  double s = 0.0;
  for (size_t i = 0; i < r->ny; i++) s += (double)r->wy[i] * r->y[i];
  for (size_t i = 0; i < r->nh; i++) s += (double)r->wh[i] * r->hN[i];
  if (r->is_lstm)
    for (size_t i = 0; i < r->nc; i++) s += (double)r->wc[i] * r->cN[i];
  return s;
}

/* Central difference of the objective with respect to *p (restored after). */
static double numeric_grad(rnn_model *m, run_bufs *r, const int32_t *lengths,
                           const uint32_t rng[4], float *p, int is_param) {
  const float eps = 1e-2f, orig = *p;
  double f[2];
  for (int k = 0; k < 2; k++) {
    *p = orig + (k ? -eps : eps);
    if (is_param) rnn_params_changed(rnn_model_parameters(m));
    rnn_model_set_rng(m, rng); /* the same dropout masks every time */
    const int st = run_forward(m, r, lengths);
    f[k] = st == RNN_OK ? objective(r) : NAN;
  }
  *p = orig;
  if (is_param) rnn_params_changed(rnn_model_parameters(m));
  return (f[0] - f[1]) / (2.0 * (double)eps);
}

static int grad_close(double numeric, double analytic) {
  return fabs(numeric - analytic) <= 2e-3 + 2e-2 * fabs(numeric);
}

static void test_model_case(const model_case *mc) {
  const rnn_model_config *c = &mc->cfg;
  char tag[160];
  snprintf(tag, sizeof tag, "%s I=%d H=%d L=%d D=%d bias=%d proj=%d p=%.2f T=%d B=%d%s",
           cell_name(c->cell), c->input_size, c->hidden_size, c->num_layers,
           c->bidirectional ? 2 : 1, c->bias, c->proj_size, (double)c->dropout, mc->T, mc->B,
           mc->lengths ? " lengths" : "");
  rnn_model *m = NULL;
  int st = rnn_model_create(c, &m);
  check(st == RNN_OK && m != NULL, "%s: create -> %s", tag, rnn_status_name(st));
  if (st != RNN_OK) return;

  /* Parameter count and tensor table, in PyTorch's state_dict order. */
  const int G = gates_of(c->cell), H = c->hidden_size, P = c->proj_size, Ho = P ? P : H;
  const int D = c->bidirectional ? 2 : 1;
  size_t want = 0;
  for (int l = 0; l < c->num_layers; l++) {
    const size_t in = l == 0 ? (size_t)c->input_size : (size_t)D * Ho;
    want += D * ((size_t)G * H * in + (size_t)G * H * Ho + (c->bias ? 2u * G * H : 0) +
                 (size_t)P * H);
  }
  check(rnn_params_count(rnn_model_parameters(m)) == want, "%s: num_params %zu, want %zu", tag,
        rnn_params_count(rnn_model_parameters(m)), want);
  const int per_direction = 2 + (c->bias ? 2 : 0) + (P ? 1 : 0);
  check(rnn_params_num_tensors(rnn_model_parameters(m)) == c->num_layers * D * per_direction, "%s: num_tensors %d", tag,
        rnn_params_num_tensors(rnn_model_parameters(m)));
  size_t covered = 0;
  int order_ok = 1;
  for (int i = 0; i < rnn_params_num_tensors(rnn_model_parameters(m)); i++) {
    const char *name = NULL;
    size_t off = 0;
    int rows = 0, cols = 0;
    const int dims = rnn_params_tensor(rnn_model_parameters(m), i, &name, &off, &rows, &cols);
    order_ok &= dims >= 1 && dims <= 2 && off == covered && name != NULL;
    covered += (size_t)rows * cols;
  }
  check(order_ok && covered == want, "%s: tensors tile the parameters", tag);
  {
    const char *name = NULL;
    size_t off = 1;
    int rows = 0, cols = 0;
    check(rnn_params_tensor(rnn_model_parameters(m), 0, &name, &off, &rows, &cols) == 2 && strcmp(name, "weight_ih_l0") == 0 &&
              off == 0 && rows == G * H && cols == c->input_size,
          "%s: tensor 0 is weight_ih_l0 [%d][%d]", tag, G * H, c->input_size);
    check(rnn_params_tensor(rnn_model_parameters(m), rnn_params_num_tensors(rnn_model_parameters(m)), &name, NULL, NULL, NULL) == 0 &&
              rnn_params_tensor(rnn_model_parameters(m), -1, NULL, NULL, NULL, NULL) == 0,
          "%s: tensor index out of range returns 0", tag);
    if (D == 2) {
      rnn_params_tensor(rnn_model_parameters(m), per_direction, &name, NULL, NULL, NULL);
      check(strcmp(name, "weight_ih_l0_reverse") == 0, "%s: tensor %d is %s", tag, per_direction, name);
    }
    if (P) {
      rnn_params_tensor(rnn_model_parameters(m), per_direction - 1, &name, NULL, &rows, &cols);
      check(strcmp(name, "weight_hr_l0") == 0 && rows == P && cols == H, "%s: %s [%d][%d]", tag,
            name, rows, cols);
    }
  }
  /* Init: U(-1/sqrt(H), 1/sqrt(H)); gradients start at zero. */
  {
    const float *p = rnn_params_values(rnn_model_parameters(m)), *g = rnn_params_grads(rnn_model_parameters(m));
    const float k = 1.0f / sqrtf((float)H);
    int in_range = 1, zero = 1;
    for (size_t i = 0; i < want; i++) in_range &= p[i] >= -k && p[i] <= k, zero &= g[i] == 0.0f;
    check(in_range && zero, "%s: init in [-%g, %g] and zero gradients", tag, (double)k, (double)k);
  }

  run_bufs r;
  bufs_init(&r, c, mc->T, mc->B);
  uint32_t rng[4];
  rnn_model_get_rng(m, rng);

  /* Forward: finite, padded steps zero, hN of a forward top unit = its last output. */
  st = run_forward(m, &r, mc->lengths);
  check(st == RNN_OK, "%s: forward -> %s", tag, rnn_status_name(st));
  check(all_finite(r.y, r.ny) && all_finite(r.hN, r.nh) && (!r.is_lstm || all_finite(r.cN, r.nc)),
        "%s: forward outputs are finite", tag);
  if (mc->lengths) {
    int pad_zero = 1;
    for (int t = 0; t < r.T; t++)
      for (int b = 0; b < r.B; b++)
        if (t >= mc->lengths[b])
          for (int j = 0; j < D * Ho; j++)
            pad_zero &= r.y[((size_t)t * r.B + b) * D * Ho + j] == 0.0f;
    check(pad_zero, "%s: output is 0 past each sequence's length", tag);
  }
  {
    int last_ok = 1;
    const int top = (c->num_layers - 1) * D; /* forward direction of the top layer */
    for (int b = 0; b < r.B; b++) {
      const int t = (mc->lengths ? mc->lengths[b] : r.T) - 1;
      for (int j = 0; j < Ho; j++)
        last_ok &= r.hN[((size_t)top * r.B + b) * Ho + j] == r.y[((size_t)t * r.B + b) * D * Ho + j];
      if (D == 2) /* reverse direction ends at t = 0 */
        for (int j = 0; j < Ho; j++)
          last_ok &= r.hN[((size_t)(top + 1) * r.B + b) * Ho + j] == r.y[(size_t)b * D * Ho + Ho + j];
    }
    check(last_ok, "%s: hN holds each sequence's final top-layer output", tag);
  }
  /* Same rng state, same result (dropout masks included). */
  {
    float *y1 = malloc(r.ny * sizeof(float));
    memcpy(y1, r.y, r.ny * sizeof(float));
    rnn_model_set_rng(m, rng);
    st = run_forward(m, &r, mc->lengths);
    check(st == RNN_OK && max_abs_diff(y1, r.y, r.ny) == 0.0, "%s: forward is repeatable", tag);
    free(y1);
  }

  /* Backward: parameter gradients, dx, dh0, dc0. */
  rnn_model_set_rng(m, rng);
  st = run_forward(m, &r, mc->lengths);
  const double f0 = objective(&r);
  st = rnn_model_backward(m, r.wy, r.wh, r.is_lstm ? r.wc : NULL, r.dx, r.dh0,
                          r.is_lstm ? r.dc0 : NULL);
  check(st == RNN_OK && isfinite(f0), "%s: backward -> %s", tag, rnn_status_name(st));
  const size_t np = rnn_params_count(rnn_model_parameters(m));
  float *grads = malloc(np * sizeof(float));
  memcpy(grads, rnn_params_grads(rnn_model_parameters(m)), np * sizeof(float));
  check(all_finite(grads, np) && all_finite(r.dx, r.nx) && all_finite(r.dh0, r.nh),
        "%s: gradients are finite", tag);
  st = rnn_model_backward(m, r.wy, NULL, NULL, NULL, NULL, NULL);
  expect_status(st, RNN_E_STATE, "forward", "second backward after one forward");

  /* Finite differences: the first and last element of every tensor, and a
   * few inputs and initial states. Copies, since the FD forwards overwrite
   * the buffers' outputs. */
  float *dx = malloc(r.nx * sizeof(float)), *dh0 = malloc(r.nh * sizeof(float));
  float *dc0 = malloc(r.nc * sizeof(float));
  memcpy(dx, r.dx, r.nx * sizeof(float));
  memcpy(dh0, r.dh0, r.nh * sizeof(float));
  memcpy(dc0, r.dc0, r.nc * sizeof(float));
  int fd_bad = 0, fd_n = 0;
  float *params = rnn_params_values(rnn_model_parameters(m));
  for (int i = 0; i < rnn_params_num_tensors(rnn_model_parameters(m)); i++) {
    size_t off = 0;
    int rows = 0, cols = 0;
    rnn_params_tensor(rnn_model_parameters(m), i, NULL, &off, &rows, &cols);
    const size_t idx[2] = {off, off + (size_t)rows * cols - 1};
    for (int k = 0; k < 2; k++) {
      const double num = numeric_grad(m, &r, mc->lengths, rng, &params[idx[k]], 1);
      fd_n++;
      if (!grad_close(num, grads[idx[k]])) {
        if (fd_bad++ < 3)
          printf("  %s: param %zu: analytic %.6g numeric %.6g\n", tag, idx[k], grads[idx[k]], num);
      }
    }
  }
  for (int k = 0; k < 3; k++) {
    const size_t ix = (size_t)k * (r.nx - 1) / 2, ih = (size_t)k * (r.nh - 1) / 2;
    double num = numeric_grad(m, &r, mc->lengths, rng, &r.x[ix], 0);
    fd_n++;
    if (!grad_close(num, dx[ix]) && fd_bad++ < 3)
      printf("  %s: dx[%zu]: analytic %.6g numeric %.6g\n", tag, ix, dx[ix], num);
    num = numeric_grad(m, &r, mc->lengths, rng, &r.h0[ih], 0);
    fd_n++;
    if (!grad_close(num, dh0[ih]) && fd_bad++ < 3)
      printf("  %s: dh0[%zu]: analytic %.6g numeric %.6g\n", tag, ih, dh0[ih], num);
    if (r.is_lstm) {
      const size_t ic = (size_t)k * (r.nc - 1) / 2;
      num = numeric_grad(m, &r, mc->lengths, rng, &r.c0[ic], 0);
      fd_n++;
      if (!grad_close(num, dc0[ic]) && fd_bad++ < 3)
        printf("  %s: dc0[%zu]: analytic %.6g numeric %.6g\n", tag, ic, dc0[ic], num);
    }
  }
  check(fd_bad == 0, "%s: %d of %d gradients disagree with finite differences", tag, fd_bad, fd_n);

  /* Backward accumulates; zero_grad clears. */
  rnn_model_set_rng(m, rng);
  run_forward(m, &r, mc->lengths);
  rnn_model_backward(m, r.wy, r.wh, r.is_lstm ? r.wc : NULL, NULL, NULL, NULL);
  {
    const float *g = rnn_params_grads(rnn_model_parameters(m));
    int doubled = 1;
    for (size_t i = 0; i < np; i++)
      doubled &= fabsf(g[i] - 2.0f * grads[i]) <= 1e-5f * (1.0f + fabsf(grads[i]));
    check(doubled, "%s: a second backward accumulates into the gradients", tag);
    rnn_params_zero_grad(rnn_model_parameters(m));
    int zero = 1;
    for (size_t i = 0; i < np; i++) zero &= g[i] == 0.0f;
    check(zero, "%s: zero_grad clears every gradient", tag);
  }
  /* Without h0/c0/lengths and with NULL outputs for the states. */
  st = rnn_model_forward(m, r.T, r.B, r.x, NULL, NULL, NULL, r.y, NULL, NULL);
  check(st == RNN_OK && all_finite(r.y, r.ny), "%s: forward with NULL states", tag);
  st = rnn_model_backward(m, NULL, NULL, NULL, NULL, NULL, NULL);
  check(st == RNN_OK, "%s: backward with every gradient NULL", tag);

  free(grads), free(dx), free(dh0), free(dc0);
  bufs_free(&r);
  rnn_model_destroy(m);
}

/* Packed sequences: each sequence of a padded batch gives what it gives run
 * alone over its own length (both directions, every layer). */
static void test_lengths_match_alone(int cell, int bidir, int proj) {
  const int T = 5, B = 3, I = 3, H = 6, L = 2;
  const int32_t lengths[3] = {5, 2, 4}; /* not sorted */
  rnn_model_config c = config(cell, I, H, L, bidir, 1, proj, 0.0f, 77);
  rnn_model *m = NULL;
  if (rnn_model_create(&c, &m) != RNN_OK) {
    check(0, "lengths: create %s", cell_name(cell));
    return;
  }
  const int D = bidir ? 2 : 1, Ho = proj ? proj : H, is_lstm = cell == RNN_CELL_LSTM;
  run_bufs r;
  bufs_init(&r, &c, T, B);
  int st = run_forward(m, &r, lengths);
  check(st == RNN_OK, "lengths: forward %s", cell_name(cell));
  double worst = 0.0;
  for (int b = 0; b < B; b++) {
    const int n = lengths[b];
    float *x = malloc((size_t)n * I * sizeof(float)), *y = malloc((size_t)n * D * Ho * sizeof(float));
    float *h0 = malloc((size_t)L * D * Ho * sizeof(float)), *c0 = malloc((size_t)L * D * H * sizeof(float));
    float *hN = malloc((size_t)L * D * Ho * sizeof(float)), *cN = malloc((size_t)L * D * H * sizeof(float));
    for (int t = 0; t < n; t++) memcpy(x + (size_t)t * I, r.x + ((size_t)t * B + b) * I, I * sizeof(float));
    for (int u = 0; u < L * D; u++) {
      memcpy(h0 + (size_t)u * Ho, r.h0 + ((size_t)u * B + b) * Ho, Ho * sizeof(float));
      memcpy(c0 + (size_t)u * H, r.c0 + ((size_t)u * B + b) * H, H * sizeof(float));
    }
    st = rnn_model_forward(m, n, 1, x, NULL, h0, is_lstm ? c0 : NULL, y, hN, is_lstm ? cN : NULL);
    check(st == RNN_OK, "lengths: forward of sequence %d alone", b);
    for (int t = 0; t < n; t++)
      for (int j = 0; j < D * Ho; j++) {
        const double d = fabs((double)y[(size_t)t * D * Ho + j] - r.y[((size_t)t * B + b) * D * Ho + j]);
        if (!(d <= worst)) worst = d;
      }
    for (int u = 0; u < L * D; u++) {
      for (int j = 0; j < Ho; j++) {
        const double d = fabs((double)hN[(size_t)u * Ho + j] - r.hN[((size_t)u * B + b) * Ho + j]);
        if (!(d <= worst)) worst = d;
      }
      if (is_lstm)
        for (int j = 0; j < H; j++) {
          const double d = fabs((double)cN[(size_t)u * H + j] - r.cN[((size_t)u * B + b) * H + j]);
          if (!(d <= worst)) worst = d;
        }
    }
    free(x), free(y), free(h0), free(c0), free(hN), free(cN);
  }
  check(worst <= 1e-5, "lengths: %s D=%d proj=%d: padded batch vs alone differ by %g", cell_name(cell),
        D, proj, worst);
  bufs_free(&r);
  rnn_model_destroy(m);
}

/* Training mode, dropout, the generator, params_changed. */
static void test_modes(void) {
  const int T = 4, B = 2;
  rnn_model_config c = config(RNN_CELL_LSTM, 3, 5, 3, 1, 1, 0, 0.5f, 9);
  rnn_model_config c0 = c;
  c0.dropout = 0.0f;
  rnn_model *m = NULL, *m0 = NULL;
  check(rnn_model_create(&c, &m) == RNN_OK && rnn_model_create(&c0, &m0) == RNN_OK,
        "modes: create");
  if (!m || !m0) {
    rnn_model_destroy(m), rnn_model_destroy(m0);
    return;
  }
  run_bufs r;
  bufs_init(&r, &c, T, B);
  float *a = zeros(r.ny), *b = zeros(r.ny), *e = zeros(r.ny);
  check(rnn_params_count(rnn_model_parameters(m)) == rnn_params_count(rnn_model_parameters(m0)) &&
            memcmp(rnn_params_values(rnn_model_parameters(m)), rnn_params_values(rnn_model_parameters(m0)), rnn_params_count(rnn_model_parameters(m)) * sizeof(float)) == 0,
        "modes: the same seed gives the same weights whatever the dropout");
  /* Evaluation mode: no dropout, so the same as the dropout-free model. */
  rnn_model_forward(m0, T, B, r.x, NULL, NULL, NULL, e, NULL, NULL);
  rnn_model_set_training(m, 0);
  rnn_model_forward(m, T, B, r.x, NULL, NULL, NULL, a, NULL, NULL);
  check(max_abs_diff(a, e, r.ny) == 0.0, "modes: evaluation mode applies no dropout");
  /* Training mode: masks from the generator; same state, same masks. */
  rnn_model_set_training(m, 1);
  uint32_t s0[4], s1[4], s2[4];
  rnn_model_get_rng(m, s0);
  rnn_model_forward(m, T, B, r.x, NULL, NULL, NULL, a, NULL, NULL);
  rnn_model_get_rng(m, s1);
  check(memcmp(s0, s1, sizeof s0) != 0, "modes: a training forward with dropout advances the generator");
  check(max_abs_diff(a, e, r.ny) > 0.0, "modes: training mode applies dropout");
  rnn_model_forward(m, T, B, r.x, NULL, NULL, NULL, b, NULL, NULL);
  check(max_abs_diff(a, b, r.ny) > 0.0, "modes: the next forward draws new masks");
  rnn_model_set_rng(m, s0);
  rnn_model_forward(m, T, B, r.x, NULL, NULL, NULL, b, NULL, NULL);
  rnn_model_get_rng(m, s2);
  check(max_abs_diff(a, b, r.ny) == 0.0 && memcmp(s1, s2, sizeof s1) == 0,
        "modes: set_rng replays the same masks");
  rnn_model_set_training(m, 0);
  rnn_model_get_rng(m, s0);
  rnn_model_forward(m, T, B, r.x, NULL, NULL, NULL, a, NULL, NULL);
  rnn_model_get_rng(m, s1);
  check(memcmp(s0, s1, sizeof s0) == 0, "modes: evaluation mode draws nothing");

  /* params_changed: copying another model's parameters in gives its output. */
  rnn_model_config c2 = c0;
  c2.seed = 1234;
  rnn_model *m2 = NULL;
  rnn_model_create(&c2, &m2);
  rnn_model_forward(m2, T, B, r.x, NULL, NULL, NULL, e, NULL, NULL);
  rnn_model_forward(m0, T, B, r.x, NULL, NULL, NULL, a, NULL, NULL);
  check(max_abs_diff(a, e, r.ny) > 0.0, "modes: different seeds give different outputs");
  memcpy(rnn_params_values(rnn_model_parameters(m0)), rnn_params_values(rnn_model_parameters(m2)), rnn_params_count(rnn_model_parameters(m0)) * sizeof(float));
  rnn_params_changed(rnn_model_parameters(m0));
  rnn_model_forward(m0, T, B, r.x, NULL, NULL, NULL, a, NULL, NULL);
  check(max_abs_diff(a, e, r.ny) == 0.0, "modes: params_changed picks up new parameters");
  /* Growing and shrinking T and B reuses or grows the cache correctly. */
  {
    float *x = rand_array((size_t)9 * 7 * 3, 1.0f), *y = zeros((size_t)9 * 7 * 10);
    int ok = 1;
    const int shapes[][2] = {{1, 1}, {9, 7}, {2, 3}, {1, 7}, {9, 1}, {3, 5}};
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
      ok &= rnn_model_forward(m0, shapes[k][0], shapes[k][1], x, NULL, NULL, NULL, y, NULL, NULL) == RNN_OK;
      ok &= rnn_model_backward(m0, y, NULL, NULL, x, NULL, NULL) == RNN_OK;
      ok &= all_finite(y, (size_t)shapes[k][0] * shapes[k][1] * 10);
    }
    check(ok, "modes: forward/backward over changing T and B");
    free(x), free(y);
  }
  free(a), free(b), free(e);
  bufs_free(&r);
  rnn_model_destroy(m), rnn_model_destroy(m0), rnn_model_destroy(m2);
}

/* Gate taps read the forward cache; after backward they are refused. */
static void test_taps(void) {
  rnn_model_config c = config(RNN_CELL_GRU, 2, 4, 1, 0, 1, 0, 0.0f, 3);
  rnn_model *m = NULL;
  rnn_model_create(&c, &m);
  if (!m) return;
  const int T = 3, B = 2;
  float *x = rand_array((size_t)T * B * 2, 1.0f), *y = zeros((size_t)T * B * 4);
  float *taps = zeros((size_t)(3 + 1) * T * B * 4);
  check(rnn_model_num_tap_gates(m) == 3, "taps: GRU has 3 gate blocks");
  expect_status(rnn_model_forward_taps(m, 0, taps), RNN_E_STATE, "forward", "taps before forward");
  rnn_model_forward(m, T, B, x, NULL, NULL, NULL, y, NULL, NULL);
  check(rnn_model_forward_taps(m, 0, taps) == RNN_OK &&
            max_abs_diff(taps + (size_t)3 * T * B * 4, y, (size_t)T * B * 4) == 0.0,
        "taps: the last block is this direction's output");
  expect_status(rnn_model_forward_taps(m, 1, taps), RNN_E_INVALID, "direction", "taps of direction 1 of 1");
  rnn_model_backward(m, y, NULL, NULL, NULL, NULL, NULL);
  expect_status(rnn_model_forward_taps(m, 0, taps), RNN_E_STATE, "forward", "taps after backward");
  free(x), free(y), free(taps);
  rnn_model_destroy(m);
}

/* ---- invalid arguments and absurd sizes ---- */

static void test_invalid(void) {
  rnn_model *m = (rnn_model *)&m; /* must be reset to NULL on failure */
  rnn_model_config c = config(RNN_CELL_LSTM, 4, 8, 1, 0, 1, 0, 0.0f, 1);
  struct {
    rnn_model_config cfg;
    int status;
    const char *needle;
    const char *what;
  } bad[] = {
      {config(RNN_CELL_LSTM, 4, 0, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "hiddenSize", "hidden_size 0"},
      {config(RNN_CELL_LSTM, 4, -3, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "hiddenSize", "hidden_size -3"},
      {config(RNN_CELL_LSTM, 4, 65537, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "hiddenSize", "hidden_size 65537"},
      {config(RNN_CELL_LSTM, 0, 8, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "inputSize", "input_size 0"},
      {config(RNN_CELL_LSTM, 4, 8, 0, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "numLayers", "num_layers 0"},
      {config(RNN_CELL_LSTM, 4, 8, 65, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "numLayers", "num_layers 65"},
      {config(RNN_CELL_LSTM, 4, 8, 1, 0, 1, 8, 0.0f, 1), RNN_E_INVALID, "projSize", "projSize == H"},
      {config(RNN_CELL_LSTM, 4, 8, 1, 0, 1, 9, 0.0f, 1), RNN_E_INVALID, "projSize", "projSize > H"},
      {config(RNN_CELL_LSTM, 4, 8, 1, 0, 1, -1, 0.0f, 1), RNN_E_INVALID, "projSize", "projSize -1"},
      {config(RNN_CELL_GRU, 4, 8, 1, 0, 1, 2, 0.0f, 1), RNN_E_INVALID, "LSTM only", "projSize on a GRU"},
      {config(RNN_CELL_RNN_TANH, 4, 8, 1, 0, 1, 2, 0.0f, 1), RNN_E_INVALID, "LSTM only", "projSize on an RNN"},
      {config(RNN_CELL_LSTM, 4, 8, 2, 0, 1, 0, 1.0f, 1), RNN_E_INVALID, "dropout", "dropout 1"},
      {config(RNN_CELL_LSTM, 4, 8, 2, 0, 1, 0, -0.1f, 1), RNN_E_INVALID, "dropout", "dropout -0.1"},
      {config(RNN_CELL_LSTM, 4, 8, 2, 0, 1, 0, NAN, 1), RNN_E_INVALID, "dropout", "dropout NaN"},
      {config(8, 4, 8, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "cell", "cell type 8"},
      {config(-1, 4, 8, 1, 0, 1, 0, 0.0f, 1), RNN_E_INVALID, "cell", "cell type -1"},
      {variant(config(RNN_CELL_RNN_TANH, 4, 8, 1, 0, 1, 0, 0.0f, 1), 1, 0), RNN_E_INVALID,
       "gateActivation", "gate activation on an RNN"},
      {variant(c, RNN_GATE_COUNT, 0), RNN_E_INVALID, "gateActivation", "gate activation 3"},
      {variant(c, -1, 0), RNN_E_INVALID, "gateActivation", "gate activation -1"},
      {variant(c, 0, 1), RNN_E_INVALID, "resetAfter", "reset before on an LSTM"},
      {variant(config(RNN_CELL_GRU, 4, 8, 1, 0, 1, 0, 0.0f, 1), 0, 2), RNN_E_INVALID, "resetAfter",
       "reset_before 2"},
      {variant(config(RNN_CELL_MIN_LSTM, 4, 8, 1, 0, 1, 0, 0.0f, 1), 1, 0), RNN_E_INVALID,
       "gateActivation", "gate activation on a minLSTM"},
      {variant(config(RNN_CELL_MIN_GRU, 4, 8, 1, 0, 1, 0, 0.0f, 1), 0, 1), RNN_E_INVALID,
       "resetAfter", "reset before on a minGRU"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    m = (rnn_model *)&m;
    const int st = rnn_model_create(&bad[i].cfg, &m);
    expect_status(st, bad[i].status, bad[i].needle, bad[i].what);
    check(m == NULL, "%s: *out is NULL after a failure", bad[i].what);
    if (st == RNN_OK) rnn_model_destroy(m);
  }
  expect_status(rnn_model_create(NULL, &m), RNN_E_INVALID, "NULL", "create with cfg NULL");
  expect_status(rnn_model_create(&c, NULL), RNN_E_INVALID, "NULL", "create with out NULL");
  check(strcmp(rnn_status_name(RNN_E_NOMEM), "RNN_E_NOMEM") == 0 &&
            strcmp(rnn_status_name(RNN_OK), "RNN_OK") == 0 &&
            strcmp(rnn_status_name(99), "RNN_E_UNKNOWN") == 0 &&
            rnn_status_count() == RNN_STATUS_COUNT &&
            strcmp(rnn_status_code(RNN_E_INVALID), "INVALID_ARGUMENT") == 0 &&
            strcmp(rnn_status_code(-1), "UNKNOWN") == 0,
        "status names");

  m = NULL;
  check(rnn_model_create(&c, &m) == RNN_OK, "invalid: create the valid model");
  if (!m) return;
  const int T = 3, B = 2;
  float *x = rand_array((size_t)T * B * 4, 1.0f), *y = zeros((size_t)T * B * 8);
  expect_status(rnn_model_backward(m, y, NULL, NULL, NULL, NULL, NULL), RNN_E_STATE, "forward",
                "backward before any forward");
  expect_status(rnn_model_forward(m, 0, B, x, NULL, NULL, NULL, y, NULL, NULL), RNN_E_SHAPE, "T=0",
                "forward with T 0");
  expect_status(rnn_model_forward(m, T, -1, x, NULL, NULL, NULL, y, NULL, NULL), RNN_E_SHAPE, "B=-1",
                "forward with B -1");
  expect_status(rnn_model_forward(m, T, B, NULL, NULL, NULL, NULL, y, NULL, NULL), RNN_E_INVALID,
                "NULL", "forward with x NULL");
  { /* output NULL: only the final states are wanted; they and backward are unchanged */
    float hn_full[2 * 8], cn_full[2 * 8], hn_last[2 * 8], cn_last[2 * 8];
    check(rnn_model_forward(m, T, B, x, NULL, NULL, NULL, y, hn_full, cn_full) == RNN_OK &&
              rnn_model_forward(m, T, B, x, NULL, NULL, NULL, NULL, hn_last, cn_last) == RNN_OK &&
              memcmp(hn_full, hn_last, sizeof hn_full) == 0 &&
              memcmp(cn_full, cn_last, sizeof cn_full) == 0 &&
              rnn_model_backward(m, NULL, hn_last, NULL, NULL, NULL, NULL) == RNN_OK,
          "forward with output NULL gives the same hN, cN and allows backward");
  }
  const int32_t len_zero[2] = {3, 0}, len_long[2] = {4, 1}, len_neg[2] = {-2, 3};
  expect_status(rnn_model_forward(m, T, B, x, len_zero, NULL, NULL, y, NULL, NULL), RNN_E_INVALID,
                "lengths[1]", "lengths with a 0");
  expect_status(rnn_model_forward(m, T, B, x, len_long, NULL, NULL, y, NULL, NULL), RNN_E_INVALID,
                "lengths[0]", "lengths above T");
  expect_status(rnn_model_forward(m, T, B, x, len_neg, NULL, NULL, y, NULL, NULL), RNN_E_INVALID,
                "lengths[0]", "negative lengths");
  expect_status(rnn_model_forward(NULL, T, B, x, NULL, NULL, NULL, y, NULL, NULL), RNN_E_INVALID,
                "NULL", "forward on a NULL model");
  expect_status(rnn_model_backward(NULL, y, NULL, NULL, NULL, NULL, NULL), RNN_E_INVALID, "NULL",
                "backward on a NULL model");
  /* Absurd sequence sizes: refused before anything is allocated or read. */
  expect_status(rnn_model_forward(m, 1 << 20, 1 << 20, x, NULL, NULL, NULL, y, NULL, NULL), RNN_E_NOMEM,
                "too large", "forward with T*B = 2^40");
  expect_status(rnn_model_forward(m, 0x7fffffff, 0x7fffffff, x, NULL, NULL, NULL, y, NULL, NULL),
                RNN_E_NOMEM, "too large", "forward with T = B = INT_MAX");
  /* The model still works after all that. */
  check(rnn_model_forward(m, T, B, x, NULL, NULL, NULL, y, NULL, NULL) == RNN_OK &&
            rnn_model_backward(m, y, NULL, NULL, NULL, NULL, NULL) == RNN_OK,
        "invalid: the model works after refused calls");
  free(x), free(y);
  rnn_model_destroy(m);
  rnn_model_destroy(NULL); /* a no-op */

  /* Absurd models: every size in range, far too many parameters for any
   * memory (tens of TB; on wasm32 refused before malloc). */
  rnn_model_config huge[] = {
      config(RNN_CELL_LSTM, 1048576, 65536, 64, 1, 1, 65535, 0.0f, 1),
      config(RNN_CELL_GRU, 1048576, 65536, 1, 0, 0, 0, 0.0f, 1),
  };
  for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
    m = (rnn_model *)&m;
    const int st = rnn_model_create(&huge[i], &m);
    expect_status(st, RNN_E_NOMEM, NULL, "absurd model size");
    check(m == NULL, "absurd model: *out is NULL");
    if (st == RNN_OK) rnn_model_destroy(m);
  }
}

/* ---- optimizers and clipping ---- */

static rnn_opt_config opt_defaults(double lr) {
  rnn_opt_config c;
  memset(&c, 0, sizeof c);
  c.lr = lr, c.beta1 = 0.9, c.beta2 = 0.999, c.eps = 1e-8;
  return c;
}

static void test_optimizers(void) {
  float p[5] = {1, -2, 3, 0.5f, 0}, g[5] = {0.5f, 0.25f, -1, 2, 0};
  float q[2] = {4, 5}, gq[2] = {1, -1};
  float *ps[2] = {p, q}, *gs[2] = {g, gq};
  const size_t counts[2] = {5, 2};
  rnn_optimizer *o = NULL;

  /* Plain SGD: p -= lr g, no state. */
  rnn_opt_config c = opt_defaults(0.1);
  int st = rnn_optimizer_create(RNN_OPT_SGD, &c, 2, ps, gs, counts, &o);
  check(st == RNN_OK && o, "sgd: create");
  if (!o) return;
  check(rnn_optimizer_state_size(o) == 7 && rnn_optimizer_moment(o, 0) == NULL &&
            rnn_optimizer_moment(o, 1) == NULL && rnn_optimizer_moment(o, 5) == NULL,
        "sgd: no moment buffers without momentum");
  rnn_optimizer_step(o);
  check(fabsf(p[0] - 0.95f) < 1e-6f && fabsf(p[2] - 3.1f) < 1e-6f && fabsf(q[1] - 5.1f) < 1e-6f &&
            rnn_optimizer_steps(o) == 1,
        "sgd: one step");
  rnn_optimizer_set_lr(o, 0.0);
  rnn_optimizer_step(o);
  check(fabsf(p[0] - 0.95f) < 1e-6f && rnn_optimizer_steps(o) == 2, "sgd: set_lr(0) freezes");
  rnn_optimizer_destroy(o);

  /* SGD with momentum: buf = g, then buf = mom buf + g. */
  float a[3] = {0, 0, 0}, ga[3] = {1, 2, -1};
  float *pa[1] = {a}, *gpa[1] = {ga};
  const size_t ca[1] = {3};
  c = opt_defaults(1.0);
  c.momentum = 0.5;
  rnn_optimizer_create(RNN_OPT_SGD, &c, 1, pa, gpa, ca, &o);
  rnn_optimizer_step(o);
  rnn_optimizer_step(o);
  const float *buf = rnn_optimizer_moment(o, 0);
  check(buf && fabsf(buf[1] - 3.0f) < 1e-6f && fabsf(a[1] + 5.0f) < 1e-6f && rnn_optimizer_moment(o, 1) == NULL,
        "sgd momentum: buffer 1.5 g after two steps, p = -2.5 g");
  rnn_optimizer_set_steps(o, 0); /* restart: the buffer is a copy of the next gradient */
  rnn_optimizer_step(o);
  check(fabsf(buf[1] - 2.0f) < 1e-6f && rnn_optimizer_steps(o) == 1, "sgd momentum: set_steps(0) restarts");
  rnn_optimizer_set_steps(o, -5);
  check(rnn_optimizer_steps(o) == 0, "set_steps clamps negative counts to 0");
  rnn_optimizer_destroy(o);

  /* Adam: the first step moves each parameter by lr against its gradient's sign. */
  for (int kind = RNN_OPT_ADAM; kind <= RNN_OPT_ADAMW; kind++)
    for (int ams = 0; ams <= 1; ams++) {
      float w[4] = {1, 1, 1, 1}, gw[4] = {0.3f, -2, 1e-3f, 0};
      float *pw[1] = {w}, *gpw[1] = {gw};
      const size_t cw[1] = {4};
      c = opt_defaults(0.01);
      c.amsgrad = ams;
      c.weight_decay = kind == RNN_OPT_ADAMW ? 0.1 : 0.0;
      st = rnn_optimizer_create(kind, &c, 1, pw, gpw, cw, &o);
      check(st == RNN_OK, "adam: create kind %d amsgrad %d", kind, ams);
      if (!o) continue;
      rnn_optimizer_step(o);
      const float decay = kind == RNN_OPT_ADAMW ? (float)(1.0 - 0.01 * 0.1) : 1.0f;
      check(fabsf(w[0] - (decay - 0.01f)) < 1e-5f && fabsf(w[1] - (decay + 0.01f)) < 1e-5f &&
                fabsf(w[3] - decay) < 1e-7f,
            "adam kind %d amsgrad %d: first step is lr * sign(g)", kind, ams);
      const float *m1 = rnn_optimizer_moment(o, 0), *v1 = rnn_optimizer_moment(o, 1);
      const float *vm = rnn_optimizer_moment(o, 2);
      check(m1 && v1 && fabsf(m1[1] + 0.2f) < 1e-6f && fabsf(v1[1] - 0.004f) < 1e-6f &&
                (ams ? vm != NULL && vm[1] == v1[1] : vm == NULL),
            "adam kind %d amsgrad %d: moments after one step", kind, ams);
      for (int k = 0; k < 20; k++) rnn_optimizer_step(o);
      check(rnn_optimizer_steps(o) == 21 && all_finite(w, 4), "adam: 21 steps, finite");
      rnn_optimizer_destroy(o);
    }

  /* Invalid optimizer configurations. */
  struct {
    int kind;
    rnn_opt_config cfg;
    const char *needle;
  } bad[8];
  int nb = 0;
  bad[nb].kind = 9, bad[nb].cfg = opt_defaults(0.1), bad[nb++].needle = "kind";
  bad[nb].kind = RNN_OPT_SGD, bad[nb].cfg = opt_defaults(-1), bad[nb++].needle = "lr";
  bad[nb].kind = RNN_OPT_ADAM, bad[nb].cfg = opt_defaults(NAN), bad[nb++].needle = "lr";
  bad[nb].kind = RNN_OPT_ADAM, bad[nb].cfg = opt_defaults(0.1), bad[nb].cfg.beta1 = 1.0, bad[nb++].needle = "betas[0]";
  bad[nb].kind = RNN_OPT_ADAMW, bad[nb].cfg = opt_defaults(0.1), bad[nb].cfg.beta2 = -0.5, bad[nb++].needle = "betas[1]";
  bad[nb].kind = RNN_OPT_ADAM, bad[nb].cfg = opt_defaults(0.1), bad[nb].cfg.eps = -1, bad[nb++].needle = "eps";
  bad[nb].kind = RNN_OPT_SGD, bad[nb].cfg = opt_defaults(0.1), bad[nb].cfg.nesterov = 1, bad[nb++].needle = "nesterov";
  bad[nb].kind = RNN_OPT_SGD, bad[nb].cfg = opt_defaults(0.1), bad[nb].cfg.weight_decay = -1, bad[nb++].needle = "weightDecay";
  for (int i = 0; i < nb; i++) {
    o = (rnn_optimizer *)&o;
    st = rnn_optimizer_create(bad[i].kind, &bad[i].cfg, 2, ps, gs, counts, &o);
    expect_status(st, RNN_E_INVALID, bad[i].needle, "invalid optimizer config");
    check(o == NULL, "invalid optimizer: *out is NULL");
    if (st == RNN_OK) rnn_optimizer_destroy(o);
  }
  c = opt_defaults(0.1);
  expect_status(rnn_optimizer_create(RNN_OPT_SGD, &c, 0, ps, gs, counts, &o), RNN_E_INVALID,
                "parameter tensors", "optimizer with 0 segments");
  float *nullp[2] = {p, NULL};
  expect_status(rnn_optimizer_create(RNN_OPT_ADAM, &c, 2, nullp, gs, counts, &o), RNN_E_INVALID,
                "parameter 1", "optimizer with a NULL parameter");
  expect_status(rnn_optimizer_create(RNN_OPT_ADAM, NULL, 2, ps, gs, counts, &o), RNN_E_INVALID,
                "NULL", "optimizer with cfg NULL");
  expect_status(rnn_optimizer_step(NULL), RNN_E_INVALID, "NULL", "step of a NULL optimizer");
  rnn_optimizer_destroy(NULL);

  /* Clipping: the norm before clipping, gradients scaled to max_norm. */
  float g1[2] = {3, 0}, g2[1] = {4};
  float *cg[2] = {g1, g2};
  const size_t cc[2] = {2, 1};
  double norm = -1.0;
  int cst = rnn_clip_grad_norm(2, cg, cc, 10.0, &norm);
  check(cst == RNN_OK && fabs(norm - 5.0) < 1e-6 && g1[0] == 3.0f && g2[0] == 4.0f,
        "clip: below max_norm leaves gradients");
  cst = rnn_clip_grad_norm(2, cg, cc, 1.0, &norm);
  check(cst == RNN_OK && fabs(norm - 5.0) < 1e-6 && fabsf(g1[0] - 0.6f) < 1e-5f &&
            fabsf(g2[0] - 0.8f) < 1e-5f,
        "clip: scaled to norm 1");
  expect_status(rnn_clip_grad_norm(2, cg, cc, -1.0, &norm), RNN_E_INVALID, "maxNorm",
                "clip: negative max_norm refused");
  check(fabsf(g2[0] - 0.8f) < 1e-5f, "clip: a refused max_norm leaves gradients");
  expect_status(rnn_clip_grad_norm(2, cg, cc, NAN, &norm), RNN_E_INVALID, "maxNorm",
                "clip: NaN max_norm refused");
  expect_status(rnn_clip_grad_norm(2, cg, cc, 1.0, NULL), RNN_E_INVALID, "NULL",
                "clip: NULL norm pointer");

  /* An optimizer over a model's parameters trains it: the loss goes down. */
  rnn_model_config mc = config(RNN_CELL_GRU, 2, 6, 2, 0, 1, 0, 0.0f, 5);
  rnn_model *m = NULL;
  rnn_model_create(&mc, &m);
  if (!m) return;
  float *mp[1] = {rnn_params_values(rnn_model_parameters(m))}, *mg[1] = {rnn_params_grads(rnn_model_parameters(m))};
  const size_t mn[1] = {rnn_params_count(rnn_model_parameters(m))};
  c = opt_defaults(0.05);
  check(rnn_optimizer_create(RNN_OPT_ADAM, &c, 1, mp, mg, mn, &o) == RNN_OK, "adam over a model");
  const int T = 4, B = 3, n = T * B * 6;
  float *x = rand_array((size_t)T * B * 2, 1.0f), *y = zeros(n), *target = rand_array(n, 0.5f);
  float *dy = zeros(n);
  double first = 0.0, last = 0.0;
  for (int it = 0; it < 30; it++) {
    rnn_params_zero_grad(rnn_model_parameters(m));
    rnn_model_forward(m, T, B, x, NULL, NULL, NULL, y, NULL, NULL);
    double loss = 0.0;
    rnn_mse_loss((size_t)n, y, target, RNN_REDUCTION_MEAN, &loss, NULL, dy);
    rnn_model_backward(m, dy, NULL, NULL, NULL, NULL, NULL);
    double norm;
    rnn_clip_grad_norm(1, mg, mn, 1.0, &norm);
    rnn_optimizer_step(o);
    rnn_params_changed(rnn_model_parameters(m));
    if (it == 0) first = loss;
    last = loss;
  }
  check(last < 0.5 * first, "training: MSE %g -> %g over 30 Adam steps", first, last);
  free(x), free(y), free(target), free(dy);
  rnn_optimizer_destroy(o);
  rnn_model_destroy(m);
}

/* ---- Linear, Embedding, losses ---- */

/* The SIMD Adam loop gives bitwise the scalar loop's parameters and moments
 * (every kind, amsgrad, weight decay, tails), including an fma whose sum in
 * double lands exactly halfway between two floats, where rounding the double
 * again can differ from a correctly rounded fma (glibc's fmaf gives
 * 1 + 2^-23 here; Emscripten's libc fmaf gives the tie, 1 + 2^-22). */
static void run_adam(int kind, const rnn_opt_config *c, int scalar, float *w, float *g,
                     size_t n, const float *m0, int steps, float *m_out) {
  rnn_optimizer *o = NULL;
  float *pw[1] = {w}, *gpw[1] = {g};
  const size_t cw[1] = {n};
  rnn_optimizer_force_scalar(scalar);
  if (rnn_optimizer_create(kind, c, 1, pw, gpw, cw, &o) != RNN_OK) {
    check(0, "adam simd: create");
    return;
  }
  if (m0) memcpy(rnn_optimizer_moment(o, 0), m0, n * sizeof *m0);
  for (int s = 0; s < steps; s++) rnn_optimizer_step(o);
  memcpy(m_out, rnn_optimizer_moment(o, 0), n * sizeof *m_out);
  rnn_optimizer_destroy(o);
  rnn_optimizer_force_scalar(0);
}

static void test_adam_simd(void) {
  enum { N = 203 }; /* not a multiple of 4: the tail too */
  float w0[N], g[N], ws[N], wv[N], ms[N], mv[N];
  uint32_t seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1664525u + 1013904223u;
    w0[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    seed = seed * 1664525u + 1013904223u;
    g[i] = ((float)(seed >> 8) / 16777216.0f - 0.5f) * (i % 7 == 0 ? 1e-20f : 1.0f);
  }
  g[5] = 0.0f, g[6] = 1e-30f; /* zero and tiny moments */
  for (int kind = RNN_OPT_ADAM; kind <= RNN_OPT_ADAMW; kind++)
    for (int ams = 0; ams <= 1; ams++)
      for (int wd = 0; wd <= 1; wd++) {
        rnn_opt_config c = opt_defaults(0.01);
        c.amsgrad = ams, c.weight_decay = wd ? 0.05 : 0.0;
        memcpy(ws, w0, sizeof ws), memcpy(wv, w0, sizeof wv);
        run_adam(kind, &c, 1, ws, g, N, NULL, 5, ms);
        run_adam(kind, &c, 0, wv, g, N, NULL, 5, mv);
        check(memcmp(ws, wv, sizeof ws) == 0 && memcmp(ms, mv, sizeof ms) == 0,
              "adam simd = scalar: kind %d amsgrad %d weight decay %d", kind, ams, wd);
      }
  /* m = fmaf(g, 1 - beta1, m * beta1) with g * (1 - beta1) = 2^-24 - 2^-70 and
   * m * beta1 = 1 + 2^-23: the exact sum is just below the halfway point
   * 1 + 3 * 2^-24 (fmaf: 1 + 2^-23); rounded to double first it is the
   * halfway point, which ties to 1 + 2^-22. */
  const float x = ldexpf(1.0f + ldexpf(1.0f, -23), -12), y = ldexpf(1.0f - ldexpf(1.0f, -23), -12);
  rnn_opt_config c = opt_defaults(0.01);
  c.beta1 = 1.0 - (double)y;
  const float b1 = (float)c.beta1, z = 1.0f + ldexpf(1.0f, -23);
  float m_in = z / b1; /* a float whose product with b1 rounds to z */
  for (int i = 0; i < 64 && m_in * b1 != z; i++) m_in = nextafterf(m_in, m_in * b1 < z ? 2.0f : 0.0f);
  check(m_in * b1 == z && (float)(1.0 - c.beta1) == y, "adam simd: halfway case set up");
  const double sum = (double)x * y + z;
  uint64_t sum_bits;
  memcpy(&sum_bits, &sum, sizeof sum_bits);
  check((sum_bits & 0x1fffffff) == 0x10000000, "adam simd: the double sum is a float halfway point");
  float gh[8], m0[8], w8s[8], w8v[8];
  for (int i = 0; i < 8; i++) gh[i] = x, m0[i] = m_in, w8s[i] = w8v[i] = 1.0f;
  run_adam(RNN_OPT_ADAM, &c, 1, w8s, gh, 8, m0, 1, ms);
  run_adam(RNN_OPT_ADAM, &c, 0, w8v, gh, 8, m0, 1, mv);
  check(ms[0] == fmaf(x, y, z) && memcmp(ms, mv, 8 * sizeof *ms) == 0 &&
            memcmp(w8s, w8v, sizeof w8s) == 0,
        "adam simd: the halfway fma case equals fmaf (got %a, fmaf %a)", mv[0], fmaf(x, y, z));
}

static void test_linear(void) {
  rnn_linear *l = (rnn_linear *)&l;
  expect_status(rnn_linear_create(0, 3, 1, 1, &l), RNN_E_INVALID, "inFeatures", "linear in 0");
  check(l == NULL, "linear: *out is NULL after a failure");
  expect_status(rnn_linear_create(3, -1, 1, 1, &l), RNN_E_INVALID, "outFeatures", "linear out -1");
  expect_status(rnn_linear_create(1 << 20, 1 << 20, 1, 1, &l), RNN_E_NOMEM, NULL, "linear 2^20 x 2^20");
  if (rnn_linear_create(3, 2, 1, 7, &l) != RNN_OK) {
    check(0, "linear: create");
    return;
  }
  check(rnn_params_count(rnn_linear_parameters(l)) == 8 && rnn_params_num_tensors(rnn_linear_parameters(l)) == 2, "linear: 8 params in 2 tensors");
  const char *name = NULL;
  size_t off = 0;
  int rows = 0, cols = 0;
  check(rnn_params_tensor(rnn_linear_parameters(l), 1, &name, &off, &rows, &cols) == 1 && strcmp(name, "bias") == 0 && off == 6 &&
            rows == 2 && cols == 1 && rnn_params_tensor(rnn_linear_parameters(l), 2, NULL, NULL, NULL, NULL) == 0,
        "linear: tensor table");
  const float W[8] = {1, 2, 3, -1, 0, 1, 0.5f, -0.5f}; /* W[2][3], b[2] */
  memcpy(rnn_params_values(rnn_linear_parameters(l)), W, sizeof W);
  rnn_params_changed(rnn_linear_parameters(l));
  const float x[6] = {1, 0, -1, 2, 1, 0};
  float y[4];
  expect_status(rnn_linear_backward(l, y, NULL), RNN_E_STATE, "forward", "linear backward first");
  check(rnn_linear_forward(l, 2, x, y) == RNN_OK, "linear: forward");
  check(y[0] == -1.5f && y[1] == -2.5f && y[2] == 4.5f && y[3] == -2.5f, "linear: y = x W^T + b (%g %g %g %g)",
        (double)y[0], (double)y[1], (double)y[2], (double)y[3]);
  const float dy[4] = {1, 0, 0, 1};
  float dx[6];
  check(rnn_linear_backward(l, dy, dx) == RNN_OK, "linear: backward");
  const float *g = rnn_params_grads(rnn_linear_parameters(l));
  check(dx[0] == 1 && dx[1] == 2 && dx[2] == 3 && dx[3] == -1 && dx[4] == 0 && dx[5] == 1 && g[0] == 1 &&
            g[2] == -1 && g[3] == 2 && g[4] == 1 && g[6] == 1 && g[7] == 1,
        "linear: dx = dy W, dW = dy^T x, db = sum dy");
  expect_status(rnn_linear_backward(l, dy, dx), RNN_E_STATE, "forward", "linear second backward");
  check(rnn_linear_forward(l, 0, NULL, NULL) == RNN_OK && rnn_linear_backward(l, NULL, NULL) == RNN_OK,
        "linear: zero rows");
  expect_status(rnn_linear_forward(l, -1, x, y), RNN_E_SHAPE, "rows", "linear rows -1");
  expect_status(rnn_linear_forward(l, 2, NULL, y), RNN_E_INVALID, "NULL", "linear x NULL");
  rnn_params_zero_grad(rnn_linear_parameters(l));
  check(g[0] == 0 && g[7] == 0, "linear: zero_grad");
  rnn_linear_destroy(l);
  rnn_linear_destroy(NULL);
}

/* CausalConv1d's y, dx and gradients in double from [context; x] (xp [B][P + T][C]). */
typedef struct {
  int B, T, C, K, bias;
  const float *w, *xp, *dy;
  const int32_t *len;
} conv_ref;

static double conv_y(const conv_ref *r, int b, int t, int c) {
  const int S = r->K - 1 + r->T;
  if (t >= (r->len ? r->len[b] : r->T)) return 0.0;
  double y = r->bias ? r->w[(size_t)r->C * r->K + c] : 0.0;
  for (int m = 0; m < r->K; m++) y += (double)r->w[(size_t)c * r->K + m] * r->xp[((size_t)b * S + t + m) * r->C + c];
  return y;
}

/* sum(y * dy) in double for the current weights (the finite differences' objective) */
static double conv_objective(rnn_causalconv *l, const conv_ref *r, const float *x, const float *ctx, float *y) {
  rnn_params_changed(rnn_causalconv_parameters(l));
  if (rnn_causalconv_forward(l, r->B, r->T, x, r->len, ctx, y, NULL) != RNN_OK) return NAN;
  double f = 0.0;
  for (size_t i = 0; i < (size_t)r->B * r->T * r->C; i++) f += (double)y[i] * r->dy[i];
  return f;
}

static void test_causalconv(void) {
  rnn_causalconv *l = (rnn_causalconv *)&l;
  expect_status(rnn_causalconv_create(0, 3, 1, 1, &l), RNN_E_INVALID, "channels", "causalconv channels 0");
  check(l == NULL, "causalconv: *out is NULL after a failure");
  expect_status(rnn_causalconv_create(4, 0, 1, 1, &l), RNN_E_INVALID, "kernelSize", "causalconv kernel 0");
  expect_status(rnn_causalconv_create(4, 257, 1, 1, &l), RNN_E_INVALID, "kernelSize", "causalconv kernel 257");
  expect_status(rnn_causalconv_create((1 << 20) + 1, 3, 1, 1, &l), RNN_E_INVALID, "channels", "causalconv channels 2^20 + 1");
  expect_status(rnn_causalconv_create(4, 3, 1, 1, NULL), RNN_E_INVALID, "NULL", "causalconv out NULL");
  enum { B = 3, T = 6, C = 5, K = 3, P = K - 1, S = P + T };
  if (rnn_causalconv_create(C, K, 1, 7, &l) != RNN_OK) {
    check(0, "causalconv: create");
    return;
  }
  rnn_params *prm = rnn_causalconv_parameters(l);
  const size_t np = (size_t)C * K + C;
  const char *name = NULL;
  size_t off = 0;
  int rows = 0, cols = 0;
  check(rnn_params_count(prm) == np && rnn_params_num_tensors(prm) == 2, "causalconv: %zu params in 2 tensors", np);
  check(rnn_params_tensor(prm, 0, &name, &off, &rows, &cols) == 3 && strcmp(name, "weight") == 0 && off == 0 && rows == C &&
            cols == K && rnn_params_tensor(prm, 1, &name, &off, &rows, &cols) == 1 && strcmp(name, "bias") == 0 &&
            off == (size_t)C * K && rows == C,
        "causalconv: weight [C, 1, k] (3 dims), then bias [C]");
  float *w = rnn_params_values(prm);
  int in_range = 1;
  for (size_t i = 0; i < np; i++) in_range &= fabsf(w[i]) <= 1.0f / sqrtf((float)K);
  check(in_range, "causalconv: initial weights in U(-1/sqrt(k), 1/sqrt(k))");
  float *w0 = rand_array(np, 1.0f);
  memcpy(w, w0, np * sizeof *w);
  rnn_params_changed(prm);

  static const int32_t len[B] = {6, 2, 4};
  float *x = rand_array((size_t)B * T * C, 1.5f), *ctx = rand_array((size_t)B * P * C, 1.5f), *dy = rand_array((size_t)B * T * C, 1.0f);
  float *y = zeros((size_t)B * T * C), *dx = zeros((size_t)B * T * C), *cout = zeros((size_t)B * P * C);
  float *xp = zeros((size_t)B * S * C);
  for (int b = 0; b < B; b++) {
    memcpy(xp + (size_t)b * S * C, ctx + (size_t)b * P * C, (size_t)P * C * sizeof(float));
    memcpy(xp + ((size_t)b * S + P) * C, x + (size_t)b * T * C, (size_t)T * C * sizeof(float));
  }
  const conv_ref r = {B, T, C, K, 1, w, xp, dy, len};
  expect_status(rnn_causalconv_backward(l, dy, dx), RNN_E_STATE, "forward", "causalconv backward first");
  check(rnn_causalconv_forward(l, B, T, x, len, ctx, y, cout) == RNN_OK, "causalconv: forward");
  double worst = 0.0;
  int past_zero = 1, ctx_ok = 1;
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T; t++)
      for (int c = 0; c < C; c++) {
        const float v = y[((size_t)b * T + t) * C + c];
        if (t >= len[b]) past_zero &= v == 0.0f;
        worst = fmax(worst, fabs(v - conv_y(&r, b, t, c)));
      }
    ctx_ok &= memcmp(cout + (size_t)b * P * C, xp + ((size_t)b * S + len[b]) * C, (size_t)P * C * sizeof(float)) == 0;
  }
  check(worst < 1e-5, "causalconv: y against the double reference (max |diff| %g)", worst);
  check(past_zero, "causalconv: y is 0 past each length");
  check(ctx_ok, "causalconv: the next context is each sequence's last k - 1 inputs up to its length");

  rnn_params_zero_grad(prm);
  check(rnn_causalconv_backward(l, dy, dx) == RNN_OK, "causalconv: backward");
  const float *g = rnn_params_grads(prm);
  double wdx = 0.0, wg = 0.0;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int c = 0; c < C; c++) {
        double ref = 0.0; /* x[t] reaches y[t + P - m] through tap m */
        for (int m = 0; m < K; m++)
          if (t + P - m < len[b]) ref += (double)w[(size_t)c * K + m] * dy[((size_t)b * T + t + P - m) * C + c];
        wdx = fmax(wdx, fabs(dx[((size_t)b * T + t) * C + c] - ref));
      }
  for (int c = 0; c < C; c++)
    for (int m = 0; m <= K; m++) {
      double ref = 0.0;
      for (int b = 0; b < B; b++)
        for (int t = 0; t < len[b]; t++)
          ref += dy[((size_t)b * T + t) * C + c] * (m == K ? 1.0 : (double)xp[((size_t)b * S + t + m) * C + c]);
      wg = fmax(wg, fabs(g[m == K ? (size_t)C * K + c : (size_t)c * K + m] - ref));
    }
  check(wdx < 1e-5 && wg < 1e-5, "causalconv: dx and the weight / bias gradients against the reference (%g, %g)", wdx, wg);
  expect_status(rnn_causalconv_backward(l, dy, dx), RNN_E_STATE, "forward", "causalconv second backward");

  /* finite differences of sum(y * dy) for every weight and bias */
  float *g_an = zeros(np);
  memcpy(g_an, g, np * sizeof *g_an);
  int fd_ok = 1;
  for (size_t i = 0; i < np; i++) {
    const float orig = w[i], eps = 1e-2f;
    w[i] = orig + eps;
    const double f1 = conv_objective(l, &r, x, ctx, y);
    w[i] = orig - eps;
    const double f0 = conv_objective(l, &r, x, ctx, y);
    w[i] = orig;
    const double num = (f1 - f0) / (2.0 * (double)eps);
    if (!grad_close(num, g_an[i])) {
      fd_ok = 0;
      check(0, "causalconv: d/dw[%zu] numeric %g, analytic %g", i, num, (double)g_an[i]);
    }
  }
  check(fd_ok, "causalconv: gradients match finite differences");

  /* a NULL context is zeros; chunks with the carried context are one long sequence, bit for bit */
  float *zctx = zeros((size_t)B * P * C), *y2 = zeros((size_t)B * T * C);
  check(rnn_causalconv_forward(l, B, T, x, NULL, NULL, y, NULL) == RNN_OK &&
            rnn_causalconv_forward(l, B, T, x, NULL, zctx, y2, NULL) == RNN_OK &&
            memcmp(y, y2, (size_t)B * T * C * sizeof(float)) == 0,
        "causalconv: a NULL context is zeros");
  static const int cuts[] = {1, 3, T};
  float *part = zeros((size_t)B * T * C), *py = zeros((size_t)B * T * C);
  float *c_in = zeros((size_t)B * P * C), *c_out = zeros((size_t)B * P * C);
  int at = 0, chunks_ok = 1;
  for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
    const int n = cuts[k] - at;
    for (int b = 0; b < B; b++) memcpy(part + (size_t)b * n * C, x + ((size_t)b * T + at) * C, (size_t)n * C * sizeof(float));
    chunks_ok &= rnn_causalconv_forward(l, B, n, part, NULL, k ? c_in : NULL, py, c_out) == RNN_OK;
    for (int b = 0; b < B; b++)
      chunks_ok &= memcmp(py + (size_t)b * n * C, y + ((size_t)b * T + at) * C, (size_t)n * C * sizeof(float)) == 0;
    memcpy(c_in, c_out, (size_t)B * P * C * sizeof(float));
    at = cuts[k];
  }
  check(chunks_ok, "causalconv: chunks (1, 2, 3 steps) with the carried context give one sequence's y, bit for bit");

  /* invalid arguments: the documented status and nothing written */
  for (size_t i = 0; i < (size_t)B * T * C; i++) y[i] = -7.0f;
  for (size_t i = 0; i < (size_t)B * P * C; i++) cout[i] = -7.0f;
  static const int32_t bad0[B] = {6, 0, 4}, bad7[B] = {6, 7, 4};
  expect_status(rnn_causalconv_forward(l, B, T, x, bad0, ctx, y, cout), RNN_E_INVALID, "lengths[1] = 0", "causalconv length 0");
  expect_status(rnn_causalconv_forward(l, B, T, x, bad7, ctx, y, cout), RNN_E_INVALID, "lengths[1] = 7", "causalconv length T + 1");
  expect_status(rnn_causalconv_forward(l, -1, T, x, NULL, ctx, y, cout), RNN_E_INVALID, "bad arguments", "causalconv B -1");
  expect_status(rnn_causalconv_forward(l, B, T, NULL, NULL, ctx, y, cout), RNN_E_INVALID, "bad arguments", "causalconv x NULL");
  int untouched = 1;
  for (size_t i = 0; i < (size_t)B * T * C; i++) untouched &= y[i] == -7.0f;
  for (size_t i = 0; i < (size_t)B * P * C; i++) untouched &= cout[i] == -7.0f;
  check(untouched, "causalconv: nothing written by a refused forward");
  expect_status(rnn_causalconv_backward(l, dy, dx), RNN_E_STATE, "forward", "causalconv backward after a refused forward");
  check(rnn_causalconv_forward(l, B, T, x, NULL, NULL, y, NULL) == RNN_OK, "causalconv: forward again");
  expect_status(rnn_causalconv_backward(l, NULL, dx), RNN_E_INVALID, "dy", "causalconv dy NULL");
  check(rnn_causalconv_backward(l, dy, NULL) == RNN_OK, "causalconv: backward without dx");
  check(rnn_causalconv_forward(l, 0, T, NULL, NULL, NULL, NULL, NULL) == RNN_OK && rnn_causalconv_backward(l, NULL, NULL) == RNN_OK,
        "causalconv: an empty batch");

  /* subnormal results are flushed (src/flush.h): 1e-20 * 1e-20 */
  for (size_t i = 0; i < np; i++) w[i] = i < (size_t)C * K ? 1e-20f : 0.0f;
  for (size_t i = 0; i < (size_t)B * T * C; i++) x[i] = 1e-20f;
  check(rnn_causalconv_forward(l, B, T, x, NULL, NULL, y, NULL) == RNN_OK, "causalconv: tiny forward");
  int flushed = 1;
  for (size_t i = 0; i < (size_t)B * T * C; i++) flushed &= y[i] == 0.0f;
  check(flushed, "causalconv: subnormal outputs are flushed to 0");
  rnn_causalconv_destroy(l);
  rnn_causalconv_destroy(NULL);

  /* kernelSize 1, no bias: y = w x, no context */
  check(rnn_causalconv_create(2, 1, 0, 3, &l) == RNN_OK, "causalconv: k 1 create");
  if (l) {
    float *w1 = rnn_params_values(rnn_causalconv_parameters(l));
    w1[0] = 2.0f, w1[1] = -0.5f;
    const float x1[4] = {1, 2, 3, 4};
    float y1[4];
    check(rnn_params_count(rnn_causalconv_parameters(l)) == 2 && rnn_causalconv_forward(l, 1, 2, x1, NULL, NULL, y1, NULL) == RNN_OK &&
              y1[0] == 2 && y1[1] == -1 && y1[2] == 6 && y1[3] == -2,
          "causalconv: k 1 is a per-channel scale");
    rnn_causalconv_destroy(l);
  }
  free(w0), free(x), free(ctx), free(dy), free(y), free(dx), free(cout), free(xp), free(g_an), free(zctx), free(y2);
  free(part), free(py), free(c_in), free(c_out);
}

static void test_embedding(void) {
  rnn_embedding *e = (rnn_embedding *)&e;
  expect_status(rnn_embedding_create(0, 3, 0, 0, 1, &e), RNN_E_INVALID, "numEmbeddings", "embedding num 0");
  check(e == NULL, "embedding: *out is NULL after a failure");
  expect_status(rnn_embedding_create(5, 3, 1, 5, 1, &e), RNN_E_INVALID, "paddingIdx", "padding_idx 5 of 5");
  expect_status(rnn_embedding_create(5, 3, 1, -6, 1, &e), RNN_E_INVALID, "paddingIdx", "padding_idx -6 of 5");
  expect_status(rnn_embedding_create(1 << 30, 1 << 20, 0, 0, 1, &e), RNN_E_NOMEM, NULL,
                "embedding 2^30 x 2^20");
  if (rnn_embedding_create(5, 3, 1, -1, 11, &e) != RNN_OK) {
    check(0, "embedding: create");
    return;
  }
  check(rnn_embedding_padding_idx(e) == 4 && rnn_params_count(rnn_embedding_parameters(e)) == 15, "embedding: padding_idx -1 is row 4");
  const float *w = rnn_params_values(rnn_embedding_parameters(e)), *g = rnn_params_grads(rnn_embedding_parameters(e));
  check(w[12] == 0 && w[13] == 0 && w[14] == 0, "embedding: the padding row starts at zero");
  const int32_t ids[4] = {1, 4, 1, 0}, bad[3] = {0, 5, -1};
  float y[12], sentinel[9];
  for (int i = 0; i < 9; i++) sentinel[i] = 42.0f;
  expect_status(rnn_embedding_forward(e, 3, bad, sentinel), RNN_E_INVALID, "position 1", "embedding id 5 of 5");
  check(sentinel[0] == 42.0f, "embedding: nothing written when an id is out of range");
  expect_status(rnn_embedding_backward(e, y), RNN_E_STATE, "forward", "embedding backward after a failed forward");
  check(rnn_embedding_forward(e, 4, ids, y) == RNN_OK && memcmp(y, w + 3, 3 * sizeof(float)) == 0 &&
            memcmp(y + 9, w, 3 * sizeof(float)) == 0,
        "embedding: forward gathers rows");
  float dy[12];
  for (int i = 0; i < 12; i++) dy[i] = 1.0f;
  check(rnn_embedding_backward(e, dy) == RNN_OK && g[3] == 2.0f && g[0] == 1.0f && g[12] == 0.0f && g[6] == 0.0f,
        "embedding: backward scatter-adds, the padding row gets nothing");
  expect_status(rnn_embedding_forward(e, -1, ids, y), RNN_E_SHAPE, "ids", "embedding n -1");
  rnn_params_zero_grad(rnn_embedding_parameters(e));
  check(g[3] == 0.0f, "embedding: zero_grad");
  rnn_embedding_destroy(e);
  rnn_embedding_destroy(NULL);
}

static void test_losses(void) {
  const float in[2] = {1, 2}, tg[2] = {0, 0};
  double loss = 0;
  float grad[2], elems[2];
  check(rnn_mse_loss(2, in, tg, RNN_REDUCTION_MEAN, &loss, NULL, grad) == RNN_OK && loss == 2.5 &&
            grad[0] == 1.0f && grad[1] == 2.0f,
        "mse: mean and gradient");
  check(rnn_mse_loss(2, in, tg, RNN_REDUCTION_NONE, &loss, elems, NULL) == RNN_OK && loss == 5.0 &&
            elems[1] == 4.0f,
        "mse: none");
  expect_status(rnn_mse_loss(2, in, tg, 3, &loss, NULL, NULL), RNN_E_INVALID, "reduction", "mse reduction 3");
  check(rnn_mse_loss(0, NULL, NULL, RNN_REDUCTION_MEAN, &loss, NULL, NULL) == RNN_OK && isnan(loss),
        "mse: empty mean is NaN");
  const float logit[2] = {0, 0}, y01[2] = {1, 0}, pw[1] = {2};
  check(rnn_bce_with_logits_loss(2, logit, y01, NULL, 0, RNN_REDUCTION_SUM, &loss, NULL, grad) == RNN_OK &&
            fabs(loss - 2 * log(2.0)) < 1e-12 && grad[0] == -0.5f && grad[1] == 0.5f,
        "bce: sum and gradient at 0");
  check(rnn_bce_with_logits_loss(2, logit, y01, pw, 1, RNN_REDUCTION_SUM, &loss, NULL, NULL) == RNN_OK &&
            fabs(loss - 3 * log(2.0)) < 1e-12,
        "bce: pos_weight");
  expect_status(rnn_bce_with_logits_loss(2, logit, y01, pw, 0, RNN_REDUCTION_SUM, &loss, NULL, NULL), RNN_E_SHAPE,
                "posWeight", "bce pos_weight of length 0");
  const float z[6] = {0, 0, 0, 1, 2, 3}; /* [2][3] */
  const int32_t t[2] = {0, -100};
  float gz[6];
  check(rnn_cross_entropy_loss(2, 3, 1, z, t, -100, 0.0, RNN_REDUCTION_MEAN, &loss, NULL, gz) == RNN_OK &&
            fabs(loss - log(3.0)) < 1e-12 && gz[3] == 0.0f && fabsf(gz[0] + 2.0f / 3.0f) < 1e-7f,
        "cross entropy: ignore_index counts for nothing");
  const int32_t t2[2] = {2, 0};
  check(rnn_cross_entropy_loss(2, 3, 1, z, t2, -100, 1.0, RNN_REDUCTION_SUM, &loss, NULL, NULL) == RNN_OK &&
            isfinite(loss),
        "cross entropy: label smoothing 1");
  const int32_t all_ignored[2] = {-100, -100};
  check(rnn_cross_entropy_loss(2, 3, 1, z, all_ignored, -100, 0.1, RNN_REDUCTION_MEAN, &loss, NULL, gz) == RNN_OK &&
            isnan(loss),
        "cross entropy: everything ignored, the mean is NaN");
  const int32_t t3[2] = {0, 3};
  expect_status(rnn_cross_entropy_loss(2, 3, 1, z, t3, -100, 0.0, RNN_REDUCTION_MEAN, &loss, NULL, NULL),
                RNN_E_INVALID, "position 1", "cross entropy target 3 of 3");
  expect_status(rnn_cross_entropy_loss(2, 3, 1, z, t2, -100, 1.5, RNN_REDUCTION_MEAN, &loss, NULL, NULL),
                RNN_E_INVALID, "labelSmoothing", "label smoothing 1.5");
  expect_status(rnn_cross_entropy_loss(2, 0, 1, z, t2, -100, 0.0, RNN_REDUCTION_MEAN, &loss, NULL, NULL),
                RNN_E_SHAPE, "C >= 1", "cross entropy C 0");

  rnn_rng g;
  rnn_rng_seed(&g, 5);
  float mask[1000];
  rnn_dropout_mask(&g, 0.25f, 1000, mask);
  int kept = 0, values_ok = 1;
  for (int i = 0; i < 1000; i++) {
    kept += mask[i] != 0.0f;
    values_ok &= mask[i] == 0.0f || fabsf(mask[i] - 4.0f / 3.0f) < 1e-6f;
  }
  check(values_ok && kept > 700 && kept < 800, "dropout mask: %d of 1000 kept at p = 0.25", kept);
}

/* ---- the boundary the JS wrapper uses (issue 17) ----
 * The scalar constructor, the model's and Linear's own input buffers (no
 * copy in), and the Dropout object: each gives bitwise what the struct /
 * copying / mask-in-the-caller path gives. */
static void test_boundary(void) {
  const rnn_model_config c = config(RNN_CELL_LSTM, 3, 5, 2, 0, 1, 0, 0.25f, 11);
  rnn_model *a = NULL, *b = NULL;
  rnn_model_create(&c, &a);
  check(rnn_model_new(c.cell, c.input_size, c.hidden_size, c.num_layers, c.bidirectional, c.bias,
                      c.proj_size, c.dropout, c.seed, 0, 0, &b) == RNN_OK,
        "boundary: rnn_model_new");
  rnn_params *pa = rnn_model_parameters(a), *pb = rnn_model_parameters(b);
  check(rnn_params_count(pa) == rnn_params_count(pb) &&
            memcmp(rnn_params_values(pa), rnn_params_values(pb),
                   rnn_params_count(pa) * sizeof(float)) == 0,
        "boundary: rnn_model_new = rnn_model_create");
  const int T = 4, B = 2, n = T * B * 3, ny = T * B * 5;
  float *x = rand_array((size_t)n, 1.0f), *ya = zeros((size_t)ny), *yb = zeros((size_t)ny);
  float *own = NULL;
  rnn_model_forward(a, T, B, x, NULL, NULL, NULL, ya, NULL, NULL);
  check(rnn_model_input(b, T, B, &own) == RNN_OK && own != NULL, "boundary: rnn_model_input");
  memcpy(own, x, (size_t)n * sizeof(float));
  rnn_model_forward(b, T, B, own, NULL, NULL, NULL, yb, NULL, NULL);
  check(memcmp(ya, yb, (size_t)ny * sizeof(float)) == 0, "boundary: forward from the model's own input");
  expect_status(rnn_model_input(b, 0, B, &own), RNN_E_SHAPE, "T=0", "rnn_model_input T=0");
  expect_status(rnn_model_backward(b, NULL, NULL, NULL, NULL, NULL, NULL), RNN_E_STATE, "forward first",
                "rnn_model_input ends the cached forward");
  rnn_model_destroy(a), rnn_model_destroy(b);
  free(ya), free(yb);

  /* Linear and Embedding from their own input buffers: bitwise the copying path. */
  rnn_linear *l = NULL;
  rnn_linear_create(3, 2, 1, 5, &l);
  float *lx = NULL, *l1 = zeros(8), *l2 = zeros(8);
  rnn_linear_forward(l, 4, x, l1);
  check(rnn_linear_input(l, 4, &lx) == RNN_OK, "boundary: rnn_linear_input");
  memcpy(lx, x, 12 * sizeof(float));
  rnn_linear_forward(l, 4, lx, l2);
  check(memcmp(l1, l2, 8 * sizeof(float)) == 0, "boundary: Linear forward from its own input");
  rnn_linear_destroy(l);
  rnn_embedding *e = NULL;
  rnn_embedding_create(5, 2, 0, 0, 6, &e);
  const int32_t ids[4] = {4, 0, 4, 2};
  int32_t *eids = NULL;
  rnn_embedding_forward(e, 4, ids, l1);
  check(rnn_embedding_input(e, 4, &eids) == RNN_OK, "boundary: rnn_embedding_input");
  memcpy(eids, ids, sizeof ids);
  rnn_embedding_forward(e, 4, eids, l2);
  check(memcmp(l1, l2, 8 * sizeof(float)) == 0, "boundary: Embedding forward from its own ids");
  check(rnn_embedding_backward(e, l1) == RNN_OK &&
            rnn_params_grads(rnn_embedding_parameters(e))[8] == 2.0f * l1[0],
        "boundary: Embedding backward scatters by the kept ids");
  rnn_embedding_destroy(e);
  free(l1), free(l2);

  /* Dropout: y = x * rnn_dropout_mask from the same generator; dx = dy * mask. */
  rnn_dropout *d = NULL;
  check(rnn_dropout_create(0.4f, 7, &d) == RNN_OK, "boundary: rnn_dropout_create");
  rnn_rng g;
  rnn_rng_seed(&g, 7);
  check(memcmp(rnn_dropout_rng(d), g.s, sizeof g.s) == 0, "boundary: Dropout generator seeded");
  float *mask = zeros((size_t)n), *y = zeros((size_t)n), *dy = rand_array((size_t)n, 1.0f);
  float *dx = zeros((size_t)n);
  rnn_dropout_mask(&g, 0.4f, (size_t)n, mask);
  rnn_dropout_forward(d, 1, (size_t)n, x, y);
  int ok = 1;
  for (int i = 0; i < n; i++) ok &= y[i] == x[i] * mask[i];
  check(ok, "boundary: Dropout forward = x * mask");
  rnn_dropout_backward(d, dy, dx);
  ok = 1;
  for (int i = 0; i < n; i++) ok &= dx[i] == dy[i] * mask[i];
  check(ok, "boundary: Dropout backward = dy * mask");
  expect_status(rnn_dropout_backward(d, dy, dx), RNN_E_STATE, "forward first", "Dropout backward twice");
  rnn_dropout_forward(d, 0, (size_t)n, x, x); /* eval, in place: identity */
  rnn_dropout_backward(d, dy, dx);
  check(memcmp(dx, dy, (size_t)n * sizeof(float)) == 0, "boundary: Dropout eval backward = dy");
  rnn_dropout_destroy(d);
  expect_status(rnn_dropout_create(1.0f, 1, &d), RNN_E_INVALID, "p must be", "Dropout p = 1");
  check(d == NULL, "boundary: a refused Dropout is NULL");
  rnn_dropout_destroy(NULL);
  free(x), free(mask), free(y), free(dy), free(dx);
}

int main(void) {
  static const int32_t len4[3] = {4, 1, 3}, len3[3] = {3, 1, 2};
  const model_case cases[] = {
      {config(RNN_CELL_RNN_TANH, 3, 4, 1, 0, 1, 0, 0.0f, 1), 4, 2, NULL},
      {config(RNN_CELL_RNN_TANH, 2, 5, 2, 1, 0, 0, 0.0f, 2), 3, 3, len3},
      {config(RNN_CELL_RNN_RELU, 3, 4, 2, 0, 1, 0, 0.0f, 3), 4, 3, len4},
      {config(RNN_CELL_LSTM, 3, 5, 1, 0, 1, 0, 0.0f, 4), 4, 2, NULL},
      {config(RNN_CELL_LSTM, 3, 6, 2, 1, 1, 3, 0.0f, 5), 4, 3, len4},
      {config(RNN_CELL_LSTM, 2, 5, 3, 0, 0, 2, 0.4f, 6), 3, 3, len3},
      {config(RNN_CELL_LSTM, 4, 9, 2, 1, 1, 0, 0.3f, 7), 4, 3, NULL},
      {config(RNN_CELL_GRU, 3, 5, 1, 0, 1, 0, 0.0f, 8), 4, 2, NULL},
      {config(RNN_CELL_GRU, 2, 6, 2, 1, 0, 0, 0.0f, 9), 4, 3, len4},
      {config(RNN_CELL_GRU, 3, 4, 3, 1, 1, 0, 0.5f, 10), 3, 3, len3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) test_model_case(&cases[i]);
  for (int cell = RNN_CELL_RNN_TANH; cell <= RNN_CELL_MIN_LSTM_LOG; cell++)
    for (int bidir = 0; bidir <= 1; bidir++) test_lengths_match_alone(cell, bidir, 0);
  test_lengths_match_alone(RNN_CELL_LSTM, 1, 4);
  test_modes();
  test_taps();
  test_invalid();
  test_optimizers();
  test_adam_simd();
  test_linear();
  test_causalconv();
  test_embedding();
  test_losses();
  test_boundary();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
