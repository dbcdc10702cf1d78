/* test_stream.c - streams (src/stream.c) against the sequence forward, and
 * gate taps, through the public C API; run natively (also under ASan via
 * ./build.sh sanitize) as well as in both wasm builds.
 * Exit code 0 when everything passes; last line "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"
#define TEST_RAND_SEED 777u
#include "test_rand.h"

static int passed, failed;

static void check(int ok, const char *what, const char *detail) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  if (failed <= 20) printf("FAIL %s: %s\n", what, detail);
}


static double max_diff(const float *a, const float *b, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    const double d = fabs((double)a[i] - b[i]);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

static void expect_close(const char *what, const float *got, const float *want, size_t n,
                         double tol) {
  char detail[128];
  const double d = max_diff(got, want, n);
  snprintf(detail, sizeof detail, "max |diff| %.3g > %.3g", d, tol);
  check(d <= tol, what, detail);
}

/* T steps through a stream from a random state equal forward over the
 * sequence from the same state, step by step and with run; taps at each
 * step equal the forward's taps at that step. */
static void test_against_forward(int cell, int L, int P, int B, int bias) {
  const int I = 5, H = 9, T = 7, Ho = P ? P : H, lstm = cell == RNN_CELL_LSTM;
  const int ng = cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 0;
  char what[96];
  snprintf(what, sizeof what, "cell %d L=%d P=%d B=%d bias=%d", cell, L, P, B, bias);
  rnn_model_config cfg = {cell, I, H, L, 0, bias, P, 0.25f, 42u, 0, 0};
  rnn_model *m = NULL;
  if (rnn_model_create(&cfg, &m) != RNN_OK) {
    check(0, what, rnn_last_error());
    return;
  }
  rnn_model_set_training(m, 0);
  float *x = rand_array((size_t)T * B * I, 1.0f);
  float *h0 = rand_array((size_t)L * B * Ho, 0.8f), *c0 = rand_array((size_t)L * B * H, 0.8f);
  float *out = malloc((size_t)T * B * Ho * sizeof *out);
  float *hN = malloc((size_t)L * B * Ho * sizeof *hN), *cN = malloc((size_t)L * B * H * sizeof *cN);
  const size_t tap_floats = (size_t)T * B * (ng * H + (lstm ? H : 0) + Ho);
  float *ftaps = malloc((size_t)L * tap_floats * sizeof *ftaps);
  int st = rnn_model_forward(m, T, B, x, NULL, h0, lstm ? c0 : NULL, out, hN, lstm ? cN : NULL);
  for (int l = 0; st == RNN_OK && l < L; l++) st = rnn_model_forward_taps(m, l, ftaps + l * tap_floats);
  check(st == RNN_OK, what, rnn_last_error());

  for (int use_run = 0; use_run <= 1; use_run++) {
    rnn_stream *s = NULL;
    if (rnn_stream_create(m, B, 1, &s) != RNN_OK) {
      check(0, what, rnn_last_error());
      break;
    }
    rnn_stream_set_state(s, h0, lstm ? c0 : NULL);
    float *y = malloc((size_t)T * B * Ho * sizeof *y);
    float *stap = malloc(((size_t)B * (ng * H + H + Ho)) * sizeof *stap);
    if (use_run) {
      check(rnn_stream_run(s, T, x, y) == RNN_OK, what, "run failed");
    } else {
      for (int t = 0; t < T; t++) {
        check(rnn_stream_step(s, x + (size_t)t * B * I, y + (size_t)t * B * Ho) == RNN_OK, what,
              "step failed");
        /* taps after step t = the forward's taps at t, block by block */
        for (int l = 0; l < L; l++) {
          rnn_stream_taps(s, l, stap);
          const float *src = stap;
          const float *blk = ftaps + l * tap_floats;
          const int nblk = ng + (lstm ? 1 : 0) + 1;
          for (int k = 0; k < nblk; k++) {
            const int F = k == nblk - 1 ? Ho : H;
            char w2[200];
            snprintf(w2, sizeof w2, "%s taps layer %d step %d block %d", what, l, t, k);
            expect_close(w2, src, blk + (size_t)t * B * F, (size_t)B * F, 1e-5);
            src += (size_t)B * F;
            blk += (size_t)T * B * F;
          }
        }
      }
    }
    char w2[200];
    snprintf(w2, sizeof w2, "%s %s output", what, use_run ? "run" : "step");
    expect_close(w2, y, out, (size_t)T * B * Ho, 1e-5);
    float *hs = malloc((size_t)L * B * Ho * sizeof *hs), *cs = malloc((size_t)L * B * H * sizeof *cs);
    rnn_stream_get_state(s, hs, lstm ? cs : NULL);
    snprintf(w2, sizeof w2, "%s %s final state", what, use_run ? "run" : "step");
    expect_close(w2, hs, hN, (size_t)L * B * Ho, 1e-5);
    if (lstm) expect_close(w2, cs, cN, (size_t)L * B * H, 1e-5);
    /* reset: zeros */
    rnn_stream_reset(s);
    rnn_stream_get_state(s, hs, lstm ? cs : NULL);
    int zero = 1;
    for (int i = 0; i < L * B * Ho; i++) zero &= hs[i] == 0.0f;
    for (int i = 0; lstm && i < L * B * H; i++) zero &= cs[i] == 0.0f;
    check(zero, what, "state not zero after reset");
    free(y), free(stap), free(hs), free(cs);
    rnn_stream_destroy(s);
  }
  free(x), free(h0), free(c0), free(out), free(hN), free(cN), free(ftaps);
  rnn_model_destroy(m);
}

/* After rnn_params_changed the next step uses the new weights. */
static void test_repack(void) {
  rnn_model_config cfg = {RNN_CELL_LSTM, 3, 4, 2, 0, 1, 0, 0.0f, 1u, 0, 0};
  rnn_model *m = NULL;
  rnn_model_create(&cfg, &m);
  rnn_model_set_training(m, 0);
  rnn_stream *s = NULL;
  rnn_stream_create(m, 1, 0, &s);
  float x[3] = {0.3f, -0.2f, 0.5f}, y1[4], y2[4], ref[4];
  rnn_stream_step(s, x, y1);
  float *p = rnn_params_values(rnn_model_parameters(m));
  for (size_t i = 0; i < rnn_params_count(rnn_model_parameters(m)); i++) p[i] *= -0.5f;
  rnn_params_changed(rnn_model_parameters(m));
  rnn_stream_reset(s);
  rnn_stream_step(s, x, y2);
  rnn_model_forward(m, 1, 1, x, NULL, NULL, NULL, ref, NULL, NULL);
  expect_close("stream after params_changed", y2, ref, 4, 1e-6);
  check(max_diff(y1, y2, 4) > 1e-3, "stream after params_changed", "output did not change");
  rnn_stream_destroy(s);
  rnn_model_destroy(m);
}

static void test_errors(void) {
  rnn_model_config cfg = {RNN_CELL_GRU, 3, 4, 1, 1, 1, 0, 0.0f, 1u, 0, 0};
  rnn_model *m = NULL;
  rnn_model_create(&cfg, &m);
  rnn_stream *s = (rnn_stream *)&cfg; /* must be cleared on failure */
  check(rnn_stream_create(m, 1, 0, &s) == RNN_E_UNSUPPORTED && s == NULL, "bidirectional",
        "not RNN_E_UNSUPPORTED");
  rnn_model_destroy(m);
  cfg.bidirectional = 0;
  rnn_model_create(&cfg, &m);
  check(rnn_stream_create(m, 0, 0, &s) == RNN_E_INVALID, "batch 0", "not RNN_E_INVALID");
  check(rnn_stream_create(NULL, 1, 0, &s) == RNN_E_INVALID, "NULL model", "not RNN_E_INVALID");
  rnn_stream_create(m, 2, 0, &s);
  float buf[64];
  check(rnn_stream_taps(s, 0, buf) == RNN_E_STATE, "taps without taps", "not RNN_E_STATE");
  check(rnn_stream_run(s, 0, buf, buf) == RNN_E_SHAPE, "run 0 steps", "not RNN_E_SHAPE");
  check(rnn_stream_reserve(s, 0) == RNN_E_INVALID, "reserve 0", "not RNN_E_INVALID");
  check(rnn_stream_reserve(s, 50) == RNN_OK && rnn_stream_input(s) && rnn_stream_output(s) &&
            rnn_stream_staging(s),
        "reserve", "buffers missing");
  check(rnn_model_forward_taps(m, 0, buf) == RNN_E_STATE, "forward taps before forward",
        "not RNN_E_STATE");
  rnn_stream_destroy(s);
  rnn_stream_destroy(NULL);
  rnn_model_destroy(m);
}

int main(void) {
  const int cells[] = {RNN_CELL_RNN_TANH, RNN_CELL_RNN_RELU, RNN_CELL_LSTM, RNN_CELL_GRU};
  for (int c = 0; c < 4; c++)
    for (int L = 1; L <= 3; L += 2)
      for (int B = 1; B <= 3; B += 2)
        for (int bias = 0; bias <= 1; bias++) {
          test_against_forward(cells[c], L, 0, B, bias);
          if (cells[c] == RNN_CELL_LSTM) test_against_forward(cells[c], L, 4, B, bias);
        }
  test_repack();
  test_errors();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
