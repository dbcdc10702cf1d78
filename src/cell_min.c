/* cell_min.c - minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We
 * Needed?"): gates that read x_t only, so the gate projections of every step
 * are cell_common.c's one input GEMM, and the recurrence is linear in h,
 *   h_t = a_t * h_{t-1} + v_t,
 * run as an elementwise scan over time, and BPTT as the reverse scan.
 *   minGRU  rows (z, h~):    a = 1 - z,         v = z * h~
 *   minLSTM rows (f, i, h~): a = f / (f + i),   v = i / (f + i) * h~
 * with z, f, i sigmoids and h~ = W_h x + b_h. The log-space variant (the
 * paper's, cell_def.log_space) passes h~ through g(x) = x + 0.5 (x >= 0),
 * sigmoid(x) (x < 0), so h stays positive; its scan is the same recurrence,
 * evaluated linearly: h_t is a convex combination of h_{t-1} and h~_t, which
 * cannot overflow in a sequential or chunked scan (the paper's log space
 * guards the cumulative products of a parallel prefix scan).
 *
 * The scan runs in RNN_SCAN_MAX_CHUNKS chunks of time fixed by T alone (the
 * two-pass chunked scan): pass 1 runs chunk 0 and summarises each later chunk
 * as the affine map from its start state to its end state; the starts follow
 * in order; pass 2 runs the later chunks from them. Threads share chunks, so
 * any thread count gives the same bits. The file is compiled for size
 * (RNN_SMALL): no unswitched or unrolled copies of its loops. */
#include "rnn_internal.h"
#include "vmath.h"

#include <string.h>

#define SCAN_MIN_CHUNK 32 /* steps; shorter sequences run as one chunk */
#define G_BELOW_HALF 0.49999997f /* g(x < 0) < 0.5 <= g(x >= 0), so g' is read off g */

#ifdef __wasm_simd128__
/* one copy of the sigmoid's code, called (this file's rows are short) */
__attribute__((noinline)) static v128_t sigmoid4(v128_t x) { return rnn_sigmoid_f32x4(x); }
#else
static float candidate(float x, int log_space) {
  if (!log_space || x >= 0.0f) return log_space ? x + 0.5f : x;
  const float s = rnn_sigmoidf(x);
  return G_BELOW_HALF < s ? G_BELOW_HALF : s; /* as wasm's pmin */
}
#endif

#ifdef __wasm_simd128__
static const v128_t ONE = {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000}; /* 1.0f x 4 (bits) */
#endif

/* What both row passes read of the cell: its form and its candidate's gate row. */
typedef struct {
  int lstm, log_space;
  float *gc;
} min_row;
static inline min_row row_of(const rnn_cell_def *cell, float *g, int H) {
  return (min_row){cell->G == 3, cell->log_space, g + (cell->G - 1) * H};
}

/* One batch row, forward: g holds the gate pre-activations and becomes the
 * activations (the taps). Then a and v get the scan's coefficient and input,
 * or, with h (a stream), h = a * h + v in place. */
RNN_SMALL static void min_row_forward(const rnn_cell_def *cell, float *g, float *a, float *v, float *h,
                            int H) {
  const min_row r = row_of(cell, g, H);
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    v128_t c = wasm_v128_load(r.gc + j), A, V;
    if (r.log_space)
      c = wasm_v128_bitselect(wasm_f32x4_add(c, wasm_f32x4_splat(0.5f)),
                              wasm_f32x4_pmin(sigmoid4(c), wasm_f32x4_splat(G_BELOW_HALF)),
                              wasm_f32x4_ge(c, wasm_f32x4_splat(0.0f)));
    wasm_v128_store(r.gc + j, c);
    const v128_t f = sigmoid4(wasm_v128_load(g + j));
    wasm_v128_store(g + j, f);
    if (r.lstm) {
      const v128_t i = sigmoid4(wasm_v128_load(g + H + j));
      wasm_v128_store(g + H + j, i);
      const v128_t s = wasm_f32x4_add(f, i);
      A = rnn_flush_f32x4(wasm_f32x4_div(f, s));
      V = rnn_flush_f32x4(wasm_f32x4_mul(wasm_f32x4_div(i, s), c));
    } else {
      A = wasm_f32x4_sub(ONE, f);
      V = rnn_flush_f32x4(wasm_f32x4_mul(f, c));
    }
    if (h) {
      wasm_v128_store(h + j, rnn_flush_f32x4(wasm_f32x4_add(wasm_f32x4_mul(A, wasm_v128_load(h + j)), V)));
    } else {
      wasm_v128_store(a + j, A);
      wasm_v128_store(v + j, V);
    }
  }
  if (j < H) { /* the last lanes through the loop above, on a padded copy */
    float pg[12] = {0}, pa[4], pv[4], ph[4] = {0};
    const int n = H - j;
    for (int k = 0; k < cell->G; k++) memcpy(pg + 4 * k, g + k * H + j, n * sizeof(float));
    if (h) memcpy(ph, h + j, n * sizeof(float));
    min_row_forward(cell, pg, pa, pv, h ? ph : NULL, 4);
    for (int k = 0; k < cell->G; k++) memcpy(g + k * H + j, pg + 4 * k, n * sizeof(float));
    if (h) memcpy(h + j, ph, n * sizeof(float));
    else memcpy(a + j, pa, n * sizeof(float)), memcpy(v + j, pv, n * sizeof(float));
  }
#else
  for (; j < H; j++) {
    const float c = candidate(r.gc[j], r.log_space), f = rnn_sigmoidf(g[j]);
    float A, V;
    r.gc[j] = c, g[j] = f;
    if (r.lstm) {
      const float i = rnn_sigmoidf(g[H + j]), s = f + i;
      g[H + j] = i;
      A = rnn_flush(f / s), V = rnn_flush(i / s * c);
    } else {
      A = 1.0f - f, V = rnn_flush(f * c);
    }
    if (h) h[j] = rnn_flush(A * h[j] + V);
    else a[j] = A, v[j] = V;
  }
#endif
}

/* One batch row, backward: d is d h_t, hp is h_{t-1}; g (activations)
 * becomes the gradients of the gate pre-activations. */
RNN_SMALL static void min_row_backward(const rnn_cell_def *cell, float *g, const float *d, const float *hp,
                             int H) {
  const min_row r = row_of(cell, g, H);
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t c = wasm_v128_load(r.gc + j), f = wasm_v128_load(g + j), dv = wasm_v128_load(d + j);
    const v128_t gd = r.log_space ? wasm_v128_bitselect(ONE, wasm_f32x4_mul(c, wasm_f32x4_sub(ONE, c)),
                                                      wasm_f32x4_ge(c, wasm_f32x4_splat(0.5f)))
                                : ONE;
    const v128_t hv = wasm_v128_load(hp + j);
    v128_t dc;
    if (r.lstm) {
      const v128_t i = wasm_v128_load(g + H + j), s = wasm_f32x4_add(f, i);
      const v128_t fp = wasm_f32x4_div(f, s), ip = wasm_f32x4_div(i, s);
      const v128_t q = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dv, wasm_f32x4_sub(hv, c)), fp), ip);
      wasm_v128_store(g + j, rnn_flush_f32x4(wasm_f32x4_mul(q, wasm_f32x4_sub(ONE, f))));
      wasm_v128_store(g + H + j, rnn_flush_f32x4(wasm_f32x4_mul(q, wasm_f32x4_sub(i, ONE))));
      dc = wasm_f32x4_mul(wasm_f32x4_mul(dv, ip), gd);
    } else {
      const v128_t dz = wasm_f32x4_mul(wasm_f32x4_mul(dv, wasm_f32x4_sub(c, hv)), f);
      wasm_v128_store(g + j, rnn_flush_f32x4(wasm_f32x4_mul(dz, wasm_f32x4_sub(ONE, f))));
      dc = wasm_f32x4_mul(wasm_f32x4_mul(dv, f), gd);
    }
    wasm_v128_store(r.gc + j, rnn_flush_f32x4(dc));
  }
  if (j < H) { /* the last lanes through the loop above, on a padded copy */
    float pg[12] = {0}, pd[4] = {0}, ph[4] = {0};
    const int n = H - j;
    for (int k = 0; k < cell->G; k++) memcpy(pg + 4 * k, g + k * H + j, n * sizeof(float));
    memcpy(pd, d + j, n * sizeof(float));
    memcpy(ph, hp + j, n * sizeof(float));
    min_row_backward(cell, pg, pd, ph, 4);
    for (int k = 0; k < cell->G; k++) memcpy(g + k * H + j, pg + 4 * k, n * sizeof(float));
  }
#else
  for (; j < H; j++) {
    const float c = r.gc[j], f = g[j], dv = d[j];
    const float gd = !r.log_space || c >= 0.5f ? 1.0f : c * (1.0f - c);
    if (r.lstm) {
      const float i = g[H + j], s = f + i, fp = f / s, ip = i / s;
      const float q = dv * (hp[j] - c) * fp * ip;
      g[j] = rnn_flush(q * (1.0f - f));
      g[H + j] = rnn_flush(q * (i - 1.0f));
      r.gc[j] = rnn_flush(dv * ip * gd);
    } else {
      g[j] = rnn_flush(dv * (c - hp[j]) * f * (1.0f - f));
      r.gc[j] = rnn_flush(dv * f * gd);
    }
  }
#endif
}

/* One step of the scan over ONE row of H lanes with carry c: forward
 * c = a * c + v, y = c; backward (post) y = v + c, c = a * y. y holds v and
 * is overwritten unless p is given (a summary: p = a * p, y kept). */
RNN_SMALL static void scan_row(const float *a, float *y, float *c, float *p, int post, int H) {
  int j = 0;
#ifdef __wasm_simd128__
  for (; j + 4 <= H; j += 4) {
    const v128_t A = wasm_v128_load(a + j), V = wasm_v128_load(y + j);
    v128_t C = wasm_v128_load(c + j), Y;
    if (post) {
      Y = rnn_flush_f32x4(wasm_f32x4_add(V, C));
      C = rnn_flush_f32x4(wasm_f32x4_mul(A, Y));
    } else {
      C = Y = rnn_flush_f32x4(wasm_f32x4_add(wasm_f32x4_mul(A, C), V));
    }
    wasm_v128_store(c + j, C);
    if (p) wasm_v128_store(p + j, rnn_flush_f32x4(wasm_f32x4_mul(A, wasm_v128_load(p + j))));
    else wasm_v128_store(y + j, Y);
  }
#endif
  for (; j < H; j++) {
    float C = c[j], Y;
    if (post) Y = rnn_flush(y[j] + C), C = rnn_flush(a[j] * Y);
    else C = Y = rnn_flush(a[j] * C + y[j]);
    c[j] = C;
    if (p) p[j] = rnn_flush(a[j] * p[j]);
    else y[j] = Y;
  }
}

typedef struct {
  const rnn_run *r;
  const float *a; /* [T*B][H] coefficients */
  float *y;       /* rows of v, scanned in place, row (t, b) at y + (t*B + b)*ldy */
  int ldy, post, backwards, chunk, phase;
  float *carry, *prod; /* [chunks][B*H] each: carries, and summaries' slopes */
} scan_job;

/* Chunks [c0, c1) of a phase: phase 0 runs chunk 0 and summarises the others
 * (from carry 0, slope 1); phase 1 runs chunks c0 + 1 .. from their starts. */
RNN_SMALL static void scan_chunks(const void *ctx, int c0, int c1) {
  const scan_job *job = ctx;
  const rnn_run *r = job->r;
  const int T = r->T, B = r->B, H = r->H;
  const size_t BH = (size_t)B * H;
  for (int c = c0 + job->phase; c < c1 + job->phase; c++) {
    const int summary = job->phase == 0 && c > 0;
    float *carry = job->carry + c * BH, *prod = job->prod + c * BH;
    if (summary) {
      memset(carry, 0, BH * sizeof(float));
      for (size_t k = 0; k < BH; k++) prod[k] = 1.0f;
    }
    const int s1 = (c + 1) * job->chunk < T ? (c + 1) * job->chunk : T;
    for (int s = c * job->chunk; s < s1; s++) {
      const int t = job->backwards ? T - 1 - s : s;
      for (int b = 0; b < B; b++)
        scan_row(job->a + ((size_t)t * B + b) * H, job->y + ((size_t)t * B + b) * job->ldy,
                 carry + b * H, summary ? prod + b * H : NULL, job->post, H);
    }
  }
}

/* Runs the scan from start ([B] rows at stride ld_start, NULL: zeros) and
 * returns the final carries, [B][H]. */
RNN_SMALL static const float *scan(scan_job *job, const float *start, int ld_start) {
  const rnn_run *r = job->r;
  const int T = r->T, B = r->B, H = r->H;
  const size_t BH = (size_t)B * H;
  job->chunk = (T + RNN_SCAN_MAX_CHUNKS - 1) / RNN_SCAN_MAX_CHUNKS;
  if (job->chunk < SCAN_MIN_CHUNK) job->chunk = SCAN_MIN_CHUNK;
  const int chunks = (T + job->chunk - 1) / job->chunk;
  job->carry = r->tmp, job->prod = r->tmp + RNN_SCAN_MAX_CHUNKS * BH;
  for (int b = 0; b < B; b++) {
    if (start) rnn_flush_copy(job->carry + b * H, start + (size_t)b * ld_start, (size_t)H);
    else memset(job->carry + b * H, 0, (size_t)H * sizeof(float));
  }
  const double elements = (double)T * BH;
  job->phase = 0;
  rnn_parallel_rows(chunks, elements, scan_chunks, job);
  if (chunks == 1) return job->carry;
  /* chunk c starts where c - 1 ends: end = slope * start + summary's carry */
  for (int c = 1; c < chunks; c++) {
    const float *in = c == 1 ? job->carry : job->prod + (c - 1) * BH;
    float *e = job->carry + c * BH, *p = job->prod + c * BH;
    for (size_t k = 0; k < BH; k++) {
      const float end = rnn_flush(p[k] * in[k] + e[k]);
      e[k] = in[k], p[k] = end;
    }
  }
  job->phase = 1;
  rnn_parallel_rows(chunks - 1, elements, scan_chunks, job);
  return job->carry + (chunks - 1) * BH;
}

/* Row m = t*B + b of the pointwise passes. */
typedef struct {
  const rnn_cell_def *cell;
  const rnn_run *r;
} min_rows;

RNN_SMALL static int active(const rnn_run *r, size_t m) {
  return (int)(m / r->B) < rnn_len(r, (int)(m % r->B));
}

/* Forward: activations, and the scan's a (in aux) and v (in out); steps past
 * a sequence's end carry h unchanged (a = 1, v = 0). */
RNN_SMALL static void min_forward_rows(const void *ctx, int m0, int m1) {
  const min_rows *p = ctx;
  const rnn_run *r = p->r;
  const int H = r->H, GH = p->cell->G * H;
  for (size_t m = (size_t)m0; m < (size_t)m1; m++) {
    float *a = r->dir->aux + m * H, *v = r->out + m * r->ld_out;
    if (active(r, m)) {
      min_row_forward(p->cell, r->dir->gates + m * GH, a, v, NULL, H);
    } else {
      for (int j = 0; j < H; j++) a[j] = 1.0f;
      memset(v, 0, (size_t)H * sizeof(float));
    }
  }
}

RNN_SMALL static void min_forward_seq(const rnn_cell_def *cell, const rnn_run *r, float *hN) {
  const int T = r->T, B = r->B, H = r->H;
  const min_rows rows = {cell, r};
  rnn_parallel_rows(T * B, (double)T * B * cell->G * H, min_forward_rows, &rows);
  scan_job job = {r, r->dir->aux, r->out, r->ld_out, 0, r->reverse, 0, 0, NULL, NULL};
  scan(&job, r->h0, H);
  /* every sequence's last state reached the last step scanned */
  const int t_end = r->reverse ? 0 : T - 1;
  for (int b = 0; b < B; b++) {
    if (hN)
      memcpy(hN + (size_t)b * H, r->out + ((size_t)t_end * B + b) * r->ld_out,
             (size_t)H * sizeof(float));
    if (r->lengths)
      for (int t = rnn_len(r, b); t < T; t++)
        memset(r->out + ((size_t)t * B + b) * r->ld_out, 0, (size_t)H * sizeof(float));
  }
}

/* Backward: d h_t (in hprev) and h_{t-1} give the gate gradients. */
RNN_SMALL static void min_backward_rows(const void *ctx, int m0, int m1) {
  const min_rows *p = ctx;
  const rnn_run *r = p->r;
  const int B = r->B, H = r->H, GH = p->cell->G * H;
  for (size_t m = (size_t)m0; m < (size_t)m1; m++) {
    float *g = r->dir->gates + m * GH;
    if (!active(r, m)) {
      memset(g, 0, (size_t)GH * sizeof(float));
      continue;
    }
    const int t = (int)(m / B), b = (int)(m % B);
    const float *hp = t == rnn_first_time(r, b)
                          ? r->h0 + (size_t)b * H
                          : r->out + ((size_t)rnn_prev_time(r, t) * B + b) * r->ld_out;
    min_row_backward(p->cell, g, r->dir->hprev + m * H, hp, H);
  }
}

RNN_SMALL static void min_backward_seq(const rnn_cell_def *cell, const rnn_run *r, const float *dhN,
                             float *dh0) {
  const int T = r->T, B = r->B, H = r->H;
  float *d = r->dir->hprev; /* d h_t: dy where the sequence runs, then the scan */
  for (size_t m = 0; m < (size_t)T * B; m++) {
    if (r->dy && active(r, m)) rnn_flush_copy(d + m * H, r->dy + m * r->ld_out, (size_t)H);
    else memset(d + m * H, 0, (size_t)H * sizeof(float));
  }
  /* d hN enters before the last step scanned: past a sequence's end a = 1
   * carries it unchanged to the sequence's own last step */
  scan_job job = {r, r->dir->aux, d, H, 1, !r->reverse, 0, 0, NULL, NULL};
  const float *carry = scan(&job, dhN, H);
  if (dh0) memcpy(dh0, carry, (size_t)B * H * sizeof(float));
  const min_rows rows = {cell, r};
  rnn_parallel_rows(T * B, (double)T * B * cell->G * H, min_backward_rows, &rows);
}

/* A stream step: the gates from [x, 1] in one product, then h in place. */
RNN_SMALL static void min_stream_step(const rnn_stream_layer_step *st) {
  const int GH = st->cell->G * st->H;
  st->product(st->stream, GH, st->in + st->bias, st->a, st->row, st->w, st->g, GH);
  for (int b = 0; b < st->B; b++)
    min_row_forward(st->cell, st->g + (size_t)b * GH, NULL, NULL, st->h + b * st->row, st->H);
}

#define MIN_CELL(g, log)                                                                   \
  {.G = g, .log_space = log, .forward_seq = min_forward_seq,                               \
   .backward_seq = min_backward_seq, .hidden_grads = rnn_gates_as_hidden_grads,            \
   .stream_step = min_stream_step}
const rnn_cell_def rnn_cell_min_gru = MIN_CELL(2, 0), rnn_cell_min_lstm = MIN_CELL(3, 0),
                   rnn_cell_min_gru_log = MIN_CELL(2, 1), rnn_cell_min_lstm_log = MIN_CELL(3, 1);
