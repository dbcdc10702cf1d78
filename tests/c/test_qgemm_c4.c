/* test_qgemm_c4.c - qgemm.h's c4 flavour (qgemm.c built with RNN_QGEMM_C4:
 * the relaxed build's int8 module, here with the scalar c4 kernels, since
 * emcc 3.1.6 cannot emit standard relaxed SIMD): test_qgemm.c's checks with
 * 7-bit activations and int8 panels by 4 k, in the wasm SIMD128 build
 * (quantizing A's SIMD path), the wasm scalar one and natively. The relaxed
 * kernels are checked against these scalar ones bitwise through the modules
 * (tests/helpers/int8-relaxed-child.mjs). qgemm.c's entry points are
 * renamed: the engine's own (c2) qgemm.c is linked in beside. */
#define RNN_QGEMM_C4
#define QGEMM_C4_TEST
#define rnn_qgemm_packed_size c4_qgemm_packed_size
#define rnn_qgemm_pack c4_qgemm_pack
#define rnn_qgemm_workspace_size c4_qgemm_workspace_size
#define rnn_qgemm_packed c4_qgemm_packed
#define rnn_qgemm_snap_row c4_qgemm_snap_row
#define rnn_qgemv2_packed c4_qgemv2_packed
#include "../../src/qgemm.c"
#define rnn_qgemm_use_scalar(x) ((void)(x)) /* the c4 kernels are scalar here */
#include "test_qgemm.c"
