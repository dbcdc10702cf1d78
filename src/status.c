/* status.c - the status table (C name and JS error code of every status),
 * the last error message, and the entry checks layers share. */
#include "rnn_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

RNN_SMALL_FILE_BEGIN /* per call or per row, not in the products: compiled for size */

static char last_error[256] = "no error";

/* The engine's messages are formatted here, not by vsnprintf: musl's printf
 * (with long-double float formatting) was 8.9 KB of rnn.wasm, 5 KB gzipped,
 * the largest cold code of the download (tests/payload.test.mjs). The
 * conversions the engine uses: %d %s %zu %llu, and %g as printf writes it
 * (6 significant digits, trailing zeros dropped, e-XX below 1e-4 and from
 * 1e6) up to the last digit's rounding. */
typedef struct {
  char *p, *end;
} sink;

static void put(sink *o, char c) {
  if (o->p < o->end) *o->p++ = c;
}
static void puts_(sink *o, const char *s) {
  while (*s) put(o, *s++);
}
static void put_u(sink *o, unsigned long long v, int min_digits) {
  char d[24];
  int n = 0;
  do d[n++] = (char)('0' + v % 10), v /= 10; while (v || n < min_digits);
  while (n) put(o, d[--n]);
}
static void put_g(sink *o, double v) {
  unsigned long long bits;
  memcpy(&bits, &v, sizeof bits);
  if (bits >> 63) put(o, '-'), v = -v; /* -0 and -nan too, as printf */
  if (v != v) return puts_(o, "nan");
  if (v > 1.7976931348623157e308) return puts_(o, "inf");
  int x = 0; /* v = m * 10^x, m in [1, 10) */
  if (v > 0) {
    while (v >= 10) v /= 10, x++;
    while (v < 1) v *= 10, x--;
  }
  unsigned long long digits = (unsigned long long)(v * 1e5 + 0.5);
  if (digits >= 1000000) digits /= 10, x++; /* 9.999995 rounded up */
  const int sci = x < -4 || x >= 6;
  char d[6];
  for (int i = 5; i >= 0; i--) d[i] = (char)('0' + digits % 10), digits /= 10;
  int last = 5; /* the last digit kept: trailing zeros go */
  while (last > 0 && d[last] == '0' && (sci || last > x)) last--;
  if (sci || x < 0) {
    if (!sci) { /* 0.000ddd */
      puts_(o, "0.");
      for (int i = -1; i > x; i--) put(o, '0');
      for (int i = 0; i <= last; i++) put(o, d[i]);
      return;
    }
    put(o, d[0]);
    if (last > 0) put(o, '.');
    for (int i = 1; i <= last; i++) put(o, d[i]);
    put(o, 'e'), put(o, x < 0 ? '-' : '+');
    return put_u(o, (unsigned long long)(x < 0 ? -x : x), 2);
  }
  for (int i = 0; i <= x; i++) put(o, d[i]); /* x in [0, 5] */
  if (last > x) put(o, '.');
  for (int i = x + 1; i <= last; i++) put(o, d[i]);
}

static void vformat(char *buf, size_t size, const char *fmt, va_list ap) {
  sink o = {buf, buf + size - 1};
  for (const char *f = fmt; *f; f++) {
    if (*f != '%') {
      put(&o, *f);
      continue;
    }
    switch (*++f) {
    case 'd': {
      const int v = va_arg(ap, int);
      if (v < 0) put(&o, '-');
      put_u(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 1);
      break;
    }
    case 'z': f++, put_u(&o, va_arg(ap, size_t), 1); break;              /* %zu */
    case 'l': f += 2, put_u(&o, va_arg(ap, unsigned long long), 1); break; /* %llu */
    case 's': puts_(&o, va_arg(ap, const char *)); break;
    case 'g': put_g(&o, va_arg(ap, double)); break;
    default: put(&o, *f); if (!*f) f--; /* %% */
    }
  }
  *o.p = '\0';
}

void rnn_format(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(buf, size, fmt, ap);
  va_end(ap);
}

int rnn_fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(last_error, sizeof last_error, fmt, ap);
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
