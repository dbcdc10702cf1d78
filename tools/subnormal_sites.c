/* subnormal_sites.c - where the engine gives birth to subnormal floats
 * (issue 24), found by the CPU itself: the engine's C built natively (x86-64,
 * Linux), with SSE's underflow exception unmasked while one case runs. Every
 * instruction whose result is tiny (a subnormal, or a value that underflows
 * to 0 through the subnormal range) traps; the handler counts its address,
 * masks the exception for that one instruction (single step: the trap flag)
 * and re-arms it. The addresses, with counts, go to stdout for
 * tools/subnormal_sites.sh to map to source lines.
 * Cases (cell: 0 RNN tanh, 2 LSTM, 3 GRU), H 32, B 4, I 8, two train steps
 * (forward, backward with dx, Adam) unless said:
 *   train1000  T 1000, the loss on the last step (dhN only)
 *   saturated  T 128, inputs of scale 1000
 *   tinyin     T 32, subnormal inputs and output gradients
 *   stream     2000 stream steps at batch 2 on inputs of scale 1000
 *   linear     Linear(64, 32) forward and backward on subnormal values */
#define _GNU_SOURCE
#include "rnn.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define MAX_SITES 4096
static uintptr_t site_ip[MAX_SITES];
static long site_count[MAX_SITES];
static int nsites;

static void on_fpe(int sig, siginfo_t *si, void *uc_) {
  (void)sig, (void)si;
  ucontext_t *uc = uc_;
  const uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  int i = 0;
  while (i < nsites && site_ip[i] != ip) i++;
  if (i == nsites && nsites < MAX_SITES) site_ip[nsites++] = ip, site_count[i] = 0;
  if (i < MAX_SITES) site_count[i]++;
  uc->uc_mcontext.fpregs->mxcsr |= 0x1f80;  /* mask every exception */
  uc->uc_mcontext.fpregs->mxcsr &= ~0x3fu;  /* clear the flags */
  uc->uc_mcontext.gregs[REG_EFL] |= 0x100;  /* trap after one instruction */
}

static void on_trap(int sig, siginfo_t *si, void *uc_) {
  (void)sig, (void)si;
  ucontext_t *uc = uc_;
  uc->uc_mcontext.fpregs->mxcsr &= ~(0x3fu | 0x800u); /* re-arm underflow */
  uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
}

static void set_mxcsr(int underflow_trap) {
  unsigned mx;
  __asm__ volatile("stmxcsr %0" : "=m"(mx));
  mx &= ~0x3fu;
  mx = underflow_trap ? mx & ~0x800u : mx | 0x1f80u;
  __asm__ volatile("ldmxcsr %0" : : "m"(mx));
}

static uint32_t lcg = 1;
static float uniform(float scale) {
  lcg = lcg * 1664525u + 1013904223u;
  return ((float)lcg / 4294967296.0f - 0.5f) * 2.0f * scale;
}
static float *filled(size_t n, float scale) {
  float *p = malloc(n * sizeof *p);
  for (size_t i = 0; i < n; i++) p[i] = uniform(scale);
  return p;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s train1000|saturated|tinyin|stream|linear cell\n", argv[0]);
    return 2;
  }
  const char *what = argv[1];
  const int cell = atoi(argv[2]), lstm = cell == RNN_CELL_LSTM;
  struct sigaction a = {0}, b = {0};
  a.sa_sigaction = on_fpe, a.sa_flags = SA_SIGINFO;
  b.sa_sigaction = on_trap, b.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &a, NULL);
  sigaction(SIGTRAP, &b, NULL);
  const float tiny = 0x1p-130f;
  if (!strcmp(what, "linear")) {
    rnn_linear *l;
    if (rnn_linear_create(64, 32, 1, 5, &l)) return 1;
    float *x = filled(16 * 64, tiny), *dy = filled(16 * 32, tiny);
    float *y = malloc(16 * 32 * sizeof *y), *dx = malloc(16 * 64 * sizeof *dx);
    set_mxcsr(1);
    rnn_linear_forward(l, 16, x, y);
    rnn_linear_backward(l, dy, dx);
    set_mxcsr(0);
  } else {
    const int B = 4, I = 8, H = 32;
    int T = 1000;
    float scale = 1.0f;
    if (!strcmp(what, "saturated")) T = 128, scale = 1000.0f;
    if (!strcmp(what, "tinyin")) T = 32, scale = tiny;
    const rnn_model_config cfg = {cell, I, H, 1, 0, 1, 0, 0.0f, 3, 0, 0};
    rnn_model *m;
    if (rnn_model_create(&cfg, &m)) return 1;
    if (!strcmp(what, "stream")) {
      rnn_stream *s;
      if (rnn_stream_create(m, 2, 0, &s)) return 1;
      const int n = 2000;
      float *xs = filled((size_t)n * 2 * I, 1000.0f), *ys = malloc((size_t)n * 2 * H * sizeof *ys);
      set_mxcsr(1);
      rnn_stream_run(s, n, xs, ys);
      set_mxcsr(0);
    } else {
      rnn_params *pp = rnn_model_parameters(m);
      size_t np = rnn_params_count(pp);
      float *p = rnn_params_values(pp), *g = rnn_params_grads(pp);
      float *x = filled((size_t)T * B * I, scale), *dhN = filled((size_t)B * H, 0.1f);
      float *dout = !strcmp(what, "tinyin") ? filled((size_t)T * B * H, tiny) : NULL;
      float *out = malloc((size_t)T * B * H * sizeof *out), *hN = malloc((size_t)B * H * sizeof *hN);
      float *cN = malloc((size_t)B * H * sizeof *cN), *dx = malloc((size_t)T * B * I * sizeof *dx);
      float *dh0 = malloc((size_t)B * H * sizeof *dh0), *dc0 = malloc((size_t)B * H * sizeof *dc0);
      rnn_opt_config oc = {1e-3, 0.9, 0.999, 1e-8, 0.0, 0, 0.0, 0.0, 0};
      rnn_optimizer *o;
      if (rnn_optimizer_create(RNN_OPT_ADAM, &oc, 1, &p, &g, &np, &o)) return 1;
      set_mxcsr(1);
      for (int step = 0; step < 2; step++) {
        rnn_params_zero_grad(pp);
        rnn_model_forward(m, T, B, x, NULL, NULL, NULL, out, hN, lstm ? cN : NULL);
        rnn_model_backward(m, dout, dout ? NULL : dhN, NULL, dx, dh0, lstm ? dc0 : NULL);
        rnn_optimizer_step(o);
        rnn_params_changed(pp);
      }
      set_mxcsr(0);
    }
  }
  for (int i = 0; i < nsites; i++) printf("0x%lx %ld\n", (unsigned long)site_ip[i], site_count[i]);
  return 0;
}
