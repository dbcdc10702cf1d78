/* int8_link.c - where the engine finds its int8 products (rnn_int8 in
 * rnn_internal.h): qgemm.c's functions when they are linked in, or, in the
 * shipped wasm engines (RNN_INT8_LAZY), the exports of rnn-int8*.wasm,
 * which js/int8.js puts in this module's function table and passes here. */
#include "rnn_internal.h"

#ifdef RNN_INT8_LAZY
rnn_int8_ops rnn_int8;
#else
rnn_int8_ops rnn_int8 = {rnn_qgemm_packed_size, rnn_qgemm_pack, rnn_qgemm_workspace_size,
                         rnn_qgemm_packed, rnn_qgemm_snap_row, rnn_qgemv2_packed};
#endif

RNN_SMALL_FILE_BEGIN

int rnn_int8_attach(const void *table) {
  const rnn_int8_ops *ops = table;
  if (!ops || !ops->packed_size || !ops->pack || !ops->workspace_size || !ops->packed || !ops->snap_row ||
      !ops->packed2)
    return rnn_fail(RNN_E_INVALID, "rnn_int8_attach: every function is needed");
  rnn_int8 = *ops;
  return RNN_OK;
}

RNN_SMALL_FILE_END
