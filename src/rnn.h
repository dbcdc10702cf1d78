/* rnn.h - the public C API of rnn-wasm: recurrent layers (RNN, LSTM, GRU)
 * with PyTorch's parameter layout and numerics, BPTT, and optimizers.
 *
 * Conventions
 * - Every function that can fail returns rnn_status; nothing aborts or exits
 *   on bad input. rnn_last_error() holds a message naming the problem.
 * - Activations are time-major: x[T][B][inputSize], output[T][B][D*H],
 *   h0/hN[numLayers*D][B][H] (index layer*D + direction), as in PyTorch with
 *   batch_first=False.
 * - A model owns one flat float array of parameters and one of gradients, in
 *   state_dict order with state_dict names and shapes (rnn_model_tensor).
 *   Backward accumulates into the gradients; rnn_model_zero_grad clears them.
 * - After writing parameters directly (loading, optimizer steps) call
 *   rnn_model_params_changed so packed copies are refreshed.
 */
#ifndef RNN_H
#define RNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __EMSCRIPTEN__
#define RNN_API __attribute__((used, visibility("default")))
#else
#define RNN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RNN_OK = 0,
  RNN_E_INVALID = 1, /* an argument is out of range or inconsistent */
  RNN_E_SHAPE = 2,   /* sizes do not match the model */
  RNN_E_STATE = 3,   /* call out of order (e.g. backward before forward) */
  RNN_E_NOMEM = 4,   /* allocation failed (wasm memory limit) */
  RNN_E_UNSUPPORTED = 5 /* a valid option this build does not implement */
} rnn_status;

RNN_API const char *rnn_status_name(int status);
/* Message for the most recent failure on this thread (static buffer). */
RNN_API const char *rnn_last_error(void);

typedef enum {
  RNN_CELL_RNN_TANH = 0,
  RNN_CELL_RNN_RELU = 1,
  RNN_CELL_LSTM = 2,
  RNN_CELL_GRU = 3
} rnn_cell;

typedef struct rnn_model rnn_model;

/* Create a recurrent stack. Weights and biases start U(-1/sqrt(H), 1/sqrt(H))
 * from a generator seeded with seed (same seed, same weights, everywhere). */
RNN_API int rnn_model_create(int cell, int input_size, int hidden_size,
                             int num_layers, int bidirectional, int bias,
                             uint32_t seed, rnn_model **out);
RNN_API void rnn_model_destroy(rnn_model *m);

RNN_API size_t rnn_model_num_params(const rnn_model *m);
RNN_API float *rnn_model_params(rnn_model *m);
RNN_API float *rnn_model_grads(rnn_model *m);
RNN_API int rnn_model_num_tensors(const rnn_model *m);
/* Tensor i in state_dict order: its name ("weight_ih_l0", ...), offset into
 * params/grads (in floats), and shape (rows, cols; cols = 1 for biases).
 * Returns the number of dims (1 or 2), or 0 when i is out of range. */
RNN_API int rnn_model_tensor(const rnn_model *m, int i, const char **name,
                             size_t *offset, int *rows, int *cols);
RNN_API void rnn_model_params_changed(rnn_model *m);
RNN_API void rnn_model_zero_grad(rnn_model *m);

/* Forward over a whole sequence. h0/c0 may be NULL (zeros); c0/cN are for
 * LSTM only (ignored otherwise, may be NULL). cN and hN may be NULL. The
 * activations needed by backward are kept inside the model. */
RNN_API int rnn_model_forward(rnn_model *m, int T, int B, const float *x,
                              const float *h0, const float *c0, float *output,
                              float *hN, float *cN);
/* BPTT through the last forward. d_output, d_hN, d_cN may be NULL (zeros).
 * Writes dx, dh0, dc0 (each may be NULL if not wanted) and accumulates every
 * parameter gradient. One backward per forward. */
RNN_API int rnn_model_backward(rnn_model *m, const float *d_output,
                               const float *d_hN, const float *d_cN, float *dx,
                               float *dh0, float *dc0);

/* Optimizers over a list of (param, grad, count) segments, with torch.optim
 * semantics in float32. The optimizer owns its moment buffers. */
typedef enum { RNN_OPT_SGD = 0, RNN_OPT_ADAM = 1, RNN_OPT_ADAMW = 2 } rnn_opt_kind;

/* Hyper-parameters are doubles, as Python floats are in torch.optim: the
 * float32 constants are derived from them exactly as torch derives them. */
typedef struct {
  double lr;
  double beta1, beta2, eps, weight_decay; /* Adam, AdamW (and SGD's weight_decay) */
  int amsgrad;
  double momentum, dampening; /* SGD */
  int nesterov;
} rnn_opt_config;

typedef struct rnn_optimizer rnn_optimizer;

RNN_API int rnn_optimizer_create(int kind, const rnn_opt_config *cfg, int nseg,
                                 float *const *params, float *const *grads,
                                 const size_t *counts, rnn_optimizer **out);
RNN_API void rnn_optimizer_destroy(rnn_optimizer *o);
RNN_API int rnn_optimizer_step(rnn_optimizer *o);
RNN_API void rnn_optimizer_set_lr(rnn_optimizer *o, double lr);
RNN_API int64_t rnn_optimizer_steps(const rnn_optimizer *o);

/* torch.nn.utils.clip_grad_norm_ (L2): scales the gradients in place by
 * min(1, max_norm / (norm + 1e-6)) and returns the norm before clipping
 * (as float32, like torch; a negative value when max_norm is invalid). */
RNN_API double rnn_clip_grad_norm(int nseg, float *const *grads,
                                  const size_t *counts, double max_norm);

/* Seeded generator (xoshiro128**, seeded through splitmix64). */
typedef struct {
  uint32_t s[4];
} rnn_rng;
RNN_API void rnn_rng_seed(rnn_rng *g, uint64_t seed);
RNN_API uint32_t rnn_rng_u32(rnn_rng *g);
/* Uniform in [lo, hi). */
RNN_API float rnn_rng_uniform(rnn_rng *g, float lo, float hi);

#ifdef __cplusplus
}
#endif
#endif
