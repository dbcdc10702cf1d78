/* params.c - rnn_params: one module's parameters as llm.c holds them, one
 * flat block of values and one of gradients, with the tensor table that
 * names their parts (state_dict names, offsets, shapes) and a version that
 * moves on every change, so whatever is derived from the values (packed
 * weights, a stream's packs) is redone lazily. Every module embeds one. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

int rnn_params_init(rnn_params *p, int max_tensors) {
  memset(p, 0, sizeof *p);
  p->version = 1; /* owners start at 0: the first use packs */
  p->tensors = calloc((size_t)max_tensors, sizeof *p->tensors);
  if (!p->tensors) return rnn_fail(RNN_E_NOMEM, "out of memory for a tensor table");
  p->max_tensors = max_tensors;
  return RNN_OK;
}

size_t rnn_params_add(rnn_params *p, const char *name, int rows, int cols, int dims) {
  rnn_tensor *t = &p->tensors[p->ntensors++];
  rnn_format(t->name, sizeof t->name, "%s", name);
  t->offset = p->count, t->rows = rows, t->cols = cols, t->dims = dims;
  p->count += (size_t)rows * cols;
  return t->offset;
}

int rnn_params_alloc(rnn_params *p) {
  p->values = malloc((p->count ? p->count : 1) * sizeof(float));
  p->grads = calloc(p->count ? p->count : 1, sizeof(float));
  if (!p->values || !p->grads)
    return rnn_fail(RNN_E_NOMEM, "out of memory for %zu parameters", p->count);
  return RNN_OK;
}

void rnn_params_free(rnn_params *p) {
  free(p->values);
  free(p->grads);
  free(p->tensors);
  memset(p, 0, sizeof *p);
}

size_t rnn_params_count(const rnn_params *p) { return p->count; }
float *rnn_params_values(rnn_params *p) { return p->values; }
float *rnn_params_grads(rnn_params *p) { return p->grads; }
int rnn_params_num_tensors(const rnn_params *p) { return p->ntensors; }

int rnn_params_tensor(const rnn_params *p, int i, const char **name, size_t *offset,
                      int *rows, int *cols) {
  if (i < 0 || i >= p->ntensors) return 0;
  const rnn_tensor *t = &p->tensors[i];
  if (name) *name = t->name;
  if (offset) *offset = t->offset;
  if (rows) *rows = t->rows;
  if (cols) *cols = t->cols;
  return t->dims;
}

/* Values written from outside (a loaded state dict, a user's edit) enter
 * here: subnormals among them are flushed (flush.h). */
void rnn_params_changed(rnn_params *p) {
  rnn_flush_array(p->values, p->count);
  p->version++;
}
unsigned rnn_params_version(const rnn_params *p) { return p->version; }

void rnn_params_zero_grad(rnn_params *p) { memset(p->grads, 0, p->count * sizeof(float)); }

static int is_weight(const rnn_tensor *t) { return t->dims == 2 && !strncmp(t->name, "weight", 6); }

int rnn_params_quantize(rnn_params *p, int on) {
  if (!p) return rnn_fail(RNN_E_INVALID, "NULL argument");
  if (on && !rnn_int8.pack)
    return rnn_fail(RNN_E_STATE, "the int8 code is not loaded: call await rnn.loadInt8() first");
  if (on) {
    /* check everything first: a failure leaves the values as they were */
    for (int i = 0; i < p->ntensors; i++) {
      const rnn_tensor *t = &p->tensors[i];
      if (!is_weight(t)) continue;
      if (t->cols > RNN_QGEMM_MAX_K)
        return rnn_fail(RNN_E_INVALID, "cannot quantize %s: rows of %d values (at most %d)", t->name,
                        t->cols, RNN_QGEMM_MAX_K);
      for (size_t k = 0; k < (size_t)t->rows * t->cols; k++)
        if (!isfinite(p->values[t->offset + k]))
          return rnn_fail(RNN_E_INVALID, "cannot quantize %s: value %zu is not finite", t->name, k);
    }
    if (on == 2) return RNN_OK; /* the check alone */
    for (int i = 0; i < p->ntensors; i++) {
      const rnn_tensor *t = &p->tensors[i];
      float *v = p->values + t->offset;
      if (is_weight(t))
        for (int r = 0; r < t->rows; r++) rnn_int8.snap_row(t->cols, v + (size_t)r * t->cols);
      else /* biases: bfloat16, as int8 files hold them */
        for (size_t k = 0; k < (size_t)t->rows * t->cols; k++) v[k] = rnn_bf16(v[k]);
    }
  }
  p->quantized = on != 0;
  p->version++;
  return RNN_OK;
}
int rnn_params_quantized(const rnn_params *p) { return p->quantized; }

int rnn_params_trainable(const rnn_params *p, const char *what) {
  if (p->quantized)
    return rnn_fail(RNN_E_STATE, "%s is quantized (int8, inference only): dequantize it to train", what);
  return RNN_OK;
}

int rnn_qblock_reserve(void **block, size_t *cap, size_t bytes) {
  if (bytes <= *cap) return RNN_OK;
  void *b = malloc(bytes);
  if (!b) return rnn_fail(RNN_E_NOMEM, "out of memory for int8 weights (%zu bytes)", bytes);
  free(*block);
  *block = b, *cap = bytes;
  return RNN_OK;
}

RNN_SMALL_FILE_END
