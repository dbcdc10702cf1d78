// attention.js - Luong global attention for Seq2Seq's decoder: the forward
// (scores over the valid source positions, softmax, context, [c_t; h_t]) and
// its backward, in double over float32 inputs. e: the encoder's outputs as
// Seq2Seq._encode (seq2seq.js) returns them ({ S, enc, keys, srcLen }).
// Values stored to float32 are flushed (flushF32): a softmax weight of
// exp(-100) is a normal double but a subnormal float32.
import { flushF32 } from '../tensor.js';

// For `rows` query vectors q (row r belongs to example floor(r / per)):
// fills cat [rows, 2H] with [c_t; h_t], and a [rows, S] with the weights
// when given. sc: Float64Array(S), ctx: Float64Array(H).
export function attend(q, rows, per, e, H, cat, a, sc, ctx) {
  const S = e.S, { enc, keys, srcLen } = e;
  for (let r = 0; r < rows; r++) {
    const b = (r / per) | 0, n = srcLen[b], qo = r * H, eo = b * S * H;
    let mx = -Infinity;
    for (let s = 0; s < n; s++) {
      const ko = eo + s * H;
      let d = 0;
      for (let h = 0; h < H; h++) d += q[qo + h] * keys[ko + h];
      sc[s] = d;
      if (d > mx) mx = d;
    }
    let z = 0;
    for (let s = 0; s < n; s++) { sc[s] = Math.exp(sc[s] - mx); z += sc[s]; }
    ctx.fill(0);
    for (let s = 0; s < n; s++) {
      const w = sc[s] / z, ko = eo + s * H;
      if (a) a[r * S + s] = flushF32(w);
      for (let h = 0; h < H; h++) ctx[h] += w * enc[ko + h];
    }
    const co = r * 2 * H;
    for (let h = 0; h < H; h++) { cat[co + h] = flushF32(ctx[h]); cat[co + H + h] = q[qo + h]; }
  }
}

// Backward of attend over B * T rows (row r: example floor(r / T)), given
// dCat [rows, 2H] (d loss / d [c_t; h_t]), the query vectors dec [rows, H]
// and the weights a [rows, S]. Fills dDec [rows, H] (d loss / d queries)
// and returns { dEnc64, dKeys64 } (d loss / d values, d loss / d keys, one
// array when they are the same, attention 'dot').
export function attendBackward(dCat, dec, a, e, B, T, H, general, dDec) {
  const { S } = e;
  const dEnc64 = new Float64Array(B * S * H);
  const dKeys64 = general ? new Float64Array(B * S * H) : dEnc64;
  const { enc, keys, srcLen } = e;
  const da = new Float64Array(S), dq = new Float64Array(H);
  for (let r = 0; r < B * T; r++) {
    const b = (r / T) | 0, n = srcLen[b], co = r * 2 * H, qo = r * H, eo = b * S * H, ao = r * S;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const ko = eo + s * H, w = a[ao + s];
      let g = 0;
      for (let h = 0; h < H; h++) {
        g += dCat[co + h] * enc[ko + h];
        dEnc64[ko + h] += w * dCat[co + h];
      }
      da[s] = g;
      sum += w * g;
    }
    for (let h = 0; h < H; h++) dq[h] = dCat[co + H + h];
    for (let s = 0; s < n; s++) {
      const ds = a[ao + s] * (da[s] - sum), ko = eo + s * H;
      if (ds === 0) continue;
      for (let h = 0; h < H; h++) {
        dq[h] += ds * keys[ko + h];
        dKeys64[ko + h] += ds * dec[qo + h];
      }
    }
    for (let h = 0; h < H; h++) dDec[qo + h] = flushF32(dq[h]);
  }
  return { dEnc64, dKeys64 };
}
