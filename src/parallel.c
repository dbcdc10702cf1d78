/* parallel.c - fork-join over the helper threads of the multi-threaded build.
 *
 * The host (js/threads.js) starts each helper as a Web Worker / worker_thread
 * that instantiates the same module on the same shared memory, gives it a
 * stack, and calls rnn_thread_main(id) in a loop: it returns RNN_THREAD_IDLE
 * after a few ms without work, and the host sleeps in Atomics.wait on
 * rnn_threads_seq() until the next job (a JS wait: memory.atomic.wait32 in
 * wasm compiled by V8's baseline tier, Node 20, never woke up). Only the
 * calling thread allocates; helpers run task parts on caller-owned buffers.
 *
 * Protocol (all wasm atomics are sequentially consistent): the caller writes
 * the job, then bumps seq; helper i runs its part and stores done[i] = seq.
 * A helper spins on seq for a while (a step of a stream arrives within
 * microseconds), then sleeps. The caller never waits for a sleeping or
 * still-waking helper: it wakes it and does that job alone, so an occasional
 * call never pays a wake-up (0.2-7 ms measured in Node), and a burst of calls
 * runs split from its second call on. Browsers forbid waiting on the main thread;
 * the caller only spins, and only while helpers are working. */
#include "parallel.h"
#include "rnn_testing.h"
#include "rnn_threads.h"

#include <stddef.h>

#define MAX_HELPERS 15

#ifdef __wasm_atomics__
#include <stdatomic.h>

/* a few ms of polling before a helper goes back to its host to sleep */
#define SPIN_LIMIT (1 << 23) /* ~2 ms at ~4 loads per ns */

static struct {
  _Atomic int seq;  /* job number; the caller is its only writer */
  _Atomic int quit;
  _Atomic int live; /* helpers that joined and have not stopped */
  _Atomic int done[MAX_HELPERS + 1];
  _Atomic int asleep[MAX_HELPERS + 1];
  int joined[MAX_HELPERS + 1]; /* written by that helper only */
  rnn_task_fn fn;
  void *ctx;
  int parts;
} pool;

static int running; /* caller side: a task is in progress (nested calls run alone) */
#endif

static int split_calls; /* calls that ran on more than one thread */

static int emulated_parts = 1;

void rnn_parallel_emulate(int parts) {
  emulated_parts = parts < 1 ? 1 : parts > MAX_HELPERS + 1 ? MAX_HELPERS + 1 : parts;
}

int rnn_parallel_slots(void) {
  const int threads = rnn_threads_active();
  return threads > emulated_parts ? threads : emulated_parts;
}

static void run_alone(rnn_task_fn fn, void *ctx) {
  /* Tests split the work on one thread to check that a split changes nothing. */
  for (int p = 0; p < emulated_parts; p++) fn(ctx, p, emulated_parts);
}

#ifdef __wasm_atomics__
int rnn_thread_main(int id) {
  if (id < 1 || id > MAX_HELPERS) return RNN_E_INVALID;
  if (!pool.joined[id]) {
    pool.joined[id] = 1;
    atomic_store(&pool.done[id], atomic_load(&pool.seq));
    atomic_fetch_add(&pool.live, 1);
  }
  atomic_store(&pool.asleep[id], 0);
  int seen = atomic_load(&pool.done[id]);
  for (int spins = 0;;) {
    const int s = atomic_load(&pool.seq);
    if (s != seen) {
      if (id < pool.parts) pool.fn(pool.ctx, id, pool.parts);
      atomic_store(&pool.done[id], s);
      seen = s, spins = 0;
      continue;
    }
    if (atomic_load(&pool.quit)) {
      pool.joined[id] = 0;
      atomic_fetch_sub(&pool.live, 1);
      return RNN_OK;
    }
    if (++spins >= SPIN_LIMIT) {
      atomic_store(&pool.asleep[id], 1);
      return RNN_THREAD_IDLE;
    }
  }
}

int *rnn_threads_seq(void) { return (int *)&pool.seq; }
int *rnn_threads_done(int id) { return (int *)&pool.done[id < 1 || id > MAX_HELPERS ? 0 : id]; }

void rnn_threads_stop(void) {
  atomic_store(&pool.quit, 1);
  /* and an empty job, so that a helper about to sleep on seq sees it move */
  pool.parts = 0;
  atomic_fetch_add(&pool.seq, 1);
  __builtin_wasm_memory_atomic_notify((int *)&pool.seq, MAX_HELPERS);
}

int rnn_threads_active(void) { return 1 + atomic_load(&pool.live); }

static void publish(rnn_task_fn fn, void *ctx, int parts, int seq) {
  pool.fn = fn, pool.ctx = ctx, pool.parts = parts;
  atomic_store(&pool.seq, seq);
}

void rnn_parallel(rnn_task_fn fn, void *ctx) {
  const int helpers = atomic_load(&pool.live);
  if (helpers == 0 || running || emulated_parts > 1) {
    run_alone(fn, ctx);
    return;
  }
  const int s = atomic_load(&pool.seq);
  int ready = 1, sleeping = 0;
  for (int i = 1; i <= helpers; i++) {
    if (atomic_load(&pool.done[i]) != s) ready = 0; /* still waking from a nudge */
    if (atomic_load(&pool.asleep[i])) sleeping = 1;
  }
  if (!ready || sleeping) {
    if (ready) { /* a job with one part: helpers wake and only acknowledge it */
      publish(fn, ctx, 1, s + 1);
      __builtin_wasm_memory_atomic_notify((int *)&pool.seq, MAX_HELPERS);
    }
    running = 1;
    fn(ctx, 0, 1);
    running = 0;
    return;
  }
  const int parts = helpers + 1;
  split_calls++;
  publish(fn, ctx, parts, s + 1);
  /* A helper that went to sleep between the check above and the publish
   * needs a wake-up (seq_cst: it either saw the new seq or set asleep). */
  for (int i = 1; i <= helpers; i++)
    if (atomic_load(&pool.asleep[i])) {
      __builtin_wasm_memory_atomic_notify((int *)&pool.seq, MAX_HELPERS);
      break;
    }
  running = 1;
  fn(ctx, 0, parts);
  running = 0;
  for (int i = 1; i <= helpers; i++)
    while (atomic_load(&pool.done[i]) != s + 1) {
    }
}

#else /* single-threaded build: no helpers */

int rnn_thread_main(int id) {
  (void)id;
  return RNN_E_UNSUPPORTED;
}
int *rnn_threads_seq(void) { return NULL; }
int *rnn_threads_done(int id) {
  (void)id;
  return NULL;
}
void rnn_threads_stop(void) {}
int rnn_threads_active(void) { return 1; }
void rnn_parallel(rnn_task_fn fn, void *ctx) { run_alone(fn, ctx); }

#endif

int rnn_threads_split_calls(void) { return split_calls; }

typedef struct {
  int rows;
  rnn_rows_fn fn;
  const void *ctx;
} rows_job;

static void rows_task(void *ctx, int part, int parts) {
  const rows_job *j = ctx;
  const int b0 = (int)((long long)j->rows * part / parts);
  const int b1 = (int)((long long)j->rows * (part + 1) / parts);
  if (b1 > b0) j->fn(j->ctx, b0, b1);
}

void rnn_parallel_rows(int rows, double elements, rnn_rows_fn fn, const void *ctx) {
  if (rows <= 0) return;
  rows_job job = {rows, fn, ctx};
  if (rows > 1 && elements >= RNN_PARALLEL_MIN_ELEMENTS)
    rnn_parallel(rows_task, &job);
  else
    fn(ctx, 0, rows);
}
