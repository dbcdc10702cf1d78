/* rnn_threads.h - the thread host's side of the multi-threaded build
 * (dist/rnn-mt.wasm; js/threads.js runs it): starting, parking and stopping
 * helper threads. Implemented in parallel.c. */
#ifndef RNN_THREADS_H
#define RNN_THREADS_H

#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Large products are split by columns over helper threads; every output is
 * computed exactly as on one thread, so results are bitwise the same.
 * A host starts helper id (1..15) on its own thread, on the same shared
 * memory with its own stack, and calls rnn_thread_main(id) in a loop. It
 * returns RNN_THREAD_IDLE after a few ms without work: the host then sleeps
 * until the int at rnn_threads_seq() differs from the one at
 * rnn_threads_done(id) (Atomics.wait, with a timeout) and calls it again.
 * It returns RNN_OK after rnn_threads_stop(), and RNN_E_UNSUPPORTED in a
 * single-threaded build. Helpers allocate nothing. */
#define RNN_THREAD_IDLE (-1)
RNN_API int rnn_thread_main(int id);
RNN_API int *rnn_threads_seq(void);
RNN_API int *rnn_threads_done(int id);
RNN_API void rnn_threads_stop(void);
/* Threads that can take part: 1 + helpers inside rnn_thread_main. */
RNN_API int rnn_threads_active(void);
/* Products that ran split over helpers so far (a helper asleep or still
 * waking leaves a call to the caller alone). */
RNN_API int rnn_threads_split_calls(void);

#ifdef __cplusplus
}
#endif
#endif
