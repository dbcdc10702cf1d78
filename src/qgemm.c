/* qgemm.c - int8 products (qgemm.h): W quantized and packed once per weight
 * change, A quantized row by row into the caller's workspace, then the
 * microkernels. Packing is cold (compiled for size); quantizing A and the
 * drivers run every step. Built with RNN_QGEMM_C4, the same code drives the
 * c4 flavour (qgemm.h: int8 panels by 4 k, 7-bit offset activations; the
 * relaxed kernels, or the scalar ones with RNN_QGEMM_C4_SCALAR). */
#include "qgemm.h"
#include "rnn_internal.h"

#include <string.h>

#ifdef RNN_QGEMM_C4
typedef int8_t qw_t;  /* packed weights */
typedef uint8_t qa_t; /* quantized activations, offset */
#define KR RNN_QGEMM_C4_KR
#define QMAX RNN_QGEMM_C4_QMAX
#define QOFF RNN_QGEMM_C4_OFFSET
#define WSUM(p) p, /* the c4 kernels' row sums argument */
#if defined(__wasm_relaxed_simd__) && !defined(RNN_QGEMM_C4_SCALAR)
#define DEFAULT_1X16 rnn_qgemm_1x16c4__wasmrelaxed
#define DEFAULT_4X8 rnn_qgemm_4x8c4__wasmrelaxed
#define DEFAULT2_1X16 rnn_qgemm2_1x16c4__wasmrelaxed
#else
#define DEFAULT_1X16 rnn_qgemm_1x16c4__scalar
#define DEFAULT_4X8 rnn_qgemm_4x8c4__scalar
#define DEFAULT2_1X16 rnn_qgemm2_1x16c4__scalar
#endif
#else
typedef int16_t qw_t;
typedef int16_t qa_t;
#define KR RNN_QGEMM_KR
#define QMAX 127
#define QOFF 0
#define WSUM(p)
#ifdef __wasm_simd128__
#define DEFAULT_1X16 rnn_qgemm_1x16c2__wasmsimd
#define DEFAULT_4X8 rnn_qgemm_4x8c2__wasmsimd
#define DEFAULT2_1X16 rnn_qgemm2_1x16c2__wasmsimd
#else
#define DEFAULT_1X16 rnn_qgemm_1x16c2__scalar
#define DEFAULT_4X8 rnn_qgemm_4x8c2__scalar
#define DEFAULT2_1X16 rnn_qgemm2_1x16c2__scalar
#endif
#endif

#if defined(RNN_INT8_MODULE) || defined(RNN_QGEMM_C4)
/* rnn-int8*.wasm (build.sh) holds no variable: its data would land on the
 * engine's memory. The kernels are the build's. */
#define qgemm_1x16 DEFAULT_1X16
#define qgemm_4x8 DEFAULT_4X8
#define qgemm2_1x16 DEFAULT2_1X16
#else
static rnn_qgemm_ukernel qgemm_1x16 = DEFAULT_1X16, qgemm_4x8 = DEFAULT_4X8;
static rnn_qgemm2_ukernel qgemm2_1x16 = DEFAULT2_1X16;

void rnn_qgemm_use_scalar(int force_scalar) {
  qgemm_1x16 = force_scalar ? rnn_qgemm_1x16c2__scalar : DEFAULT_1X16;
  qgemm_4x8 = force_scalar ? rnn_qgemm_4x8c2__scalar : DEFAULT_4X8;
  qgemm2_1x16 = force_scalar ? rnn_qgemm2_1x16c2__scalar : DEFAULT2_1X16;
}
#endif

#define MB 64         /* rows of A quantized at a time */
#define SA_BYTES 256  /* the block's row scales, before its rows */
#define ROUND(n, r) (((n) + (r) - 1) / (r) * (r))

static int padded_k(int K) { return ROUND(K, RNN_QGEMM_KP); }
static int padded_n(int N) { return ROUND(N, RNN_QGEMM_NR); }

/* The scale of a row whose largest magnitude is amax, and qmax / amax; a
 * row below RNN_FLUSH_OPERAND counts as zeros (flush.h). */
static inline float row_scale(float amax, float qmax, float *inv) {
  if (!(amax >= RNN_FLUSH_OPERAND)) {
    *inv = 0.0f;
    return 0.0f;
  }
  *inv = qmax / amax;
  return rnn_flush(amax / qmax);
}

/* A weight row's scale: row_scale rounded to bfloat16 (rnn_bf16, so int8
 * files store it in 2 bytes exactly) and 1 / scale. |v| / scale stays
 * below 127.5 (the rounding moves the scale by at most 2^-9), and a row of
 * scale * q values gets the same scale and q again. */
static inline float weight_scale(float amax, float *inv) {
  const float s = rnn_bf16(row_scale(amax, 127.0f, inv));
  *inv = s > 0.0f ? 1.0f / s : 0.0f;
  return s;
}

static inline int16_t quantize(float v, float inv) { return (int16_t)nearbyintf(v * inv); }

/* One row of A (the activations' rule: QMAX, offset by QOFF): returns the
 * scale, writes qa[0..K). */
static float quantize_a(int K, const float *v, qa_t *qa) {
  float amax = 0.0f, probe = 0.0f; /* probe: NaN when a value is NaN or infinite */
  int k = 0;
#ifdef __wasm_simd128__
  v128_t vmax = wasm_f32x4_splat(0.0f), vprobe = vmax;
  for (; k + 4 <= K; k += 4) {
    const v128_t x = wasm_v128_load(v + k);
    vmax = wasm_f32x4_pmax(vmax, wasm_f32x4_abs(x));
    vprobe = wasm_f32x4_add(vprobe, wasm_f32x4_mul(x, wasm_f32x4_splat(0.0f)));
  }
  float lanes[4], probes[4];
  wasm_v128_store(lanes, vmax);
  wasm_v128_store(probes, vprobe);
  for (int i = 0; i < 4; i++) amax = amax < lanes[i] ? lanes[i] : amax, probe += probes[i];
#endif
  RNN_TAIL_LOOP
  for (int i = k; i < K; i++) {
    const float a = fabsf(v[i]);
    amax = amax < a ? a : amax;
    probe += v[i] * 0.0f;
  }
  if (probe != 0.0f) {
    memset(qa, QOFF, (size_t)K * sizeof(qa_t));
    return NAN;
  }
  float inv;
  const float scale = row_scale(amax, QMAX, &inv);
  k = 0;
#if defined(__wasm_simd128__) && QOFF
  /* nearest(v * inv) + 64 is exact in float32 (|v * inv| <= 63) */
  const v128_t vinv = wasm_f32x4_splat(inv), voff = wasm_f32x4_splat(QOFF);
#define Q4(i) wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(v + k + (i)), vinv)), voff))
  for (; k + 16 <= K; k += 16)
    wasm_v128_store(qa + k, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(Q4(0), Q4(4)), wasm_i16x8_narrow_i32x4(Q4(8), Q4(12))));
#undef Q4
#elif defined(__wasm_simd128__)
  const v128_t vinv = wasm_f32x4_splat(inv);
  for (; k + 8 <= K; k += 8) {
    const v128_t lo = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(v + k), vinv)));
    const v128_t hi = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(v + k + 4), vinv)));
    wasm_v128_store(qa + k, wasm_i16x8_narrow_i32x4(lo, hi));
  }
#endif
  RNN_TAIL_LOOP
  for (; k < K; k++) qa[k] = (qa_t)(quantize(v[k], inv) + QOFF);
  return scale;
}

#ifndef RNN_QGEMM_C4
float rnn_quantize_row(int K, const float *v, int16_t *qa) { return quantize_a(K, v, qa); }
#endif

size_t rnn_qgemm_workspace_size(int K) {
  const size_t row = (size_t)padded_k(K) * sizeof(qa_t);
  size_t rows = (256 << 10) / row;
  rows = rows < 1 ? 1 : rows > MB ? MB : rows;
  return SA_BYTES + (rows + 4) * row; /* + 4 rows to interleave from */
}

/* Rows r0..r3 of qa (Kp each) as the 4x8 kernel takes them: per group of
 * KR k, the 4 rows' groups side by side ([Kp / KR][4][KR]), so the kernel's
 * 4 broadcasts are at fixed offsets (no address arithmetic per row in its
 * loop). */
static void interleave4(int Kp, const qa_t *rows, qa_t *quad) {
  for (int p = 0; p < Kp / KR; p++)
    for (int r = 0; r < 4; r++) memcpy(quad + 4 * KR * p + KR * r, rows + (size_t)r * Kp + KR * p, KR * sizeof(qa_t));
}

void rnn_qgemm_packed(int M, int N, int K, const float *a, ptrdiff_t lda, const void *packed,
                      float *c, ptrdiff_t ldc, int accumulate, void *ws, size_t ws_bytes) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  const int Kp = padded_k(K);
  const float *sw = packed;
  const int32_t *wsum = (const int32_t *)(sw + padded_n(N));
  (void)wsum; /* c2: no row sums */
  const qw_t *qw = (const qw_t *)((const char *)packed + (size_t)padded_n(N) * 8);
  float *sa = ws;
  qa_t *tmp = (qa_t *)((char *)ws + SA_BYTES), *qa = tmp + 4 * (size_t)Kp;
  size_t room = (ws_bytes - SA_BYTES) / ((size_t)Kp * sizeof(qa_t)) - 4;
  const int mb = room > MB ? MB : (int)room;
  for (int m0 = 0; m0 < M; m0 += mb) {
    const int n = M - m0 < mb ? M - m0 : mb;
    /* quads of rows interleaved for 4x8c2, the rest (n % 4) plain */
    for (int r = 0; r < n; r++) {
      const int quad = r < n / 4 * 4;
      qa_t *row = quad ? tmp + (size_t)(r % 4) * Kp : qa + (size_t)r * Kp;
      sa[r] = quantize_a(K, a + (m0 + r) * lda, row);
      memset(row + K, QOFF, (size_t)(Kp - K) * sizeof(qa_t));
      if (quad && r % 4 == 3) interleave4(Kp, tmp, qa + (size_t)(r - 3) * Kp);
    }
    /* panel by panel: one panel (K = 256: 16 KB) stays in L1 while the
     * block's rows pass it, four at a time */
    for (int j = 0; j < N; j += RNN_QGEMM_NR) {
      const int nc = N - j < RNN_QGEMM_NR ? N - j : RNN_QGEMM_NR;
      const qw_t *panel = qw + (size_t)j * Kp;
      float *cj = c + m0 * ldc + j;
      int r = 0;
      for (; r + 4 <= n; r += 4)
        for (int h = 0; h < nc; h += 8)
          qgemm_4x8(nc - h < 8 ? nc - h : 8, Kp, qa + (size_t)r * Kp, sa + r, panel + h * KR, WSUM(wsum + j + h)
                    sw + j + h, cj + r * ldc + h, ldc, accumulate);
      for (; r < n; r++)
        qgemm_1x16(nc, Kp, qa + (size_t)r * Kp, sa + r, panel, WSUM(wsum + j) sw + j, cj + r * ldc, ldc, accumulate);
    }
  }
}

void rnn_qgemv2_packed(int N, int K1, const float *a1, const void *packed1, int K2, const float *a2,
                       const void *packed2, const float *bias, float *c, void *ws, size_t ws_bytes) {
  (void)ws_bytes;
  if (N <= 0 || K1 <= 0 || K2 <= 0) return;
  const int Kp1 = padded_k(K1), Kp2 = padded_k(K2);
  const size_t skip = (size_t)padded_n(N) * 8; /* the scales and row sums before the panels */
  const float *sw1 = packed1, *sw2 = packed2;
  const int32_t *ws1 = (const int32_t *)(sw1 + padded_n(N)), *ws2 = (const int32_t *)(sw2 + padded_n(N));
  const qw_t *qw1 = (const qw_t *)((const char *)packed1 + skip), *qw2 = (const qw_t *)((const char *)packed2 + skip);
  qa_t *q1 = (qa_t *)((char *)ws + SA_BYTES), *q2 = q1 + Kp1;
  const float s1 = quantize_a(K1, a1, q1), s2 = quantize_a(K2, a2, q2);
  memset(q1 + K1, QOFF, (size_t)(Kp1 - K1) * sizeof(qa_t));
  memset(q2 + K2, QOFF, (size_t)(Kp2 - K2) * sizeof(qa_t));
  (void)ws1, (void)ws2;
  for (int j = 0; j < N; j += RNN_QGEMM_NR)
    qgemm2_1x16(N - j < RNN_QGEMM_NR ? N - j : RNN_QGEMM_NR, Kp1, q1, s1, qw1 + (size_t)j * Kp1, WSUM(ws1 + j) sw1 + j,
                Kp2, q2, s2, qw2 + (size_t)j * Kp2, WSUM(ws2 + j) sw2 + j, bias ? bias + j : NULL, c + j);
}

RNN_SMALL_FILE_BEGIN

size_t rnn_qgemm_packed_size(int K, int N) {
  const size_t Np = (size_t)padded_n(N);
  return Np * (sizeof(float) + sizeof(int32_t)) + Np * (size_t)padded_k(K) * sizeof(qw_t);
}

void rnn_qgemm_pack(int K, int N, rnn_pack_get get, const void *ctx, void *packed) {
  const int Kp = padded_k(K), Np = padded_n(N);
  float *sw = packed;
  int32_t *wsum = (int32_t *)(sw + Np);
  qw_t *qw = (qw_t *)(wsum + Np);
  memset(packed, 0, rnn_qgemm_packed_size(K, N));
  for (int n = 0; n < N; n++) {
    float amax = 0.0f, probe = 0.0f, inv;
    for (int k = 0; k < K; k++) {
      const float v = get(ctx, k, n), m = fabsf(v);
      amax = amax < m ? m : amax;
      probe += v * 0.0f;
    }
    sw[n] = probe != 0.0f ? NAN : weight_scale(amax, &inv);
    if (probe != 0.0f) continue;
    qw_t *panel = qw + (size_t)(n / RNN_QGEMM_NR) * Kp * RNN_QGEMM_NR;
    int32_t sum = 0;
    for (int k = 0; k < K; k++) {
      const int16_t q = quantize(get(ctx, k, n), inv);
      panel[(size_t)(k / KR) * RNN_QGEMM_NR * KR + (n % RNN_QGEMM_NR) * KR + k % KR] = (qw_t)q;
      sum += q;
    }
    wsum[n] = sum;
  }
}

void rnn_qgemm_snap_row(int K, float *row) {
  float amax = 0.0f, inv;
  for (int k = 0; k < K; k++) amax = amax < fabsf(row[k]) ? fabsf(row[k]) : amax;
  const float s = weight_scale(amax, &inv);
  for (int k = 0; k < K; k++) row[k] = (float)quantize(row[k], inv) * s;
}

RNN_SMALL_FILE_END
