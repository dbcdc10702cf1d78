/* kernels.c - the relaxed-SIMD kernel module (dist/rnn-relaxed-kernels.wasm).
 *
 * gemm_wasmsimd.c's micro-kernels with RNN_MADD as f32x4.relaxed_madd (fused
 * multiply-add where the CPU has it), built by clang-19 (build.sh: Emscripten
 * 3.1.6 cannot emit or link the standard relaxed opcodes) into a module that
 * imports the engine's memory. rnn-relaxed.wasm, the engine built with
 * RNN_KERNELS_IMPORTED, imports these functions instead of defining them
 * (gemm.h); js/loader.js instantiates this module first and hands its
 * exports over.
 */
#define RNN_MADD(a, b, acc) wasm_f32x4_relaxed_madd((a), (b), (acc))
#include "../gemm_wasmsimd.c"
