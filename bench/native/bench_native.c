/* bench_native.c - the engine's C (every src/ .c file) compiled natively, running the
 * benchmark workloads through the public C API (src/rnn.h), the same calls
 * the JS wrapper makes:
 *   W1-W3  train step: zero grads, rnn_model_forward over [T][B][I],
 *          Linear(H, 1) on the last hidden state + MSE (plain C here, its
 *          weights trained too), rnn_model_backward from dhN, one Adam step
 *          over both, repack. As bench/peers/rnnwasm.mjs asks the JS API: no
 *          output copied out (forward's { output: false }) and no dx
 *          ({ dx: false }).
 *   W4     rnn_model_forward only.
 *   W5     one LSTM step at batch 1 with the state carried: rnn_stream_step
 *          when src/stream.c is linked in, else rnn_model_forward with T = 1.
 * Prints one line `BENCH_JSON {...}` (medians, min, max in ms; W5 in us).
 * Usage: bench_native [--quick] [--breakdown] [--only=W1,W5] [--cpu-clock]
 * (--breakdown adds the W1/W2 forward / backward / Adam split; --cpu-clock
 * times with process CPU time instead of wall time, for a loaded machine).
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnn.h"

/* The streaming API may not be in every tree: weak, so the driver links
 * without it and falls back to a T = 1 forward. */
#pragma weak rnn_stream_create
#pragma weak rnn_stream_step
#pragma weak rnn_stream_destroy

static double quick = 1.0;
static clockid_t bench_clock = CLOCK_MONOTONIC; /* --cpu-clock: process CPU time */
static const char *only = NULL;                   /* --only=W1,W4 */

static int wanted(const char *key) {
  if (!only) return 1;
  const size_t n = strlen(key);
  for (const char *p = only; (p = strstr(p, key)) != NULL; p += n)
    if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(bench_clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  double median, min, max;
  int runs;
} stats;

static stats summarize(double *t, int n) {
  qsort(t, n, sizeof *t, cmp_double);
  stats s = {n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]), t[0], t[n - 1], n};
  return s;
}

#define MAX_RUNS 2000

typedef void (*bench_fn)(void *ctx);

/* warmup untimed calls, then >= min_runs and >= min_ms of timed calls. */
static stats time_it(bench_fn fn, void *ctx, int warmup, int min_runs, double min_ms) {
  static double t[MAX_RUNS];
  for (int i = 0; i < warmup; i++) fn(ctx);
  int n = 0;
  const double start = now_ms();
  while (n < MAX_RUNS && (n < min_runs || now_ms() - start < min_ms * quick)) {
    const double t0 = now_ms();
    fn(ctx);
    t[n++] = now_ms() - t0;
  }
  return summarize(t, n);
}

static void fill_uniform(float *x, size_t n, uint32_t seed, float scale) {
  uint32_t s = seed;
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)((s / 4294967296.0 - 0.5) * 2 * scale);
  }
}

static void die(const char *what, int st) {
  fprintf(stderr, "bench_native: %s failed: %s (%s)\n", what, rnn_status_name(st), rnn_last_error());
  exit(1);
}

typedef struct {
  int T, B, I, H, cell;
  rnn_model *m;
  rnn_optimizer *opt;
  float *x, *y, *out, *dout, *dx, *dh0, *dc0, *hN, *cN;
  float *lin, *lin_grad; /* Linear(H, 1): weight[H], bias */
  double t_fwd, t_bwd, t_opt; /* accumulated by the breakdown run */
  int split;
} train_ctx;

static void train_setup(train_ctx *c, int cell, int T, int B, int I, int H) {
  memset(c, 0, sizeof *c);
  c->T = T, c->B = B, c->I = I, c->H = H, c->cell = cell;
  rnn_model_config cfg = {cell, I, H, 1, 0, 1, 0, 0.0f, 1, 0, 0};
  int st = rnn_model_create(&cfg, &c->m);
  if (st) die("rnn_model_create", st);
  const size_t TB = (size_t)T * B;
  c->x = malloc(TB * I * sizeof(float));
  c->y = malloc(B * sizeof(float));
  c->out = malloc(TB * H * sizeof(float));
  c->dout = calloc(TB * H, sizeof(float));
  c->dx = malloc(TB * I * sizeof(float));
  c->dh0 = malloc((size_t)B * H * sizeof(float));
  c->dc0 = malloc((size_t)B * H * sizeof(float));
  c->hN = malloc((size_t)B * H * sizeof(float));
  c->cN = malloc((size_t)B * H * sizeof(float));
  c->lin = malloc((H + 1) * sizeof(float));
  c->lin_grad = calloc(H + 1, sizeof(float));
  fill_uniform(c->x, TB * I, 1, 0.5f);
  fill_uniform(c->y, B, 2, 0.5f);
  fill_uniform(c->lin, H + 1, 3, 1.0f / sqrtf((float)H));
  float *params[2] = {rnn_params_values(rnn_model_parameters(c->m)), c->lin};
  float *grads[2] = {rnn_params_grads(rnn_model_parameters(c->m)), c->lin_grad};
  size_t counts[2] = {rnn_params_count(rnn_model_parameters(c->m)), (size_t)H + 1};
  rnn_opt_config oc = {1e-3, 0.9, 0.999, 1e-8, 0.0, 0, 0.0, 0.0, 0};
  st = rnn_optimizer_create(RNN_OPT_ADAM, &oc, 2, params, grads, counts, &c->opt);
  if (st) die("rnn_optimizer_create", st);
}

static void train_teardown(train_ctx *c) {
  rnn_optimizer_destroy(c->opt);
  rnn_model_destroy(c->m);
  free(c->x), free(c->y), free(c->out), free(c->dout), free(c->dx);
  free(c->dh0), free(c->dc0), free(c->hN), free(c->cN), free(c->lin), free(c->lin_grad);
}

static void train_step(void *p) {
  train_ctx *c = p;
  const int T = c->T, B = c->B, H = c->H;
  const int lstm = c->cell == RNN_CELL_LSTM;
  double t0 = c->split ? now_ms() : 0;
  rnn_params_zero_grad(rnn_model_parameters(c->m));
  memset(c->lin_grad, 0, (H + 1) * sizeof(float));
  int st = rnn_model_forward(c->m, T, B, c->x, NULL, NULL, NULL, NULL, c->hN, lstm ? c->cN : NULL);
  if (st) die("rnn_model_forward", st);
  /* Linear(H, 1) on the last hidden state, MSE against y (mean over B). */
  const float *last = c->hN;
  float *dlast = c->dout; /* d loss / d hN, [1][B][H] */
  (void)T;
  const float *w = c->lin;
  for (int b = 0; b < B; b++) {
    const float *hb = last + (size_t)b * H;
    float pred = w[H];
    for (int j = 0; j < H; j++) pred += w[j] * hb[j];
    const float g = 2.0f * (pred - c->y[b]) / B;
    for (int j = 0; j < H; j++) {
      c->lin_grad[j] += g * hb[j];
      dlast[(size_t)b * H + j] = g * w[j];
    }
    c->lin_grad[H] += g;
  }
  double t1 = c->split ? now_ms() : 0;
  st = rnn_model_backward(c->m, NULL, dlast, NULL, NULL, c->dh0, lstm ? c->dc0 : NULL);
  if (st) die("rnn_model_backward", st);
  double t2 = c->split ? now_ms() : 0;
  st = rnn_optimizer_step(c->opt);
  if (st) die("rnn_optimizer_step", st);
  rnn_params_changed(rnn_model_parameters(c->m)); /* the next forward repacks the weights */
  if (c->split) {
    const double t3 = now_ms();
    c->t_fwd += t1 - t0, c->t_bwd += t2 - t1, c->t_opt += t3 - t2;
  }
}

static void infer_step(void *p) {
  train_ctx *c = p;
  int st = rnn_model_forward(c->m, c->T, c->B, c->x, NULL, NULL, NULL, c->out, c->hN,
                             c->cell == RNN_CELL_LSTM ? c->cN : NULL);
  if (st) die("rnn_model_forward", st);
}

typedef struct {
  rnn_model *m;
  rnn_stream *s;
  int I, H, t;
  float *xs, *y, *h, *c, *h2, *c2;
  int inner;
} step_ctx;

static void stream_steps(void *p) {
  step_ctx *c = p;
  for (int i = 0; i < c->inner; i++) {
    const float *x = c->xs + (size_t)(c->t++ & 63) * c->I;
    int st = rnn_stream_step(c->s, x, c->y);
    if (st) die("rnn_stream_step", st);
  }
}

static void forward_steps(void *p) {
  step_ctx *c = p;
  for (int i = 0; i < c->inner; i++) {
    const float *x = c->xs + (size_t)(c->t++ & 63) * c->I;
    int st = rnn_model_forward(c->m, 1, 1, x, NULL, c->h, c->c, c->y, c->h2, c->c2);
    if (st) die("rnn_model_forward", st);
    float *t = c->h; c->h = c->h2; c->h2 = t;
    t = c->c; c->c = c->c2; c->c2 = t;
  }
}

static void print_stats(const char *key, stats s, const char *unit, const char *how, int comma) {
  printf("\"%s\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"runs\":%d,\"unit\":\"%s\"%s%s%s}%s",
         key, s.median, s.min, s.max, s.runs, unit, how ? ",\"how\":\"" : "", how ? how : "",
         how ? "\"" : "", comma ? "," : "");
}

int main(int argc, char **argv) {
  int breakdown = 0;
  const char *clock_env = getenv("BENCH_CLOCK"); /* cpu: as --cpu-clock */
  if (clock_env && !strcmp(clock_env, "cpu")) bench_clock = CLOCK_PROCESS_CPUTIME_ID;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 0.3;
    else if (!strcmp(argv[i], "--breakdown")) breakdown = 1;
    else if (!strcmp(argv[i], "--cpu-clock")) bench_clock = CLOCK_PROCESS_CPUTIME_ID;
    else if (!strncmp(argv[i], "--only=", 7)) only = argv[i] + 7;
  }
  static const struct { const char *key; int cell, H; } train[] = {
      {"W1", RNN_CELL_LSTM, 128}, {"W2", RNN_CELL_LSTM, 256},
      {"W3_GRU", RNN_CELL_GRU, 128}, {"W3_RNN", RNN_CELL_RNN_TANH, 128}};
  const int T = 64, B = 32, I = 32;

#ifdef __clang__
  const char *compiler = "clang " __clang_version__;
#else
  const char *compiler = "gcc " __VERSION__;
#endif
  printf("BENCH_JSON {\"library\":\"native C\",\"compiler\":\"%s -O3 -march=native\",\"clock\":\"%s\",\"results\":{", compiler,
         bench_clock == CLOCK_MONOTONIC ? "wall" : "cpu");
  int first = 1;
#define SEP() (first ? (first = 0, "") : ",")
  for (int k = 0; k < 4; k++) {
    if (!wanted(train[k].key)) continue;
    printf("%s", SEP());
    train_ctx c;
    train_setup(&c, train[k].cell, T, B, I, train[k].H);
    stats s = time_it(train_step, &c, 3, 10, 1500);
    print_stats(train[k].key, s, "ms", "C API: forward, Linear+MSE in C, backward (dx too), Adam", 0);
    train_teardown(&c);
  }
  if (wanted("W4")) {
    printf("%s", SEP());
    train_ctx c;
    train_setup(&c, RNN_CELL_LSTM, T, B, I, 256);
    stats s = time_it(infer_step, &c, 3, 10, 1500);
    print_stats("W4", s, "ms", "rnn_model_forward", 0);
    train_teardown(&c);
  }
  if (wanted("W5")) {
    printf("%s", SEP());
    step_ctx c = {0};
    c.I = 32, c.H = 256, c.inner = 200;
    rnn_model_config cfg = {RNN_CELL_LSTM, c.I, c.H, 1, 0, 1, 0, 0.0f, 1, 0, 0};
    int st = rnn_model_create(&cfg, &c.m);
    if (st) die("rnn_model_create", st);
    c.xs = malloc(64 * c.I * sizeof(float));
    fill_uniform(c.xs, 64 * (size_t)c.I, 7, 0.5f);
    c.y = malloc(c.H * sizeof(float));
    c.h = calloc(c.H, sizeof(float)), c.c = calloc(c.H, sizeof(float));
    c.h2 = calloc(c.H, sizeof(float)), c.c2 = calloc(c.H, sizeof(float));
    const char *how;
    bench_fn fn;
    if (rnn_stream_create && rnn_stream_step && rnn_stream_destroy) {
      st = rnn_stream_create(c.m, 1, 0, &c.s);
      if (st) die("rnn_stream_create", st);
      fn = stream_steps, how = "rnn_stream_step";
    } else {
      fn = forward_steps, how = "rnn_model_forward T=1, state carried";
    }
    stats s = time_it(fn, &c, 5, 20, 1500);
    s.median *= 1000.0 / c.inner, s.min *= 1000.0 / c.inner, s.max *= 1000.0 / c.inner;
    print_stats("W5", s, "us", how, 0);
    if (c.s) rnn_stream_destroy(c.s);
    rnn_model_destroy(c.m);
    free(c.xs), free(c.y), free(c.h), free(c.c), free(c.h2), free(c.c2);
  }
  printf("}");
  if (breakdown) {
    printf(",\"breakdown\":{");
    for (int k = 0; k < 2; k++) {
      train_ctx c;
      train_setup(&c, RNN_CELL_LSTM, T, B, I, train[k].H);
      for (int i = 0; i < 3; i++) train_step(&c);
      c.split = 1;
      const int n = 20;
      for (int i = 0; i < n; i++) train_step(&c);
      printf("\"%s\":{\"forward_ms\":%.4g,\"backward_ms\":%.4g,\"adam_ms\":%.4g}%s", train[k].key,
             c.t_fwd / n, c.t_bwd / n, c.t_opt / n, k ? "" : ",");
      train_teardown(&c);
    }
    printf("}");
  }
  printf("}\n");
  return 0;
}
