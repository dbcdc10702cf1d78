/* gemm.c - packing, blocking drivers and the reference product (see gemm.h);
 * every buffer a product needs is its caller's (no static state but the
 * kernel choice). Packing touches every value of A and B once: it flushes
 * subnormals there, and the microkernels flush C as they store it (flush.h),
 * so no product reads or writes one. */
#include "flush.h"
#include "gemm.h"
#include "parallel.h"
#include "rnn_testing.h"

#include <string.h>

/* Cache blocking. A panel slice of KC k steps (KC * NR floats = 8 KB) stays in
 * L1 while MC rows of A (MC * KC floats = 128 KB, in L2) stream past it.
 * rnn_sgemm packs B KC x NC at a time (1 MB) and, when A is strided along k
 * (A^T in weight gradients), A MC x KC at a time, so its workspace is
 * bounded whatever the shape. */
#define RNN_GEMM_KC 256
#define RNN_GEMM_MC 128
#define RNN_GEMM_NC 1024

#ifdef __wasm_simd128__
#define RNN_GEMM_DEFAULT(tile) rnn_gemm_##tile##__wasmsimd
#define RNN_GEMM_DEFAULT_NAME "rnn_gemm_4x8_pa__wasmsimd"
#else
#define RNN_GEMM_DEFAULT(tile) rnn_gemm_##tile##__scalar
#define RNN_GEMM_DEFAULT_NAME "rnn_gemm_4x8__scalar"
#endif

#ifdef __wasm_simd128__
#define RNN_GEMV_DEFAULT rnn_gemv_1x28__wasmsimd
#define RNN_GEMM_PA_DEFAULT rnn_gemm_4x8_pa__wasmsimd
#else
#define RNN_GEMV_DEFAULT rnn_gemv_1x28__scalar
#define RNN_GEMM_PA_DEFAULT rnn_gemm_4x8__scalar /* strides cover the packed layout */
#endif

static rnn_gemm_ukernel gemm_4x8 = RNN_GEMM_DEFAULT(4x8);
static rnn_gemm_ukernel gemm_1x8 = RNN_GEMM_DEFAULT(1x8);
static rnn_gemm_ukernel gemm_4x8_pa = RNN_GEMM_PA_DEFAULT;
static rnn_gemv_ukernel gemv_1x28 = RNN_GEMV_DEFAULT;
static const char *gemm_name = RNN_GEMM_DEFAULT_NAME;

const char *rnn_gemm_use_scalar(int force_scalar) {
  if (force_scalar) {
    gemm_4x8 = rnn_gemm_4x8__scalar;
    gemm_1x8 = rnn_gemm_1x8__scalar;
    gemm_4x8_pa = rnn_gemm_4x8__scalar;
    gemv_1x28 = rnn_gemv_1x28__scalar;
    gemm_name = "rnn_gemm_4x8__scalar";
  } else {
    gemm_4x8 = RNN_GEMM_DEFAULT(4x8);
    gemm_1x8 = RNN_GEMM_DEFAULT(1x8);
    gemm_4x8_pa = RNN_GEMM_PA_DEFAULT;
    gemv_1x28 = RNN_GEMV_DEFAULT;
    gemm_name = RNN_GEMM_DEFAULT_NAME;
  }
  return gemm_name;
}

static int min_int(int x, int y) { return x < y ? x : y; }

static void zero_c(int M, int N, float *c, ptrdiff_t ldc) {
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) c[m * ldc + n] = 0.0f;
}

static int panel_count(int N) { return (N + RNN_GEMM_NR - 1) / RNN_GEMM_NR; }

size_t rnn_gemm_packed_size(int K, int N) {
  if (K <= 0 || N <= 0) return 0;
  return (size_t)panel_count(N) * RNN_GEMM_NR * (size_t)K;
}

void rnn_gemm_pack_b(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                     float *packed) {
  if (K <= 0 || N <= 0) return;
  for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NR) {
    const int nc = min_int(RNN_GEMM_NR, N - n0);
    for (int k = 0; k < K; k++, packed += RNN_GEMM_NR) {
      const float *brow = b + k * sbk + n0 * sbn;
      if (nc == RNN_GEMM_NR && sbn == 1) { /* B row-major: a plain copy */
        rnn_flush_copy_below(packed, brow, RNN_GEMM_NR, RNN_FLUSH_OPERAND);
        continue;
      }
      int j = 0;
      for (; j < nc; j++) packed[j] = rnn_flush_below(brow[j * sbn], RNN_FLUSH_OPERAND);
      for (; j < RNN_GEMM_NR; j++) packed[j] = 0.0f;
    }
  }
}

void rnn_gemm_pack_b_fn(int K, int N, rnn_pack_get get, const void *ctx,
                        float *packed) {
  if (K <= 0 || N <= 0) return;
  for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NR)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < RNN_GEMM_NR; j++, packed++)
        *packed = n0 + j < N ? rnn_flush_below(get(ctx, k, n0 + j), RNN_FLUSH_OPERAND) : 0.0f;
}

/* ---- single rows (see gemm.h) ---- */

size_t rnn_gemv_packed_size(int K, int N) {
  if (K <= 0 || N <= 0) return 0;
  const int full = N / RNN_GEMV_NR * RNN_GEMV_NR;
  return (size_t)full * K + rnn_gemm_packed_size(K, N - full);
}

/* The tail's columns start at n0 of the whole matrix. */
typedef struct {
  rnn_pack_get get;
  const void *ctx;
  int n0;
} shifted_source;

static float shifted_get(const void *ctx, int k, int n) {
  const shifted_source *s = ctx;
  return s->get(s->ctx, k, s->n0 + n);
}

void rnn_gemv_pack_fn(int K, int N, rnn_pack_get get, const void *ctx, float *packed) {
  if (K <= 0 || N <= 0) return;
  const int full = N / RNN_GEMV_NR * RNN_GEMV_NR;
  for (int n0 = 0; n0 < full; n0 += RNN_GEMV_NR)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < RNN_GEMV_NR; j++) *packed++ = rnn_flush_below(get(ctx, k, n0 + j), RNN_FLUSH_OPERAND);
  const shifted_source tail = {get, ctx, full};
  rnn_gemm_pack_b_fn(K, N - full, shifted_get, &tail, packed);
}

typedef struct {
  const float *b;
  ptrdiff_t sbk, sbn;
} strided_source;

static float strided_get(const void *ctx, int k, int n) {
  const strided_source *s = ctx;
  return s->b[k * s->sbk + n * s->sbn];
}

void rnn_gemv_pack(int K, int N, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                   float *packed) {
  const strided_source src = {b, sbk, sbn};
  rnn_gemv_pack_fn(K, N, strided_get, &src, packed);
}

/* Tail panel t (RNN_GEMM_NR wide, after the full RNN_GEMV_NR-wide ones). */
static void gemv_tail_panel(int N, int K, const float *a, ptrdiff_t sak, const float *packed,
                            float *c, int accumulate, int t) {
  const int full = N / RNN_GEMV_NR * RNN_GEMV_NR, n0 = full + t * RNN_GEMM_NR;
  gemm_1x8(1, min_int(RNN_GEMM_NR, N - n0), K, a, 0, sak,
           packed + (size_t)full * K + (size_t)t * RNN_GEMM_NR * K, c + n0, 0, accumulate);
}

/* Full panels [p0, p1), then (with tail) the tail panels; reverse sweeps the
 * same panels backwards. */
static void gemv_panels(int N, int K, const float *a, ptrdiff_t sak, const float *packed,
                        float *c, int accumulate, int reverse, int p0, int p1, int tail) {
  const rnn_gemv_ukernel k1x28 = gemv_1x28;
  const int tail_panels = tail ? panel_count(N - N / RNN_GEMV_NR * RNN_GEMV_NR) : 0;
  if (reverse)
    for (int t = tail_panels - 1; t >= 0; t--)
      gemv_tail_panel(N, K, a, sak, packed, c, accumulate, t);
  for (int i = 0; i < p1 - p0; i++) {
    const int p = reverse ? p1 - 1 - i : p0 + i;
    k1x28(K, a, sak, packed + (size_t)p * RNN_GEMV_NR * K, c + p * RNN_GEMV_NR, accumulate);
  }
  if (!reverse)
    for (int t = 0; t < tail_panels; t++) gemv_tail_panel(N, K, a, sak, packed, c, accumulate, t);
}

typedef struct {
  int N, K;
  const float *a;
  ptrdiff_t sak;
  const float *packed;
  float *c;
  int accumulate, reverse;
} gemv_job;

static void gemv_task(void *ctx, int part, int parts) {
  const gemv_job *j = ctx;
  const int full_panels = j->N / RNN_GEMV_NR;
  const int p0 = (int)((long long)full_panels * part / parts);
  const int p1 = (int)((long long)full_panels * (part + 1) / parts);
  gemv_panels(j->N, j->K, j->a, j->sak, j->packed, j->c, j->accumulate, j->reverse, p0, p1,
              part == parts - 1);
}

void rnn_gemv_packed_dir(int N, int K, const float *a, ptrdiff_t sak,
                         const float *packed, float *c, int accumulate, int reverse) {
  if (N <= 0) return;
  if (K <= 0) {
    if (!accumulate) zero_c(1, N, c, 0);
    return;
  }
  /* The row's operands flushed as packing does (flush.h), on this stack
   * (helpers read it while this call waits for them). */
  enum { A_MAX = 2048 };
  float a_flushed[A_MAX];
  if (K <= A_MAX) {
    if (sak == 1)
      rnn_flush_copy_below(a_flushed, a, (size_t)K, RNN_FLUSH_OPERAND);
    else
      for (int k = 0; k < K; k++) a_flushed[k] = rnn_flush_below(a[k * sak], RNN_FLUSH_OPERAND);
    a = a_flushed, sak = 1;
  }
  gemv_job job = {N, K, a, sak, packed, c, accumulate, reverse};
  if (2.0 * N * K >= RNN_PARALLEL_MIN_FLOPS && N >= 2 * RNN_GEMV_NR)
    rnn_parallel(gemv_task, &job);
  else
    gemv_task(&job, 0, 1);
}

void rnn_gemv_packed(int N, int K, const float *a, ptrdiff_t sak,
                     const float *packed, float *c, int accumulate) {
  rnn_gemv_packed_dir(N, K, a, sak, packed, c, accumulate, 0);
}

/* Gathers A(m, k), m < M, k < K into MR-row micro-panels: panel b holds
 * A(b*MR + i, k) at b*MR*K + k*MR + i, so a kernel streams it with sam = 1,
 * sak = MR, sab = MR*K. A partial last panel keeps the MR stride. */
#ifdef __wasm_simd128__
/* Four full rows of A (row i at src + i*sam, contiguous in k) into a
 * micro-panel, four k steps per 4x4 transpose, flushed as they pass through
 * registers (flush.h): the strided scalar copy and a second flush pass over
 * the panel cost the per-step products of small cells ~3% (W3 RNN). */
static int pack_rows4_k4(int kn, const float *src, ptrdiff_t sam, float *dst) {
  int k = 0;
  for (; k + 4 <= kn; k += 4, dst += 4 * RNN_GEMM_MR) {
    const v128_t r0 = rnn_flush_below_f32x4(wasm_v128_load(src + k), RNN_FLUSH_OPERAND);
    const v128_t r1 = rnn_flush_below_f32x4(wasm_v128_load(src + sam + k), RNN_FLUSH_OPERAND);
    const v128_t r2 = rnn_flush_below_f32x4(wasm_v128_load(src + 2 * sam + k), RNN_FLUSH_OPERAND);
    const v128_t r3 = rnn_flush_below_f32x4(wasm_v128_load(src + 3 * sam + k), RNN_FLUSH_OPERAND);
    const v128_t lo01 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), lo23 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
    const v128_t hi01 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), hi23 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    wasm_v128_store(dst, wasm_i64x2_shuffle(lo01, lo23, 0, 2));
    wasm_v128_store(dst + RNN_GEMM_MR, wasm_i64x2_shuffle(lo01, lo23, 1, 3));
    wasm_v128_store(dst + 2 * RNN_GEMM_MR, wasm_i64x2_shuffle(hi01, hi23, 0, 2));
    wasm_v128_store(dst + 3 * RNN_GEMM_MR, wasm_i64x2_shuffle(hi01, hi23, 1, 3));
  }
  return k;
}
#endif

/* Gathers A(m, k), m < M, k < K into MR-row micro-panels: panel b holds
 * A(b*MR + i, k) at b*MR*K + k*MR + i, so a kernel streams it with sam = 1,
 * sak = MR, sab = MR*K. A partial last panel keeps the MR stride. The
 * operands are flushed below RNN_FLUSH_OPERAND on the way (flush.h). */
__attribute__((noinline)) /* two callers: one copy in the wasm */
static void pack_a(int M, int K, const float *a, ptrdiff_t sam, ptrdiff_t sak, float *packed) {
  /* A^T rows (fixed k) are contiguous in m, but a panel walks k at a stride
   * of M floats, often a power of two that maps every line to one cache set.
   * Eight k steps at a time keep the lines being read within one set's ways
   * while all panels take their slice from them. */
  enum { K_STEP = 8 };
  for (int k0 = 0; k0 < K; k0 += K_STEP) {
    const int kn = min_int(K_STEP, K - k0);
    for (int m0 = 0; m0 < M; m0 += RNN_GEMM_MR) {
      const int rows = min_int(RNN_GEMM_MR, M - m0);
      const float *src = a + m0 * sam + k0 * sak;
      float *dst = packed + (ptrdiff_t)m0 * K + k0 * RNN_GEMM_MR;
      int k = 0;
#ifdef __wasm_simd128__
      if (rows == RNN_GEMM_MR && sam == 1) /* A^T: a column of the panel is one vector */
        for (; k < kn; k++)
          wasm_v128_store(dst + k * RNN_GEMM_MR,
                          rnn_flush_below_f32x4(wasm_v128_load(src + k * sak), RNN_FLUSH_OPERAND));
      else if (rows == RNN_GEMM_MR && sak == 1)
        k = pack_rows4_k4(kn, src, sam, dst);
#endif
      for (; k < kn; k++)
        for (int i = 0; i < rows; i++)
          dst[k * RNN_GEMM_MR + i] = rnn_flush_below(src[k * sak + i * sam], RNN_FLUSH_OPERAND);
    }
  }
}

/* C (+)= A * B for one K block of kc steps. Row block b (MR rows) of A starts
 * at a + b*sab, with row i at +i*sam and step k at +k*sak; B panel p is at
 * w + p*wps. */
static void gemm_block(int M, int N, int kc, const float *a, ptrdiff_t sam,
                       ptrdiff_t sak, ptrdiff_t sab, const float *w,
                       ptrdiff_t wps, float *c, ptrdiff_t ldc, int accumulate) {
  /* A already in micro-panels (pack_a) takes the one-pointer kernel on
   * full tiles. */
  const int pa = sam == 1 && sak == RNN_GEMM_MR;
  const rnn_gemm_ukernel k1x8 = gemm_1x8;
  /* MC rows at a time (MC x KC of A = 128 KB stays in L2); within them,
   * panels outside and rows inside: a panel slice is loaded once and reused
   * from L1 by every row block. */
  for (int m0 = 0; m0 < M; m0 += RNN_GEMM_MC) {
    const int mc = min_int(RNN_GEMM_MC, M - m0);
    const int blocks = mc / RNN_GEMM_MR, tail = mc % RNN_GEMM_MR;
    const float *am = a + m0 / RNN_GEMM_MR * sab;
    float *cm = c + m0 * ldc;
    for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NR) {
      const int nc = min_int(RNN_GEMM_NR, N - n0);
      const float *wp = w + n0 / RNN_GEMM_NR * wps;
      const float *ab = am;
      float *cb = cm + n0;
      const rnn_gemm_ukernel k4x8 = pa && nc == RNN_GEMM_NR ? gemm_4x8_pa : gemm_4x8;
      for (int b = 0; b < blocks; b++, ab += sab, cb += RNN_GEMM_MR * ldc)
        k4x8(RNN_GEMM_MR, nc, kc, ab, sam, sak, wp, cb, ldc, accumulate);
      for (int i = 0; i < tail; i++)
        k1x8(1, nc, kc, ab + i * sam, sam, sak, wp, cb + i * ldc, ldc,
             accumulate);
    }
  }
}


/* One A block (MC x KC floats) per part, in the caller's workspace. */
#define A_BLOCK_FLOATS ((size_t)RNN_GEMM_MC * RNN_GEMM_KC)

size_t rnn_gemm_packed_workspace_size(void) {
  return (size_t)rnn_parallel_slots() * A_BLOCK_FLOATS;
}

/* Part `part`'s A block, or NULL when the workspace has no room for it. */
static float *a_block_of(float *ws, size_t ws_floats, int part) {
  return ws && (size_t)(part + 1) * A_BLOCK_FLOATS <= ws_floats ? ws + (size_t)part * A_BLOCK_FLOATS
                                                              : NULL;
}

static void gemm_packed_serial(int M, int N, int K, const float *a, ptrdiff_t sam,
                               ptrdiff_t sak, const float *packed, float *c, ptrdiff_t ldc,
                               int accumulate, float *a_block) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { /* empty sum */
    if (!accumulate) zero_c(M, N, c, ldc);
    return;
  }
  /* K blocks only pay off when several kernel calls reuse a panel slice;
   * with one call per panel, streaming whole panels suits the prefetcher.
   * Blocks are of equal size (<= KC): no short last block paying a whole C
   * reload for a few k steps. */
  const int k_blocks = (K + RNN_GEMM_KC - 1) / RNN_GEMM_KC;
  const int kb = M == 1 || M == RNN_GEMM_MR ? K : (K + k_blocks - 1) / k_blocks;
  /* A packed into micro-panels, MC rows at a time, feeds the faster kernel
   * and has its operands flushed (flush.h); the sums are the same, term for
   * term. Fewer than MR rows are packed too, for the flush. */
  if ((size_t)RNN_GEMM_MR * kb > A_BLOCK_FLOATS) a_block = NULL;
  for (int k0 = 0; k0 < K; k0 += kb) {
    const int kc = min_int(kb, K - k0);
    const float *ak = a + k0 * sak;
    const float *wk = packed + (size_t)k0 * RNN_GEMM_NR;
    const ptrdiff_t wps = (ptrdiff_t)K * RNN_GEMM_NR;
    const int acc = accumulate || k0 > 0; /* later K blocks add to the first */
    if (!a_block) {
      gemm_block(M, N, kc, ak, sam, sak, RNN_GEMM_MR * sam, wk, wps, c, ldc, acc);
      continue;
    }
    if (M < RNN_GEMM_MR) {
      /* One to three rows: copied flushed, row by row, for the 1x8 kernel
       * (a micro-panel would make it read A at a stride of MR). */
      for (int i = 0; i < M; i++) {
        float *row = a_block + (size_t)i * kc;
        if (sak == 1)
          rnn_flush_copy_below(row, ak + i * sam, (size_t)kc, RNN_FLUSH_OPERAND);
        else
          for (int k = 0; k < kc; k++) row[k] = rnn_flush_below(ak[i * sam + k * sak], RNN_FLUSH_OPERAND);
      }
      gemm_block(M, N, kc, a_block, kc, 1, (ptrdiff_t)RNN_GEMM_MR * kc, wk, wps, c, ldc, acc);
      continue;
    }
    for (int m0 = 0; m0 < M; m0 += RNN_GEMM_MC) {
      const int mc = min_int(RNN_GEMM_MC, M - m0);
      pack_a(mc, kc, ak + m0 * sam, sam, sak, a_block);
      gemm_block(mc, N, kc, a_block, 1, RNN_GEMM_MR, (ptrdiff_t)RNN_GEMM_MR * kc, wk, wps,
                 c + m0 * ldc, ldc, acc);
    }
  }
}

typedef struct {
  int M, N, K;
  const float *a;
  ptrdiff_t sam, sak;
  const float *packed;
  float *c;
  ptrdiff_t ldc;
  int accumulate;
  float *ws; /* A blocks, one per part (a_block_of) */
  size_t ws_floats;
} gemm_job;

/* A part takes whole panels: its columns are computed exactly as unsplit. */
static void gemm_task(void *ctx, int part, int parts) {
  const gemm_job *j = ctx;
  const int panels = panel_count(j->N);
  const int p0 = (int)((long long)panels * part / parts);
  const int p1 = (int)((long long)panels * (part + 1) / parts);
  if (p0 == p1) return;
  const int n0 = p0 * RNN_GEMM_NR, n1 = min_int(j->N, p1 * RNN_GEMM_NR);
  gemm_packed_serial(j->M, n1 - n0, j->K, j->a, j->sam, j->sak,
                     j->packed + (size_t)p0 * RNN_GEMM_NR * j->K, j->c + n0, j->ldc,
                     j->accumulate, a_block_of(j->ws, j->ws_floats, part));
}

void rnn_gemm_packed(int M, int N, int K, const float *a, ptrdiff_t sam,
                     ptrdiff_t sak, const float *packed, float *c, ptrdiff_t ldc,
                     int accumulate, float *ws, size_t ws_floats) {
  const int split =
      M > 0 && K > 0 && N > RNN_GEMM_NR && 2.0 * M * N * K >= RNN_PARALLEL_MIN_FLOPS;
  gemm_job job = {M, N, K, a, sam, sak, packed, c, ldc, accumulate, ws, ws_floats};
  if (split)
    rnn_parallel(gemm_task, &job);
  else
    gemm_packed_serial(M, N, K, a, sam, sak, packed, c, ldc, accumulate,
                       a_block_of(ws, ws_floats, 0));
}

static size_t packed_b_block_size(int K, int N) {
  return rnn_gemm_packed_size(min_int(K, RNN_GEMM_KC), min_int(N, RNN_GEMM_NC));
}

size_t rnn_gemm_workspace_size(int K, int N) {
  if (K <= 0 || N <= 0) return 0;
  /* one A block per thread that may take part */
  return packed_b_block_size(K, N) +
         (size_t)rnn_parallel_slots() * RNN_GEMM_MC * (size_t)min_int(K, RNN_GEMM_KC);
}

/* One packed B block times rows of A: the rows are shared out in MR-row
 * groups (each row computed exactly as unsplit), each part with its own
 * A block after the B block. */
typedef struct {
  int M, nc, kc, acc, gather_a;
  const float *ak;
  ptrdiff_t sam, sak;
  const float *b_block;
  float *a_blocks, *c;
  size_t a_floats; /* room for A blocks after the B block */
  ptrdiff_t ldc;
} sgemm_job;

static void sgemm_task(void *ctx, int part, int parts) {
  const sgemm_job *j = ctx;
  const int groups = (j->M + RNN_GEMM_MR - 1) / RNN_GEMM_MR;
  const int lo = (int)((long long)groups * part / parts) * RNN_GEMM_MR;
  const int hi = min_int(j->M, (int)((long long)groups * (part + 1) / parts) * RNN_GEMM_MR);
  const ptrdiff_t wps = (ptrdiff_t)j->kc * RNN_GEMM_NR;
  /* a part without room for its A block (more threads than the caller
   * sized the workspace for) reads A in place: the same sums */
  if (!j->gather_a || (size_t)(part + 1) * RNN_GEMM_MC * j->kc > j->a_floats) {
    if (hi > lo)
      gemm_block(hi - lo, j->nc, j->kc, j->ak + lo * j->sam, j->sam, j->sak,
                 RNN_GEMM_MR * j->sam, j->b_block, wps, j->c + lo * j->ldc, j->ldc, j->acc);
    return;
  }
  float *a_block = j->a_blocks + (size_t)part * RNN_GEMM_MC * j->kc;
  for (int m0 = lo; m0 < hi; m0 += RNN_GEMM_MC) {
    const int mc = min_int(RNN_GEMM_MC, hi - m0);
    pack_a(mc, j->kc, j->ak + m0 * j->sam, j->sam, j->sak, a_block);
    gemm_block(mc, j->nc, j->kc, a_block, 1, RNN_GEMM_MR, (ptrdiff_t)RNN_GEMM_MR * j->kc,
               j->b_block, wps, j->c + m0 * j->ldc, j->ldc, j->acc);
  }
}

void rnn_sgemm(int M, int N, int K, const float *a, ptrdiff_t sam, ptrdiff_t sak,
               const float *b, ptrdiff_t sbk, ptrdiff_t sbn, float *c,
               ptrdiff_t ldc, int accumulate, float *workspace, size_t ws_floats) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) zero_c(M, N, c, ldc);
    return;
  }
  float *b_block = workspace;
  const size_t b_floats = packed_b_block_size(K, N);
  const size_t a_floats = ws_floats > b_floats ? ws_floats - b_floats : 0;
  /* A strided along k (A^T: sak = M) would make each kernel touch one cache
   * line per k step, at a power-of-two stride that thrashes cache sets. */
  const int gather_a = sak != 1;
  /* Every element of B is packed exactly once. */
  for (int k0 = 0; k0 < K; k0 += RNN_GEMM_KC) {
    const int kc = min_int(RNN_GEMM_KC, K - k0);
    for (int n0 = 0; n0 < N; n0 += RNN_GEMM_NC) {
      const int nc = min_int(RNN_GEMM_NC, N - n0);
      rnn_gemm_pack_b(kc, nc, b + k0 * sbk + n0 * sbn, sbk, sbn, b_block);
      sgemm_job job = {M, nc, kc, accumulate || k0 > 0, gather_a, a + k0 * sak, sam, sak,
                       b_block, workspace + b_floats, c + n0, a_floats, ldc};
      if (2.0 * M * nc * kc >= RNN_PARALLEL_MIN_FLOPS && M >= 2 * RNN_GEMM_MR)
        rnn_parallel(sgemm_task, &job);
      else
        sgemm_task(&job, 0, 1);
    }
  }
}

void rnn_gemm_ref(int M, int N, int K, const float *a, ptrdiff_t sam,
                  ptrdiff_t sak, const float *b, ptrdiff_t sbk, ptrdiff_t sbn,
                  float *c, ptrdiff_t ldc, int accumulate) {
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      double sum = accumulate ? c[m * ldc + n] : 0.0;
      for (int k = 0; k < K; k++)
        sum += (double)a[m * sam + k * sak] * b[k * sbk + n * sbn];
      c[m * ldc + n] = (float)sum;
    }
}
