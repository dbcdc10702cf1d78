/* gemm_wasmsimd.c - WebAssembly SIMD128 f32 GEMM microkernels ("loadsplat").
 *
 * Per k step each row broadcasts one A value straight from memory
 * (v128.load32_splat, a single vbroadcastss on x86 with AVX) and multiplies it
 * by the two v128 halves of the packed 8-wide B row. The 4x8 tile keeps 8
 * accumulators + 2 B vectors + splats inside x86's 16 XMM registers; wider
 * tiles spill under V8. Compiles to nothing without -msimd128.
 */
#include "gemm.h"

#if defined(__wasm_simd128__) && !defined(RNN_KERNELS_IMPORTED)
#include <wasm_simd128.h>

#include "flush.h"

/* acc + a*b. Kept as a macro so the relaxed-SIMD kernel module
 * (src/relaxed/kernels.c) swaps in wasm_f32x4_relaxed_madd (FMA) without
 * touching the kernels. */
#ifndef RNN_MADD
#define RNN_MADD(a, b, acc) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (acc))
#endif

/* C (+)= the first nc columns of the first mr rows of tile. The kernels store
 * their accumulators to tile before this loop runs because V8 spills a v128
 * value that is live across any loop at its definition, i.e. on every
 * iteration of the hot k loop (measured: 35 -> 42 GFLOP/s when fixed). */
static void store_tile_tail(int mr, int nc, float *c, ptrdiff_t ldc,
                            float tile[][RNN_GEMM_NR], int accumulate) {
  for (int r = 0; r < mr; r++, c += ldc)
    for (int j = 0; j < nc; j++)
      c[j] = rnn_flush(accumulate ? c[j] + tile[r][j] : tile[r][j]);
}

/* C[0..7] (+)= lo:hi for one full row. Every store of C is flushed (flush.h). */
static void store_row8(float *c, v128_t lo, v128_t hi, int accumulate) {
  if (accumulate) {
    lo = wasm_f32x4_add(lo, wasm_v128_load(c));
    hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
  }
  wasm_v128_store(c, rnn_flush_f32x4(lo));
  wasm_v128_store(c + 4, rnn_flush_f32x4(hi));
}

void rnn_gemm_4x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate) {
  /* Rows past mr alias the row before them: the hot loop has no row
   * branches; the duplicate rows are computed but never stored. */
  const float *a0 = a;
  const float *a1 = mr > 1 ? a0 + sam : a0;
  const float *a2 = mr > 2 ? a1 + sam : a1;
  const float *a3 = mr > 3 ? a2 + sam : a2;

  v128_t acc0l = wasm_f32x4_splat(0.0f), acc0h = acc0l;
  v128_t acc1l = acc0l, acc1h = acc0l;
  v128_t acc2l = acc0l, acc2h = acc0l;
  v128_t acc3l = acc0l, acc3h = acc0l;
  int k = kc;
  do {
    const v128_t bl = wasm_v128_load(w);
    const v128_t bh = wasm_v128_load(w + 4);
    w += RNN_GEMM_NR;
    /* Row by row, so only one broadcast is live at a time (V8 has 15 XMM
     * registers for 8 accumulators, 2 B halves and temporaries). */
    v128_t va = wasm_v128_load32_splat(a0);
    acc0l = RNN_MADD(va, bl, acc0l);
    acc0h = RNN_MADD(va, bh, acc0h);
    va = wasm_v128_load32_splat(a1);
    acc1l = RNN_MADD(va, bl, acc1l);
    acc1h = RNN_MADD(va, bh, acc1h);
    va = wasm_v128_load32_splat(a2);
    acc2l = RNN_MADD(va, bl, acc2l);
    acc2h = RNN_MADD(va, bh, acc2h);
    va = wasm_v128_load32_splat(a3);
    acc3l = RNN_MADD(va, bl, acc3l);
    acc3h = RNN_MADD(va, bh, acc3h);
    a0 += sak;
    a1 += sak;
    a2 += sak;
    a3 += sak;
  } while (--k != 0);

  if (mr == RNN_GEMM_MR && nc == RNN_GEMM_NR) { /* the hot case: no aliasing */
    store_row8(c, acc0l, acc0h, accumulate);
    store_row8(c + ldc, acc1l, acc1h, accumulate);
    store_row8(c + 2 * ldc, acc2l, acc2h, accumulate);
    store_row8(c + 3 * ldc, acc3l, acc3h, accumulate);
  } else {
    float tile[RNN_GEMM_MR][RNN_GEMM_NR];
    wasm_v128_store(tile[0], acc0l);
    wasm_v128_store(tile[0] + 4, acc0h);
    wasm_v128_store(tile[1], acc1l);
    wasm_v128_store(tile[1] + 4, acc1h);
    wasm_v128_store(tile[2], acc2l);
    wasm_v128_store(tile[2] + 4, acc2h);
    wasm_v128_store(tile[3], acc3l);
    wasm_v128_store(tile[3] + 4, acc3h);
    store_tile_tail(mr, nc, c, ldc, tile, accumulate);
  }
}

void rnn_gemm_4x8_pa__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                               ptrdiff_t sak, const float *w, float *c, ptrdiff_t ldc,
                               int accumulate) {
  /* A in an MR-row micro-panel (sam = 1, sak = MR; see gemm.h): one pointer
   * feeds all four broadcasts through constant offsets. Four row pointers
   * cost V8 five adds per k step, and the loop is bound by instruction
   * count: 43 -> 52 GFLOP/s at M=32, N=1024, K=288 (unrolling k by two,
   * with either layout, spills: 32). The loop ends on a pointer compare: a
   * count-down loop of the same body ran at 44 under V8 11.3, in all six
   * operation orders tried. */
  (void)mr, (void)nc, (void)sam, (void)sak; /* full tiles only: mr == MR, nc == NR */
  v128_t acc0l = wasm_f32x4_splat(0.0f), acc0h = acc0l;
  v128_t acc1l = acc0l, acc1h = acc0l;
  v128_t acc2l = acc0l, acc2h = acc0l;
  v128_t acc3l = acc0l, acc3h = acc0l;
  const float *const w_end = w + (ptrdiff_t)kc * RNN_GEMM_NR;
  do {
    const v128_t bl = wasm_v128_load(w);
    const v128_t bh = wasm_v128_load(w + 4);
    w += RNN_GEMM_NR;
    v128_t va = wasm_v128_load32_splat(a);
    acc0l = RNN_MADD(va, bl, acc0l);
    acc0h = RNN_MADD(va, bh, acc0h);
    va = wasm_v128_load32_splat(a + 1);
    acc1l = RNN_MADD(va, bl, acc1l);
    acc1h = RNN_MADD(va, bh, acc1h);
    va = wasm_v128_load32_splat(a + 2);
    acc2l = RNN_MADD(va, bl, acc2l);
    acc2h = RNN_MADD(va, bh, acc2h);
    va = wasm_v128_load32_splat(a + 3);
    acc3l = RNN_MADD(va, bl, acc3l);
    acc3h = RNN_MADD(va, bh, acc3h);
    a += RNN_GEMM_MR;
  } while (w != w_end);

  store_row8(c, acc0l, acc0h, accumulate);
  store_row8(c + ldc, acc1l, acc1h, accumulate);
  store_row8(c + 2 * ldc, acc2l, acc2h, accumulate);
  store_row8(c + 3 * ldc, acc3l, acc3h, accumulate);
}

void rnn_gemm_1x8__wasmsimd(int mr, int nc, int kc, const float *a, ptrdiff_t sam,
                            ptrdiff_t sak, const float *w, float *c,
                            ptrdiff_t ldc, int accumulate) {
  (void)mr, (void)sam; /* one row, by contract */
  /* With one row, 2 accumulators would leave the loop bound by the add
   * latency: k steps rotate over 3 accumulator pairs, summed at the end.
   * (Unrolling by 4 is slower: V8 hoists all the loads and spills.) */
  v128_t acc0l = wasm_f32x4_splat(0.0f), acc0h = acc0l;
  v128_t acc1l = acc0l, acc1h = acc0l;
  v128_t acc2l = acc0l, acc2h = acc0l;
  int k = kc;
  for (; k >= 3; k -= 3) {
    v128_t va = wasm_v128_load32_splat(a);
    acc0l = RNN_MADD(va, wasm_v128_load(w), acc0l);
    acc0h = RNN_MADD(va, wasm_v128_load(w + 4), acc0h);
    va = wasm_v128_load32_splat(a + sak);
    acc1l = RNN_MADD(va, wasm_v128_load(w + 8), acc1l);
    acc1h = RNN_MADD(va, wasm_v128_load(w + 12), acc1h);
    va = wasm_v128_load32_splat(a + 2 * sak);
    acc2l = RNN_MADD(va, wasm_v128_load(w + 16), acc2l);
    acc2h = RNN_MADD(va, wasm_v128_load(w + 20), acc2h);
    a += 3 * sak;
    w += 3 * RNN_GEMM_NR;
  }
  for (; k != 0; k--) {
    const v128_t va = wasm_v128_load32_splat(a);
    a += sak;
    acc0l = RNN_MADD(va, wasm_v128_load(w), acc0l);
    acc0h = RNN_MADD(va, wasm_v128_load(w + 4), acc0h);
    w += RNN_GEMM_NR;
  }
  acc0l = wasm_f32x4_add(wasm_f32x4_add(acc0l, acc1l), acc2l);
  acc0h = wasm_f32x4_add(wasm_f32x4_add(acc0h, acc1h), acc2h);

  if (nc == RNN_GEMM_NR) {
    store_row8(c, acc0l, acc0h, accumulate);
  } else {
    float tile[1][RNN_GEMM_NR];
    wasm_v128_store(tile[0], acc0l);
    wasm_v128_store(tile[0] + 4, acc0h);
    store_tile_tail(1, nc, c, ldc, tile, accumulate);
  }
}

void rnn_gemv_1x28__wasmsimd(int kc, const float *a, ptrdiff_t sak,
                             const float *w, float *c, int accumulate) {
  /* Seven accumulators fed by one broadcast per k step, one pointer through
   * the interleaved panel, one loop. Eight (1x32), or k unrolled with two
   * sets, made V8 spill (measured 12-20 GFLOP/s against ~43 here). */
  v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  v128_t acc4 = acc0, acc5 = acc0, acc6 = acc0;
  int k = kc;
  do {
    const v128_t va = wasm_v128_load32_splat(a);
    acc0 = RNN_MADD(va, wasm_v128_load(w), acc0);
    acc1 = RNN_MADD(va, wasm_v128_load(w + 4), acc1);
    acc2 = RNN_MADD(va, wasm_v128_load(w + 8), acc2);
    acc3 = RNN_MADD(va, wasm_v128_load(w + 12), acc3);
    acc4 = RNN_MADD(va, wasm_v128_load(w + 16), acc4);
    acc5 = RNN_MADD(va, wasm_v128_load(w + 20), acc5);
    acc6 = RNN_MADD(va, wasm_v128_load(w + 24), acc6);
    a += sak;
    w += RNN_GEMV_NR;
  } while (--k != 0);
  if (accumulate) {
    acc0 = wasm_f32x4_add(acc0, wasm_v128_load(c));
    acc1 = wasm_f32x4_add(acc1, wasm_v128_load(c + 4));
    acc2 = wasm_f32x4_add(acc2, wasm_v128_load(c + 8));
    acc3 = wasm_f32x4_add(acc3, wasm_v128_load(c + 12));
    acc4 = wasm_f32x4_add(acc4, wasm_v128_load(c + 16));
    acc5 = wasm_f32x4_add(acc5, wasm_v128_load(c + 20));
    acc6 = wasm_f32x4_add(acc6, wasm_v128_load(c + 24));
  }
  wasm_v128_store(c, rnn_flush_f32x4(acc0));
  wasm_v128_store(c + 4, rnn_flush_f32x4(acc1));
  wasm_v128_store(c + 8, rnn_flush_f32x4(acc2));
  wasm_v128_store(c + 12, rnn_flush_f32x4(acc3));
  wasm_v128_store(c + 16, rnn_flush_f32x4(acc4));
  wasm_v128_store(c + 20, rnn_flush_f32x4(acc5));
  wasm_v128_store(c + 24, rnn_flush_f32x4(acc6));
}

#else
/* ISO C forbids an empty translation unit (the scalar build; the relaxed
 * engine, which imports these kernels). */
typedef int rnn_gemm_wasmsimd_unused;
#endif
