/* status.c - status names and the last error message. */
#include "rnn_internal.h"

#include <stdarg.h>
#include <stdio.h>

static char last_error[256] = "no error";

int rnn_fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return status;
}

const char *rnn_last_error(void) { return last_error; }

const char *rnn_status_name(int status) {
  switch (status) {
  case RNN_OK: return "RNN_OK";
  case RNN_E_INVALID: return "RNN_E_INVALID";
  case RNN_E_SHAPE: return "RNN_E_SHAPE";
  case RNN_E_STATE: return "RNN_E_STATE";
  case RNN_E_NOMEM: return "RNN_E_NOMEM";
  case RNN_E_UNSUPPORTED: return "RNN_E_UNSUPPORTED";
  default: return "RNN_E_UNKNOWN";
  }
}
