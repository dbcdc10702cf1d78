/* params.c - rnn_params: one module's parameters as llm.c holds them, one
 * flat block of values and one of gradients, with the tensor table that
 * names their parts (state_dict names, offsets, shapes) and a version that
 * moves on every change, so whatever is derived from the values (packed
 * weights, a stream's packs) is redone lazily. Every module embeds one. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdio.h>
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
  snprintf(t->name, sizeof t->name, "%s", name);
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

RNN_SMALL_FILE_END
