/* optim.c - SGD, Adam, AdamW and global-norm clipping with torch.optim's
 * float32 order of operations. Parameters come as (param, grad, count)
 * segments; the moments are one flat array each, so a step is one loop. */
#include "rnn_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 4096

struct rnn_optimizer {
  int kind;
  rnn_opt_config cfg;
  int nseg;
  float **params, **grads;
  size_t *counts;
  size_t total;
  float *m, *v, *vmax; /* Adam: exp_avg, exp_avg_sq, max_exp_avg_sq; SGD: m = momentum buffer */
  int64_t steps;
};

static int check_config(int kind, const rnn_opt_config *c) {
  if (kind < RNN_OPT_SGD || kind > RNN_OPT_ADAMW)
    return rnn_fail(RNN_E_INVALID, "unknown optimizer kind %d", kind);
  if (!(c->lr >= 0.0)) return rnn_fail(RNN_E_INVALID, "lr must be >= 0, got %g", c->lr);
  if (!(c->weight_decay >= 0.0))
    return rnn_fail(RNN_E_INVALID, "weightDecay must be >= 0, got %g", c->weight_decay);
  if (kind == RNN_OPT_SGD) {
    if (!(c->momentum >= 0.0))
      return rnn_fail(RNN_E_INVALID, "momentum must be >= 0, got %g", c->momentum);
    if (c->nesterov && (c->momentum <= 0.0 || c->dampening != 0.0))
      return rnn_fail(RNN_E_INVALID, "nesterov needs momentum > 0 and dampening = 0");
  } else {
    if (!(c->beta1 >= 0.0 && c->beta1 < 1.0))
      return rnn_fail(RNN_E_INVALID, "betas[0] must be in [0, 1), got %g", c->beta1);
    if (!(c->beta2 >= 0.0 && c->beta2 < 1.0))
      return rnn_fail(RNN_E_INVALID, "betas[1] must be in [0, 1), got %g", c->beta2);
    if (!(c->eps >= 0.0)) return rnn_fail(RNN_E_INVALID, "eps must be >= 0, got %g", c->eps);
  }
  return RNN_OK;
}

RNN_SMALL int rnn_optimizer_create(int kind, const rnn_opt_config *cfg, int nseg,
                         float *const *params, float *const *grads,
                         const size_t *counts, rnn_optimizer **out) {
  if (!out || !cfg) return rnn_fail(RNN_E_INVALID, "NULL argument");
  *out = NULL;
  int st = check_config(kind, cfg);
  if (st) return st;
  if (nseg < 1 || nseg > MAX_SEGMENTS)
    return rnn_fail(RNN_E_INVALID, "an optimizer needs 1 to %d parameter tensors, got %d",
                    MAX_SEGMENTS, nseg);
  size_t total = 0;
  for (int i = 0; i < nseg; i++) {
    if (!params[i] || !grads[i])
      return rnn_fail(RNN_E_INVALID, "parameter %d is NULL", i);
    total += counts[i];
  }
  rnn_optimizer *o = calloc(1, sizeof *o);
  if (!o) return rnn_fail(RNN_E_NOMEM, "out of memory creating the optimizer");
  o->kind = kind, o->cfg = *cfg, o->nseg = nseg, o->total = total;
  o->params = malloc(nseg * sizeof(float *));
  o->grads = malloc(nseg * sizeof(float *));
  o->counts = malloc(nseg * sizeof(size_t));
  const int nbuf = kind == RNN_OPT_SGD ? (cfg->momentum != 0.0) : cfg->amsgrad ? 3 : 2;
  float *state = nbuf ? calloc(total * nbuf + 1, sizeof(float)) : NULL;
  if (!o->params || !o->grads || !o->counts || (nbuf && !state)) {
    free(state);
    rnn_optimizer_destroy(o);
    return rnn_fail(RNN_E_NOMEM, "out of memory for optimizer state (%zu floats)", total * nbuf);
  }
  memcpy(o->params, params, nseg * sizeof(float *));
  memcpy(o->grads, grads, nseg * sizeof(float *));
  memcpy(o->counts, counts, nseg * sizeof(size_t));
  if (nbuf >= 1) o->m = state;
  if (nbuf >= 2) o->v = state + total;
  if (nbuf >= 3) o->vmax = state + 2 * total;
  *out = o;
  return RNN_OK;
}

int rnn_optimizer_new(int kind, double lr, double beta1, double beta2, double eps,
                      double weight_decay, int amsgrad, double momentum, double dampening,
                      int nesterov, int nseg, float *const *params, float *const *grads,
                      const size_t *counts, rnn_optimizer **out) {
  const rnn_opt_config cfg = {lr, beta1, beta2, eps, weight_decay, amsgrad,
                              momentum, dampening, nesterov};
  return rnn_optimizer_create(kind, &cfg, nseg, params, grads, counts, out);
}

void rnn_optimizer_destroy(rnn_optimizer *o) {
  if (!o) return;
  free(o->m); /* the one state block */
  free(o->params);
  free(o->grads);
  free(o->counts);
  free(o);
}

void rnn_optimizer_set_lr(rnn_optimizer *o, double lr) { o->cfg.lr = lr; }
int64_t rnn_optimizer_steps(const rnn_optimizer *o) { return o->steps; }
size_t rnn_optimizer_state_size(const rnn_optimizer *o) { return o->total; }
void rnn_optimizer_set_steps(rnn_optimizer *o, int64_t steps) { o->steps = steps < 0 ? 0 : steps; }

float *rnn_optimizer_moment(rnn_optimizer *o, int which) {
  switch (which) {
  case 0: return o->m;
  case 1: return o->v;
  case 2: return o->vmax;
  default: return NULL;
  }
}

/* Moments, momentum buffers, parameters and clipped gradients are flushed as
 * they are stored (flush.h): a moment of a tiny gradient (v ~ g^2) is where
 * subnormals are born most often. The SIMD Adam flushes exactly where the
 * scalar loop does, so the two stay bitwise equal.
 *
 * torch's add_(x, alpha=a) and addcmul_ are fused multiply-adds in float32,
 * with Python-double scalars cast to float first; fmaf reproduces them. */
static void sgd_segment(const rnn_opt_config *c, float *p, const float *g,
                        float *buf, size_t n, int first) {
  const float wd = (float)c->weight_decay, mom = (float)c->momentum;
  const float neg_lr = (float)-c->lr, damp = (float)(1.0 - c->dampening);
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (wd != 0.0f) d = fmaf(p[i], wd, d);
    if (mom != 0.0f) {
      /* the buffer starts as a copy of the first gradient */
      buf[i] = rnn_flush(first ? d : fmaf(d, damp, buf[i] * mom));
      d = c->nesterov ? fmaf(buf[i], mom, d) : buf[i];
    }
    p[i] = rnn_flush(fmaf(d, neg_lr, p[i]));
  }
}

/* One Adam/AdamW step over elements [i0, n): the reference, and the tail of
 * the SIMD path. */
typedef struct {
  int adamw;
  float b1, b2, eps, one_m_b1, one_m_b2, wd, neg_step_size, bc2_sqrt, decay;
} adam_scalars;

static void adam_update__scalar(const adam_scalars *s, float *p, const float *g, float *m,
                                float *v, float *vmax, size_t i0, size_t n) {
  for (size_t i = i0; i < n; i++) {
    float gi = g[i];
    if (s->adamw) p[i] = p[i] * s->decay;
    else if (s->wd != 0.0f) gi = fmaf(p[i], s->wd, gi);
    m[i] = rnn_flush(fmaf(gi, s->one_m_b1, m[i] * s->b1));
    v[i] = rnn_flush(fmaf(s->one_m_b2 * gi, gi, v[i] * s->b2));
    float vv = v[i];
    if (vmax) vv = vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
    const float denom = sqrtf(vv) / s->bc2_sqrt + s->eps;
    p[i] = rnn_flush(p[i] + (s->neg_step_size * m[i]) / denom);
  }
}

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

/* fmaf(x, y, z) on four lanes, as libc's fmaf computes it: the product is
 * exact in double and the sum is rounded once to double, then to float. That
 * second rounding can be wrong only when the double lands exactly halfway
 * between two floats (low 29 bits 0x10000000) or below FLT_MIN; *hazard is
 * set then and the caller redoes those lanes with fmaf. (WebAssembly
 * SIMD128 has no FMA, and fmaf is a libc call per element.) */
static v128_t fma4(v128_t x, v128_t y, v128_t z, v128_t *hazard) {
  const v128_t xh = wasm_i32x4_shuffle(x, x, 2, 3, 0, 1);
  const v128_t yh = wasm_i32x4_shuffle(y, y, 2, 3, 0, 1);
  const v128_t zh = wasm_i32x4_shuffle(z, z, 2, 3, 0, 1);
  const v128_t lo = wasm_f64x2_add(
      wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(x), wasm_f64x2_promote_low_f32x4(y)),
      wasm_f64x2_promote_low_f32x4(z));
  const v128_t hi = wasm_f64x2_add(
      wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(xh), wasm_f64x2_promote_low_f32x4(yh)),
      wasm_f64x2_promote_low_f32x4(zh));
  const v128_t low_bits = wasm_i64x2_splat(0x1fffffff), halfway = wasm_i64x2_splat(0x10000000);
  /* below FLT_MIN the float has fewer bits and other patterns can tie */
  const v128_t tiny = wasm_f64x2_splat(0x1p-126), zero = wasm_f64x2_splat(0.0);
  const v128_t alo = wasm_f64x2_abs(lo), ahi = wasm_f64x2_abs(hi);
  *hazard = wasm_v128_or(
      *hazard,
      wasm_v128_or(wasm_v128_or(wasm_i64x2_eq(wasm_v128_and(lo, low_bits), halfway),
                                wasm_i64x2_eq(wasm_v128_and(hi, low_bits), halfway)),
                   wasm_v128_or(wasm_v128_and(wasm_f64x2_lt(alo, tiny), wasm_f64x2_gt(alo, zero)),
                                wasm_v128_and(wasm_f64x2_lt(ahi, tiny), wasm_f64x2_gt(ahi, zero)))));
  const v128_t flo = wasm_f32x4_demote_f64x2_zero(lo), fhi = wasm_f32x4_demote_f64x2_zero(hi);
  return wasm_i32x4_shuffle(flo, fhi, 0, 1, 4, 5);
}

/* Four elements at a time, the same operations in the same order as the
 * scalar loop (f32x4 mul/div/sqrt/add round like their scalar forms); a group
 * that meets an fma halfway case is redone by the scalar loop. */
static void adam_update__wasmsimd(const adam_scalars *s, float *p, const float *g, float *m,
                                  float *v, float *vmax, size_t n) {
  const v128_t b1 = wasm_f32x4_splat(s->b1), b2 = wasm_f32x4_splat(s->b2);
  const v128_t one_m_b1 = wasm_f32x4_splat(s->one_m_b1), one_m_b2 = wasm_f32x4_splat(s->one_m_b2);
  const v128_t wd = wasm_f32x4_splat(s->wd), eps = wasm_f32x4_splat(s->eps);
  const v128_t neg_step = wasm_f32x4_splat(s->neg_step_size);
  const v128_t bc2_sqrt = wasm_f32x4_splat(s->bc2_sqrt), decay = wasm_f32x4_splat(s->decay);
  const int weight_decay = !s->adamw && s->wd != 0.0f;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t hazard = wasm_i32x4_splat(0);
    v128_t pi = wasm_v128_load(p + i), gi = wasm_v128_load(g + i);
    if (s->adamw) pi = wasm_f32x4_mul(pi, decay);
    else if (weight_decay) gi = fma4(pi, wd, gi, &hazard);
    const v128_t mi = rnn_flush_f32x4(fma4(gi, one_m_b1, wasm_f32x4_mul(wasm_v128_load(m + i), b1), &hazard));
    const v128_t vi = rnn_flush_f32x4(fma4(wasm_f32x4_mul(one_m_b2, gi), gi,
                                           wasm_f32x4_mul(wasm_v128_load(v + i), b2), &hazard));
    if (wasm_v128_any_true(hazard)) {
      adam_update__scalar(s, p, g, m, v, vmax, i, i + 4);
      continue;
    }
    v128_t vv = vi;
    if (vmax) {
      vv = wasm_f32x4_pmax(vi, wasm_v128_load(vmax + i)); /* vmax > v ? vmax : v */
      wasm_v128_store(vmax + i, vv);
    }
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vv), bc2_sqrt), eps);
    pi = rnn_flush_f32x4(wasm_f32x4_add(pi, wasm_f32x4_div(wasm_f32x4_mul(neg_step, mi), denom)));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    wasm_v128_store(p + i, pi);
  }
  adam_update__scalar(s, p, g, m, v, vmax, i, n);
}
#endif

static int adam_use_scalar; /* tests: force the reference loop */

void rnn_optimizer_force_scalar(int on) { adam_use_scalar = on != 0; }

static void adam_segment(int kind, const rnn_opt_config *c, int64_t step,
                         float *p, const float *g, float *m, float *v,
                         float *vmax, size_t n) {
  /* bias corrections and step size in double, applied as float scalars */
  const double bc1 = 1.0 - pow(c->beta1, (double)step);
  const double bc2 = 1.0 - pow(c->beta2, (double)step);
  const adam_scalars s = {
      .adamw = kind == RNN_OPT_ADAMW,
      .b1 = (float)c->beta1,
      .b2 = (float)c->beta2,
      .eps = (float)c->eps,
      .one_m_b1 = (float)(1.0 - c->beta1),
      .one_m_b2 = (float)(1.0 - c->beta2),
      .wd = (float)c->weight_decay,
      .neg_step_size = (float)(-c->lr / bc1),
      .bc2_sqrt = (float)sqrt(bc2),
      .decay = (float)(1.0 - c->lr * c->weight_decay),
  };
#ifdef __wasm_simd128__
  if (!adam_use_scalar) {
    adam_update__wasmsimd(&s, p, g, m, v, vmax, n);
    return;
  }
#endif
  adam_update__scalar(&s, p, g, m, v, vmax, 0, n);
}

int rnn_optimizer_step(rnn_optimizer *o) {
  if (!o) return rnn_fail(RNN_E_INVALID, "optimizer is NULL");
  /* saturates: a count restored with set_steps may already be INT64_MAX */
  if (o->steps < INT64_MAX) o->steps++;
  size_t off = 0;
  for (int s = 0; s < o->nseg; s++) {
    const size_t n = o->counts[s];
    if (o->kind == RNN_OPT_SGD)
      sgd_segment(&o->cfg, o->params[s], o->grads[s], o->m ? o->m + off : NULL, n,
                  o->steps == 1);
    else
      adam_segment(o->kind, &o->cfg, o->steps, o->params[s], o->grads[s], o->m + off,
                   o->v + off, o->vmax ? o->vmax + off : NULL, n);
    off += n;
  }
  return RNN_OK;
}

int rnn_clip_grad_norm(int nseg, float *const *grads, const size_t *counts,
                       double max_norm, double *norm) {
  if (!norm) return rnn_fail(RNN_E_INVALID, "norm pointer is NULL");
  if (!(max_norm >= 0.0))
    return rnn_fail(RNN_E_INVALID, "maxNorm must be a number >= 0, got %g", max_norm);
  double sum = 0.0;
  for (int s = 0; s < nseg; s++)
    for (size_t i = 0; i < counts[s]; i++) sum += (double)grads[s][i] * grads[s][i];
  /* torch, in float32: coef = max_norm * (1 / (norm + 1e-6)), clamped to 1 */
  const float total = (float)sqrt(sum);
  float coef = (1.0f / (total + 1e-6f)) * (float)max_norm;
  if (coef < 1.0f)
    for (int s = 0; s < nseg; s++)
      for (size_t i = 0; i < counts[s]; i++) grads[s][i] = rnn_flush(grads[s][i] * coef);
  *norm = total;
  return RNN_OK;
}
