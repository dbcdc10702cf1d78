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

int rnn_optimizer_create(int kind, const rnn_opt_config *cfg, int nseg,
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

/* torch's add_(x, alpha=a) and addcmul_ are fused multiply-adds in float32,
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
      buf[i] = first ? d : fmaf(d, damp, buf[i] * mom);
      d = c->nesterov ? fmaf(buf[i], mom, d) : buf[i];
    }
    p[i] = fmaf(d, neg_lr, p[i]);
  }
}

static void adam_segment(int kind, const rnn_opt_config *c, int64_t step,
                         float *p, const float *g, float *m, float *v,
                         float *vmax, size_t n) {
  const float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
  const float one_m_b1 = (float)(1.0 - c->beta1), one_m_b2 = (float)(1.0 - c->beta2);
  const float wd = (float)c->weight_decay;
  /* bias corrections and step size in double, applied as float scalars */
  const double bc1 = 1.0 - pow(c->beta1, (double)step);
  const double bc2 = 1.0 - pow(c->beta2, (double)step);
  const float neg_step_size = (float)(-c->lr / bc1);
  const float bc2_sqrt = (float)sqrt(bc2);
  const float decay = (float)(1.0 - c->lr * c->weight_decay);
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    if (kind == RNN_OPT_ADAMW) p[i] = p[i] * decay;
    else if (wd != 0.0f) gi = fmaf(p[i], wd, gi);
    m[i] = fmaf(gi, one_m_b1, m[i] * b1);
    v[i] = fmaf(one_m_b2 * gi, gi, v[i] * b2);
    float vv = v[i];
    if (vmax) vv = vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
    const float denom = sqrtf(vv) / bc2_sqrt + eps;
    p[i] = p[i] + (neg_step_size * m[i]) / denom;
  }
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

double rnn_clip_grad_norm(int nseg, float *const *grads, const size_t *counts,
                          double max_norm) {
  if (!(max_norm >= 0.0)) {
    rnn_fail(RNN_E_INVALID, "maxNorm must be a number >= 0, got %g", max_norm);
    return -1.0;
  }
  double sum = 0.0;
  for (int s = 0; s < nseg; s++)
    for (size_t i = 0; i < counts[s]; i++) sum += (double)grads[s][i] * grads[s][i];
  /* torch, in float32: coef = max_norm * (1 / (norm + 1e-6)), clamped to 1 */
  const float total = (float)sqrt(sum);
  float coef = (1.0f / (total + 1e-6f)) * (float)max_norm;
  if (coef < 1.0f)
    for (int s = 0; s < nseg; s++)
      for (size_t i = 0; i < counts[s]; i++) grads[s][i] *= coef;
  return total;
}
