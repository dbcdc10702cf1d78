/* test_format.c - rnn_format (status.c), the engine's own formatter of its
 * messages, against the C library's snprintf on every conversion it has:
 * %d %s %zu %llu %%, and %g on fixed and random values (exact ties at the
 * sixth digit excepted: it rounds them half up, printf to even; the
 * messages only need the digits). Last line "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_internal.h"

static int passed, failed;

static void same(const char *want, const char *got) {
  if (!strcmp(want, got)) {
    passed++;
    return;
  }
  if (++failed <= 20) printf("FAIL printf '%s', rnn_format '%s'\n", want, got);
}

/* Is v's seventh significant digit an exact tie (5 then zeros)? */
static int tie(double v) {
  char e[64];
  snprintf(e, sizeof e, "%.30e", fabs(v));
  return e[7] == '5' && strspn(e + 8, "0") >= 23;
}

static void check_g(double v) {
  char want[64], got[64];
  if (tie(v)) return;
  snprintf(want, sizeof want, "got %g.", v);
  rnn_format(got, sizeof got, "got %g.", v);
  same(want, got);
}

int main(void) {
  const double fixed[] = {0, -0.0, 1, -1, 0.1, 0.5, -0.5, 1.5, 2, 10, 100, 123456, 999999, 1e6, 1234567,
                          1e-4, 1.2345e-4, 9.99999e-5, 1e-5, 1.5e-5, 3e-7, 1e-300, 5e-324, 1e300, 0.3,
                          0.999, 0.9999995, 9.999995, 99999.95, 0.05, 0.001, 2e-3, 0.1234567, 3.14159265,
                          65504, 0.25, 44100, 8000.5, 0.97, 1e-10, 1.7976931348623157e308, NAN, -NAN,
                          INFINITY, -INFINITY};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) check_g(fixed[i]);
  srand(7);
  for (int i = 0; i < 100000; i++) {
    const double v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 60 - 30);
    check_g(v);
    check_g((float)v); /* the engine's values are floats */
  }
  char want[128], got[128];
  snprintf(want, sizeof want, "x %d %d %d %s %zu %llu %% y", -5, 0, -2147483647 - 1, "str", (size_t)123,
           18446744073709551615ull);
  rnn_format(got, sizeof got, "x %d %d %d %s %zu %llu %% y", -5, 0, -2147483647 - 1, "str", (size_t)123,
             18446744073709551615ull);
  same(want, got);
  rnn_format(got, 8, "%s and more", "truncated");
  same("truncat", got);
  rnn_format(got, 12, "%d%d", 123456, 789012);
  same("12345678901", got);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
