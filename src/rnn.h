/* rnn.h - the public C API of rnn-wasm: recurrent layers (RNN, LSTM, GRU)
 * with PyTorch's parameter layout and numerics, BPTT, and optimizers.
 * The thread host's entry points are in rnn_threads.h, test-only hooks in
 * rnn_testing.h.
 *
 * Conventions
 * - Every function that can fail returns rnn_status; nothing aborts or exits
 *   on bad input. rnn_last_error() holds a message naming the problem.
 * - Activations are time-major: x[T][B][inputSize], output[T][B][D*H],
 *   h0/hN[numLayers*D][B][H] (index layer*D + direction), as in PyTorch with
 *   batch_first=False (the JS wrapper handles batch-first layouts).
 * - Every module (model, Linear, Embedding) holds its parameters in one
 *   rnn_params: flat values and gradients in state_dict order, with names
 *   and shapes, and one set of functions for all (rnn_params_*).
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
/* The C API that the JavaScript wrapper does not call: kept out of the shipped
 * wasm (unless the engine uses it itself), there for C programs and tests. */
#define RNN_C_API

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RNN_OK = 0,
  RNN_E_INVALID = 1, /* an argument is out of range or inconsistent */
  RNN_E_SHAPE = 2,   /* sizes do not match the model */
  RNN_E_STATE = 3,   /* call out of order (e.g. backward before forward) */
  RNN_E_NOMEM = 4,   /* allocation failed (wasm memory limit) */
  RNN_E_UNSUPPORTED = 5, /* a valid option this build does not implement */
  RNN_STATUS_COUNT
} rnn_status;

/* Statuses 0 .. rnn_status_count() - 1: each has a C name ("RNN_E_SHAPE")
 * and the code the JS wrapper's RnnError carries ("SHAPE"); out of range
 * gives "RNN_E_UNKNOWN" / "UNKNOWN". */
RNN_API int rnn_status_count(void);
RNN_C_API const char *rnn_status_name(int status);
RNN_API const char *rnn_status_code(int status);
/* Message for the most recent failure on this thread (static buffer). */
RNN_API const char *rnn_last_error(void);

typedef enum {
  RNN_CELL_RNN_TANH = 0,
  RNN_CELL_RNN_RELU = 1,
  RNN_CELL_LSTM = 2,
  RNN_CELL_GRU = 3,
  /* minGRU / minLSTM (Feng et al. 2024): gates of x only, a linear scan in h;
   * _LOG: the paper's log-space variant (positive candidate g(h~)). No
   * weight_hh / bias_hh; weight_ih rows (z, h~) or (f, i, h~). */
  RNN_CELL_MIN_GRU = 4,
  RNN_CELL_MIN_LSTM = 5,
  RNN_CELL_MIN_GRU_LOG = 6,
  RNN_CELL_MIN_LSTM_LOG = 7
} rnn_cell;

/* The gates' squashing function of an LSTM or GRU (the candidate and the
 * cell output keep tanh). The hard sigmoids are those of TensorFlow.js and
 * Keras 2 (clip(0.2 x + 0.5, 0, 1)) and of Keras 3 and torch's Hardsigmoid
 * (relu6(x + 3) / 6); their derivative in BPTT is the slope (0.2, 1/6) where
 * the gate is strictly between 0 and 1, and 0 where it is clipped. */
typedef enum {
  RNN_GATE_SIGMOID = 0,
  RNN_GATE_HARD_SIGMOID = 1,        /* clip(0.2 x + 0.5, 0, 1) */
  RNN_GATE_HARD_SIGMOID_KERAS3 = 2, /* relu6(x + 3) / 6 */
  RNN_GATE_COUNT
} rnn_gate_activation;

typedef struct rnn_model rnn_model;

/* A module's parameters (every module has one: rnn_model_parameters,
 * rnn_linear_parameters, rnn_embedding_parameters): one flat float array of
 * values and one of gradients, in state_dict order. Backward accumulates into
 * the gradients; rnn_params_zero_grad clears them. After writing values
 * directly (loading, optimizer steps) call rnn_params_changed: whatever the
 * module derived from them (packed weights) is redone before its next use. */
typedef struct rnn_params rnn_params;
RNN_C_API size_t rnn_params_count(const rnn_params *p);
RNN_API float *rnn_params_values(rnn_params *p);
RNN_API float *rnn_params_grads(rnn_params *p);
RNN_API int rnn_params_num_tensors(const rnn_params *p);
/* Tensor i in state_dict order: its name ("weight_ih_l0", ...), offset into
 * values/grads (in floats), and shape (rows, cols; cols = 1 for biases).
 * Returns the number of dims (1 or 2; 3 for a depthwise convolution's
 * [rows, 1, cols]), or 0 when i is out of range. */
RNN_API int rnn_params_tensor(const rnn_params *p, int i, const char **name,
                              size_t *offset, int *rows, int *cols);
RNN_API void rnn_params_changed(rnn_params *p);
/* Moves on every rnn_params_changed (copies made at another are stale). */
RNN_C_API unsigned rnn_params_version(const rnn_params *p);
RNN_API void rnn_params_zero_grad(rnn_params *p);
/* int8 inference (qgemm.h): on = 1 rounds every 2-D "weight*" tensor to
 * int8 with a float32 scale per row (the values become scale * q) and makes
 * the owner's forward products int8; backward then fails with RNN_E_STATE.
 * Non-finite weights, or rows longer than 131072, fail with RNN_E_INVALID
 * and change nothing (on = 2 makes these checks only). on = 0 returns to float32 products (the values stay
 * rounded). */
RNN_API int rnn_params_quantize(rnn_params *p, int on);
RNN_API int rnn_params_quantized(const rnn_params *p);
/* Where the int8 products come from when they are not linked in (the
 * shipped wasm engines): js/int8.js puts rnn-int8*.wasm's exports in this
 * module's function table and passes their indices, in the order of
 * rnn_int8_ops (rnn_internal.h). Until then quantizing fails with RNN_E_STATE. */
RNN_API int rnn_int8_attach(const void *ops);

typedef struct {
  int cell;          /* rnn_cell */
  int input_size;
  int hidden_size;   /* H */
  int num_layers;
  int bidirectional; /* 0 or 1: D = 1 or 2 directions */
  int bias;          /* 0 or 1: bias_ih and bias_hh (min cells: bias_ih) */
  int proj_size;     /* LSTM only: 0, or P < H (h_t = W_hr (o * tanh c_t)) */
  float dropout;     /* on each layer's output but the last, in training; [0, 1) */
  uint32_t seed;     /* weight init and dropout masks */
  int gate_activation; /* LSTM and GRU only: rnn_gate_activation (0: sigmoid) */
  int reset_before;  /* GRU only: 1 = the reset gate before the recurrent
                      * product, n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
                      * (Keras reset_after=False, TF.js, ONNX
                      * linear_before_reset=0); 0 = PyTorch's r * (W_hn h + b_hn) */
} rnn_model_config;

/* Create a recurrent stack. Weights and biases start U(-1/sqrt(H), 1/sqrt(H))
 * from a generator seeded with cfg->seed (same seed, same weights,
 * everywhere). It starts in training mode. */
RNN_C_API int rnn_model_create(const rnn_model_config *cfg, rnn_model **out);
/* The same with the fields as arguments, for callers that cannot lay out C
 * structs (the JS wrapper): no byte offsets cross the boundary. */
RNN_API int rnn_model_new(int cell, int input_size, int hidden_size, int num_layers,
                          int bidirectional, int bias, int proj_size, float dropout,
                          uint32_t seed, int gate_activation, int reset_before,
                          rnn_model **out);
RNN_API void rnn_model_destroy(rnn_model *m);
/* Training mode applies dropout between layers; evaluation mode does not. */
RNN_API void rnn_model_set_training(rnn_model *m, int training);
/* The dropout generator's state (4 words), to save and restore: the same
 * state gives the same masks (checkpoints, gradient checks). */
RNN_API void rnn_model_get_rng(const rnn_model *m, uint32_t state[4]);
RNN_API void rnn_model_set_rng(rnn_model *m, const uint32_t state[4]);

/* The model's parameters (one rnn_params for every module, below). */
RNN_API rnn_params *rnn_model_parameters(rnn_model *m);

/* Forward over a whole sequence. With Hout = proj_size or H: x[T][B][I],
 * output[T][B][D*Hout], h0/hN[L*D][B][Hout], c0/cN[L*D][B][H].
 * lengths (NULL: all T) gives pack_padded_sequence semantics: sequence b runs
 * over its first lengths[b] steps only (the reverse direction starts at its
 * own last step), output is 0 at t >= lengths[b], and hN/cN hold each
 * sequence's true final states; lengths need not be sorted.
 * h0/c0 may be NULL (zeros); c0/cN are for LSTM only. output, hN and cN may
 * be NULL (a caller that reads only the final state skips the copy).
 * The activations needed by backward are kept inside the model. */
/* *x = the model's own input buffer for a forward of T x B (x[T][B][I]),
 * grown as needed; a caller that fills it and passes it as x saves a copy.
 * Valid until the next call on the model. It ends the cached forward
 * (backward then needs a new one). */
RNN_API int rnn_model_input(rnn_model *m, int T, int B, float **x);
RNN_API int rnn_model_forward(rnn_model *m, int T, int B, const float *x,
                              const int32_t *lengths, const float *h0,
                              const float *c0, float *output, float *hN,
                              float *cN);
/* BPTT through the last forward. d_output, d_hN, d_cN may be NULL (zeros);
 * gradients arriving at padded output positions are ignored.
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

RNN_C_API int rnn_optimizer_create(int kind, const rnn_opt_config *cfg, int nseg,
                                 float *const *params, float *const *grads,
                                 const size_t *counts, rnn_optimizer **out);
/* rnn_optimizer_create with the config fields as arguments (the JS wrapper). */
RNN_API int rnn_optimizer_new(int kind, double lr, double beta1, double beta2, double eps,
                              double weight_decay, int amsgrad, double momentum,
                              double dampening, int nesterov, int nseg,
                              float *const *params, float *const *grads,
                              const size_t *counts, rnn_optimizer **out);
RNN_API void rnn_optimizer_destroy(rnn_optimizer *o);
RNN_API int rnn_optimizer_step(rnn_optimizer *o);
RNN_API void rnn_optimizer_set_lr(rnn_optimizer *o, double lr);
RNN_API int64_t rnn_optimizer_steps(const rnn_optimizer *o);
/* The optimizer's state, for checkpoints: moment buffer `which` (0: exp_avg
 * or SGD's momentum buffer, 1: exp_avg_sq, 2: max_exp_avg_sq), each
 * rnn_optimizer_state_size floats in parameter order, or NULL when this
 * optimizer has no such buffer; and the step count (steps = 0 restarts the
 * lazily initialised state, as a fresh torch.optim optimizer). */
RNN_API size_t rnn_optimizer_state_size(const rnn_optimizer *o);
RNN_API float *rnn_optimizer_moment(rnn_optimizer *o, int which);
RNN_API void rnn_optimizer_set_steps(rnn_optimizer *o, int64_t steps);

/* torch.nn.utils.clip_grad_norm_ (L2): scales the gradients in place by
 * min(1, max_norm / (norm + 1e-6)) and writes the norm before clipping to
 * *norm (as float32, like torch). RNN_E_INVALID when max_norm is not a
 * number >= 0 (nothing is touched). */
RNN_API int rnn_clip_grad_norm(int nseg, float *const *grads, const size_t *counts,
                               double max_norm, double *norm);

/* Seeded generator (xoshiro128**, seeded through splitmix64). */
typedef struct {
  uint32_t s[4];
} rnn_rng;
RNN_API void rnn_rng_seed(rnn_rng *g, uint64_t seed);
RNN_API uint32_t rnn_rng_u32(rnn_rng *g);
/* Uniform in [lo, hi). */
RNN_API float rnn_rng_uniform(rnn_rng *g, float lo, float hi);

/* Layers and losses (linear.c, embedding.c, dropout.c, layernorm.c, loss.c) */

/* nn.Linear: y = x W^T + b. One flat parameter array, state_dict order:
 * "weight" [out][in], then "bias" [out] (when bias). Init as PyTorch: weight
 * then bias U(-1/sqrt(in), 1/sqrt(in)) from rnn_rng seeded with seed. The
 * weight is packed once per rnn_params_changed. */
typedef struct rnn_linear rnn_linear;
RNN_API int rnn_linear_create(int in_features, int out_features, int bias,
                              uint32_t seed, rnn_linear **out);
RNN_API void rnn_linear_destroy(rnn_linear *l);
RNN_API rnn_params *rnn_linear_parameters(rnn_linear *l);
/* x[rows][in] -> y[rows][out] (rows >= 0); keeps a copy of x for backward,
 * unless x is rnn_linear_input's buffer (filled by the caller: no copy). */
RNN_API int rnn_linear_input(rnn_linear *l, int rows, float **x);
RNN_API int rnn_linear_forward(rnn_linear *l, int rows, const float *x, float *y);
/* dy[rows][out] of the last forward: writes dx[rows][in] (dx may be NULL)
 * and accumulates the weight and bias gradients. One backward per forward. */
RNN_API int rnn_linear_backward(rnn_linear *l, const float *dy, float *dx);

/* nn.Embedding: "weight" [num][dim], init N(0, 1) (Box-Muller from rnn_rng,
 * see embedding.c). With has_padding, padding_idx in [-num, num) (negative
 * counts from the end) names a row that starts at zero and never receives
 * gradient. */
typedef struct rnn_embedding rnn_embedding;
RNN_API int rnn_embedding_create(int num_embeddings, int embedding_dim,
                                 int has_padding, int padding_idx,
                                 uint32_t seed, rnn_embedding **out);
RNN_API void rnn_embedding_destroy(rnn_embedding *e);
RNN_API rnn_params *rnn_embedding_parameters(rnn_embedding *e);
/* The padding row in [0, num), or -1 without one. */
RNN_C_API int rnn_embedding_padding_idx(const rnn_embedding *e);
/* y[n][dim] = weight[ids[i]]; every id is checked (RNN_E_INVALID naming the
 * first bad one and its position) before anything is written. The ids are
 * kept for backward: a caller that writes them into rnn_embedding_input's
 * buffer (n ids) and passes that saves the copy. */
RNN_API int rnn_embedding_input(rnn_embedding *e, int n, int32_t **ids);
RNN_API int rnn_embedding_forward(rnn_embedding *e, int n, const int32_t *ids,
                                  float *y);
/* Scatter-adds dy[n][dim] of the last forward into the weight gradient. */
RNN_API int rnn_embedding_backward(rnn_embedding *e, const float *dy);

/* Inverted-dropout mask: one rnn_rng_u32 per element in index order; element
 * i is 1/(1-p) when u >= p * 2^32 (kept, probability 1-p), else 0. p <= 0
 * keeps all, p >= 1 drops all. */
RNN_C_API void rnn_dropout_mask(rnn_rng *g, float p, size_t n, float *scale_out);

/* nn.Dropout, p in [0, 1): in training y = x * a fresh rnn_dropout_mask
 * from its own generator (seeded with seed), kept for backward
 * (dx = dy * mask); otherwise y = x and dx = dy. y may be x, dx may be dy.
 * rnn_dropout_rng: the generator's 4 state words, to save and restore. */
typedef struct rnn_dropout rnn_dropout;
RNN_API int rnn_dropout_create(float p, uint32_t seed, rnn_dropout **out);
RNN_API void rnn_dropout_destroy(rnn_dropout *d);
RNN_API uint32_t *rnn_dropout_rng(rnn_dropout *d);
RNN_API int rnn_dropout_forward(rnn_dropout *d, int training, size_t n, const float *x,
                                float *y);
RNN_API int rnn_dropout_backward(rnn_dropout *d, const float *dy, float *dx);

/* nn.LayerNorm over the last dimension (layernorm.c): "weight" [dim] (ones)
 * and "bias" [dim] (zeros). x[rows][dim] -> y (y may be x):
 * (x - mean) / sqrt(var + eps) per row, biased variance, then weight and
 * bias. Backward (dx may be dy) accumulates their gradients. */
typedef struct rnn_layernorm rnn_layernorm;
RNN_API int rnn_layernorm_create(int dim, float eps, rnn_layernorm **out);
RNN_API void rnn_layernorm_destroy(rnn_layernorm *l);
RNN_API rnn_params *rnn_layernorm_parameters(rnn_layernorm *l);
RNN_API int rnn_layernorm_forward(rnn_layernorm *l, int rows, const float *x, float *y);
RNN_API int rnn_layernorm_backward(rnn_layernorm *l, const float *dy, float *dx);

/* A depthwise causal convolution over time (causal_conv.c): nn.Conv1d(C, C,
 * k, groups = C) with k - 1 zeros of left padding, cut to the input's length.
 * "weight" [C][1][k], then "bias" [C] (when bias), both U(-1/sqrt(k),
 * 1/sqrt(k)) from rnn_rng seeded with seed. x[B][T][C] -> y[B][T][C], steps
 * at or past lengths[b] (NULL: all T) give 0. context [B][k - 1][C] holds the
 * inputs before t = 0 (NULL: zeros); context_out (may be NULL) gets each
 * sequence's last k - 1 inputs up to its length, the next chunk's context.
 * Backward (dx may be NULL, not dy) accumulates the weight and bias
 * gradients; none flows into the context. */
typedef struct rnn_causalconv rnn_causalconv;
RNN_API int rnn_causalconv_create(int channels, int kernel, int bias, uint32_t seed, rnn_causalconv **out);
RNN_API void rnn_causalconv_destroy(rnn_causalconv *l);
RNN_API rnn_params *rnn_causalconv_parameters(rnn_causalconv *l);
RNN_API int rnn_causalconv_forward(rnn_causalconv *l, int B, int T, const float *x, const int32_t *lengths,
                                   const float *context, float *y, float *context_out);
RNN_API int rnn_causalconv_backward(rnn_causalconv *l, const float *dy, float *dx);

/* Losses with torch.nn.functional semantics, computed in double. *loss gets
 * the mean or the sum; with RNN_REDUCTION_NONE the per-element losses go to
 * elems (float32, may be NULL) and *loss gets their sum. grad (may be NULL)
 * is d loss / d input, for NONE of the sum of the elements. */
typedef enum {
  RNN_REDUCTION_NONE = 0,
  RNN_REDUCTION_MEAN = 1,
  RNN_REDUCTION_SUM = 2
} rnn_reduction;
RNN_API int rnn_mse_loss(size_t n, const float *input, const float *target,
                         int reduction, double *loss, float *elems, float *grad);
/* pos_weight (may be NULL) has pw_len values broadcast along the last
 * dimension: element i uses pos_weight[i % pw_len]. */
RNN_API int rnn_bce_with_logits_loss(size_t n, const float *input,
                                     const float *target, const float *pos_weight,
                                     size_t pw_len, int reduction, double *loss,
                                     float *elems, float *grad);
/* logits[N][C][S] (S = 1 for [N, C]), target[N][S] class indices; targets
 * equal to ignore_index count for nothing (the mean divides by the others);
 * label_smoothing in [0, 1]. elems has N*S entries. */
RNN_API int rnn_cross_entropy_loss(int N, int C, int S, const float *logits,
                                   const int32_t *target, int ignore_index,
                                   double label_smoothing, int reduction,
                                   double *loss, float *elems, float *grad);
/* CTC (ctc.c): torch.nn.functional.ctc_loss. x[T][B][C] ([B][T][C] with
 * batch_first) log-probabilities (from_logits = 0) or logits that a
 * log_softmax over C turns into them (from_logits = 1); targets[B][S] padded label rows, input_lengths[B] in
 * [0, T], target_lengths[B] in [0, min(S, input length)]; labels in [0, C),
 * never the blank. Mean divides each sequence's loss by its target length
 * (at least 1), then by B. elems has B entries; grad (x's layout) is PyTorch's
 * gradient (the logits' one when they come through a log_softmax), 0 at
 * steps past a sequence's input length. An impossible alignment costs +inf,
 * or 0 (and a zero gradient) with zero_infinity. */
RNN_API int rnn_ctc_loss(int T, int B, int C, const float *x, const int32_t *targets, int S,
                         const int32_t *input_lengths, const int32_t *target_lengths, int blank,
                         int reduction, int zero_infinity, int from_logits, int batch_first,
                         double *loss, float *elems, float *grad);

/* Log-mel filterbank features (fbank.c), Kaldi's as torchaudio's
 * compliance.kaldi.fbank computes them. window: 0 Povey, 1 Hann, 2 Hamming;
 * frame_length and frame_shift in samples; high_freq <= 0 counts down from
 * the Nyquist frequency; log(max(energy, log_floor)). rnn_fbank_compute
 * writes rnn_fbank_frames(f, n) frames [frames][bins] of a whole clip (edges
 * snipped); rnn_fbank_push takes a stream's next n samples and writes the
 * frames they complete (the same frames; *frames of them, at most
 * max_frames, else RNN_E_SHAPE and nothing taken); rnn_fbank_reset starts a
 * new stream. */
typedef struct rnn_fbank rnn_fbank;
RNN_API int rnn_fbank_new(int sample_rate, int frame_length, int frame_shift, int bins, int window,
                          double low_freq, double high_freq, double preemphasis, int remove_dc,
                          double log_floor, rnn_fbank **out);
RNN_API void rnn_fbank_destroy(rnn_fbank *f);
RNN_C_API int rnn_fbank_bins(const rnn_fbank *f);
RNN_API size_t rnn_fbank_frames(const rnn_fbank *f, size_t n);
RNN_API int rnn_fbank_compute(rnn_fbank *f, const float *x, size_t n, float *out);
RNN_API int rnn_fbank_push(rnn_fbank *f, const float *x, size_t n, float *out, size_t max_frames,
                           size_t *frames);
RNN_API void rnn_fbank_reset(rnn_fbank *f);

/* Streaming and gate taps (stream.c; forward taps in model.c)
 *
 * A stream runs a unidirectional model one time step at a time with its
 * state (h, and c for LSTM) kept inside the stream: online inference. It is
 * always in evaluation mode (no dropout) and computes what
 * rnn_model_forward computes over the same sequence (to rounding: each layer
 * step is one fused product [x_t, 1, h_{t-1}] * [W_ih | b_ih + b_hh | W_hh]^T
 * packed by the stream). The stream repacks by itself when the model's
 * parameters change (rnn_params_changed). Destroy a model's streams
 * before the model; destroying a stream never touches its model.
 * Steps allocate nothing. */
typedef struct rnn_stream rnn_stream;

/* batch >= 1 sequences side by side, state zero. taps != 0 keeps each
 * layer's gate activations for rnn_stream_taps. Bidirectional models:
 * RNN_E_UNSUPPORTED. */
RNN_API int rnn_stream_create(rnn_model *m, int batch, int taps, rnn_stream **out);
RNN_API void rnn_stream_destroy(rnn_stream *s);
/* Buffers owned by the stream, for callers without their own memory (the JS
 * wrapper): input [steps][B][I], output [steps][B][Hout], for up to `steps`
 * steps per rnn_stream_run (1 after create; rnn_stream_reserve grows them,
 * which moves them), and staging: room for rnn_stream_get_state's h and c
 * ([L][B][Hout] then [L][B][H]) or one layer's rnn_stream_taps. */
RNN_API int rnn_stream_reserve(rnn_stream *s, int steps);
RNN_API float *rnn_stream_input(rnn_stream *s);
RNN_API float *rnn_stream_output(rnn_stream *s);
RNN_API float *rnn_stream_staging(rnn_stream *s);
/* One step: x[B][I] -> y[B][Hout] (the last layer's h_t); the state advances. */
RNN_API int rnn_stream_step(rnn_stream *s, const float *x, float *y);
/* steps >= 1 steps in one call: xs[steps][B][I] -> ys[steps][B][Hout]. */
RNN_API int rnn_stream_run(rnn_stream *s, int steps, const float *xs, float *ys);
/* State to zeros (and taps to zeros). */
RNN_API void rnn_stream_reset(rnn_stream *s);
/* h[L][B][Hout], c[L][B][H] (LSTM; may be NULL). Setting with h or c NULL
 * sets that part to zeros. */
RNN_API void rnn_stream_get_state(const rnn_stream *s, float *h, float *c);
RNN_API void rnn_stream_set_state(rnn_stream *s, const float *h, const float *c);
/* Layer `layer`'s internals at the last step, each block [B][.]: the gate
 * activations (LSTM i, f, g, o; GRU r, z, n; Elman none), each [B][H], then
 * LSTM c [B][H], then h [B][Hout]. RNN_E_STATE without taps. */
RNN_API int rnn_stream_taps(const rnn_stream *s, int layer, float *dst);

/* Gate blocks in a tap record: 4 (LSTM), 3 (GRU), 0 (Elman). */
RNN_C_API int rnn_model_num_tap_gates(const rnn_model *m);
/* Direction `direction` (index layer * D + d) of the last forward, before its
 * backward (which overwrites the cache: RNN_E_STATE after it), all steps:
 * gate activations [gates][T][B][H], then LSTM c [T][B][H], then h
 * [T][B][Hout] (this direction's output). Steps past a sequence's length
 * are zeros. Costs nothing unless called: the cache holds these anyway. */
RNN_API int rnn_model_forward_taps(const rnn_model *m, int direction, float *dst);

#ifdef __cplusplus
}
#endif
#endif
