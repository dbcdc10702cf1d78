/* parallel.h - fork-join over helper threads (internal; see parallel.c). */
#ifndef RNN_PARALLEL_H
#define RNN_PARALLEL_H

/* A task's share: part in [0, parts); every part runs once per call. */
typedef void (*rnn_task_fn)(void *ctx, int part, int parts);

/* Runs fn over all threads that are ready (part 0 on the caller) and returns
 * when every part is done; with no helpers, fn(ctx, 0, 1). Tasks must give
 * the same result however they are split. Calls from inside a task run alone. */
void rnn_parallel(rnn_task_fn fn, void *ctx);

/* Threads a task may be split over now (parts never exceed it): sizes
 * per-thread scratch. */
int rnn_parallel_slots(void);

/* Rows [0, rows) of a pointwise pass (rows independent of each other),
 * shared out over the threads when there are at least
 * RNN_PARALLEL_MIN_ELEMENTS elements in all; fn(ctx, b0, b1) does rows
 * [b0, b1). */
typedef void (*rnn_rows_fn)(const void *ctx, int b0, int b1);
void rnn_parallel_rows(int rows, double elements, rnn_rows_fn fn, const void *ctx);
#define RNN_PARALLEL_MIN_ELEMENTS 8192.0

/* Worth splitting: work above ~10 us, where one hand-off (~0.3 us) is noise. */
#define RNN_PARALLEL_MIN_FLOPS 200000.0

#endif
