/* status.c - the status table (C name and JS error code of every status),
 * the last error message, and the entry checks layers share. */
#include "rnn_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

static char last_error[256] = "no error";

int rnn_fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return status;
}

const char *rnn_last_error(void) { return last_error; }

void *rnn_input_cache(void *buf, size_t *cap, uint64_t n, size_t size) {
  if (n > SIZE_MAX / size / 2) return rnn_fail(RNN_E_NOMEM, "input too large: %llu values", (unsigned long long)n), NULL;
  if (n <= *cap && buf) return buf;
  void *p = malloc((n ? (size_t)n : 1) * size);
  if (!p) return rnn_fail(RNN_E_NOMEM, "out of memory caching an input of %llu values", (unsigned long long)n), NULL;
  free(buf);
  *cap = (size_t)n;
  return p;
}

int rnn_backward_ready(const void *layer, const char *what, int have_forward) {
  if (!layer) return rnn_fail(RNN_E_INVALID, "%s is NULL", what);
  if (!have_forward)
    return rnn_fail(RNN_E_STATE, "backward needs a forward first (one backward per forward)");
  return RNN_OK;
}

/* One row per rnn_status, in enum order: the JS wrapper builds its
 * status -> RnnError code table from here at init (js/engine.js). */
static const struct {
  const char *name, *code;
} statuses[RNN_STATUS_COUNT] = {
    {"RNN_OK", "OK"},
    {"RNN_E_INVALID", "INVALID_ARGUMENT"},
    {"RNN_E_SHAPE", "SHAPE"},
    {"RNN_E_STATE", "STATE"},
    {"RNN_E_NOMEM", "OUT_OF_MEMORY"},
    {"RNN_E_UNSUPPORTED", "UNSUPPORTED"},
};

int rnn_status_count(void) { return RNN_STATUS_COUNT; }

const char *rnn_status_name(int status) {
  return status >= 0 && status < RNN_STATUS_COUNT ? statuses[status].name : "RNN_E_UNKNOWN";
}

const char *rnn_status_code(int status) {
  return status >= 0 && status < RNN_STATUS_COUNT ? statuses[status].code : "UNKNOWN";
}

RNN_SMALL_FILE_END
