// beam-search.js - Seq2Seq's batched beam search, with tokens streamed to
// onToken as soon as every remaining candidate agrees on them.
import { intOption, numOption } from '../options.js';
import { decodeOptions, logSumExp, maxLengths } from './decode.js';

/**
 * Beam search, batched: beamWidth K hypotheses per example. Each step
 * extends every live hypothesis by every token, and keeps the 2K best
 * candidates by total log-probability: those ending in EOS among the top K
 * are finished, the best K others stay live. An example is done when it
 * has K finished hypotheses or after options.maxLength steps (default
 * 2 * source length + 10; live hypotheses then count as finished, with
 * eos false). The result is the finished hypothesis with the best score =
 * logProb / length^lengthNormalization (length = steps, EOS included;
 * default 1, 0 = raw log-probability). beamWidth 1 is greedy decoding.
 * options.onToken(example, token, position) is called in order for each
 * token of the result as soon as it is certain (all remaining candidates
 * of that example agree on it). Returns per example { tokens, logProb,
 * score, eos }.
 */
export function beamSearch(model, src, options = {}) {
  model._live();
  const what = 'Seq2Seq.beamSearch';
  decodeOptions(options, ['lengths', 'beamWidth', 'maxLength', 'lengthNormalization', 'onToken'], what);
  const K = intOption(options, 'beamWidth', what, { max: 1024, def: 5 });
  const alpha = numOption(options, 'lengthNormalization', what, { min: 0, max: 10, def: 1 });
  model._last = null;
  const e = model._encode(src, options.lengths, what);
  const { B } = e, V = model.tgtVocab, eos = model.eosId, onToken = options.onToken;
  const maxLen = maxLengths(e, options.maxLength, what);
  const Lmax = Math.max(...maxLen), R = B * K, H = model.hiddenDim, L = model.numLayers;
  const rep = (st) => {
    if (!st) return null;
    const out = new Float32Array(L * R * H);
    for (let l = 0; l < L; l++) {
      for (let r = 0; r < R; r++) {
        const b = (r / K) | 0;
        out.set(st.data.subarray((l * B + b) * H, (l * B + b + 1) * H), (l * R + r) * H);
      }
    }
    return { shape: [L, R, H], data: out };
  };
  let h = rep(e.hN), c = rep(e.cN);
  let beamLp = new Float64Array(R).fill(-Infinity), newLp = new Float64Array(R);
  for (let b = 0; b < B; b++) beamLp[b * K] = 0;
  let hyp = new Int32Array(R * Lmax), hyp2 = new Int32Array(R * Lmax);
  const cur = new Int32Array(R).fill(model.bosId);
  const parent = new Int32Array(R);
  const finished = Array.from({ length: B }, () => []);
  const done = new Uint8Array(B), emitted = new Int32Array(B);
  const C = 2 * K;
  const cScore = new Float64Array(C), cRow = new Int32Array(C), cTok = new Int32Array(C);
  const lse = new Float64Array(R);
  const scratch = model._scratch(R, e.S);
  let nDone = 0;
  const finish = (b, row, len, lp, isEos, lastTok) => {
    const tk = new Int32Array(isEos ? len : len + 1);
    tk.set(hyp.subarray(row * Lmax, row * Lmax + len));
    if (!isEos) tk[len] = lastTok;
    finished[b].push({ tokens: tk, logProb: lp, score: lp / (len + 1) ** alpha, eos: isEos });
  };
  for (let t = 0; nDone < B; t++) {
    const r = model._step(cur, h, c, e, K, scratch);
    const lg = r.logits;
    for (let row = 0; row < R; row++) lse[row] = beamLp[row] === -Infinity ? 0 : logSumExp(lg, row * V, V);
    const active = [];
    for (let b = 0; b < B; b++) {
      const base = b * K;
      if (done[b]) {
        for (let k = 0; k < K; k++) { parent[base + k] = base + k; newLp[base + k] = -Infinity; cur[base + k] = 0; }
        continue;
      }
      active.push(b);
      // the 2K best (row, token) extensions, ties to the lower row, then token
      let n = 0;
      for (let k = 0; k < K; k++) {
        const row = base + k, blp = beamLp[row];
        if (blp === -Infinity) continue;
        const off = row * V, z = lse[row];
        for (let v = 0; v < V; v++) {
          const s = blp + (lg[off + v] - z);
          if (n === C && !(s > cScore[C - 1])) continue;
          let i = n < C ? n++ : C - 1;
          while (i > 0 && s > cScore[i - 1]) {
            cScore[i] = cScore[i - 1]; cRow[i] = cRow[i - 1]; cTok[i] = cTok[i - 1];
            i--;
          }
          cScore[i] = s; cRow[i] = row; cTok[i] = v;
        }
      }
      const last = t + 1 >= maxLen[b];
      let nk = 0;
      for (let i = 0; i < n && nk < K; i++) {
        if (cTok[i] === eos) {
          if (i < K) finish(b, cRow[i], t, cScore[i], true, eos);
          continue;
        }
        const dst = base + nk++;
        parent[dst] = cRow[i]; cur[dst] = cTok[i]; newLp[dst] = cScore[i];
        if (last) finish(b, cRow[i], t, cScore[i], false, cTok[i]);
      }
      for (let k = nk; k < K; k++) { parent[base + k] = base; cur[base + k] = 0; newLp[base + k] = -Infinity; }
      const f = finished[b];
      f.sort((x, y) => y.score - x.score); // stable: earlier finished first on ties
      if (f.length > K) f.length = K;
      if (f.length >= K || last || nk === 0) { done[b] = 1; nDone++; }
    }
    // reorder the hypotheses and the recurrent state by parent
    for (let row = 0; row < R; row++) {
      const p = parent[row];
      hyp2.set(hyp.subarray(p * Lmax, p * Lmax + t), row * Lmax);
      if (t < Lmax) hyp2[row * Lmax + t] = cur[row];
    }
    [hyp, hyp2] = [hyp2, hyp];
    [beamLp, newLp] = [newLp, beamLp];
    // (into the buffers h / c: forward copies h0 / c0 into wasm memory, and
    // r.hN / r.cN are fresh copies, so nothing aliases)
    const gather = (st, out) => {
      if (!st) return null;
      for (let l = 0; l < L; l++) {
        for (let row = 0; row < R; row++) {
          const p = parent[row];
          out.data.set(st.data.subarray((l * R + p) * H, (l * R + p + 1) * H), (l * R + row) * H);
        }
      }
      return out;
    };
    h = gather(r.hN, h); c = gather(r.cN, c);
    if (onToken) {
      for (const b of active) {
        let upto;
        if (done[b]) upto = finished[b][0]?.tokens.length ?? 0;
        else {
          // common prefix of the live hypotheses (length t + 1) and the finished ones
          upto = t + 1;
          const r0 = b * K;
          for (const f of finished[b]) upto = Math.min(upto, f.tokens.length);
          for (let p = emitted[b]; p < upto; p++) {
            const tok = hyp[r0 * Lmax + p];
            let same = true;
            for (let k = 1; k < K && same; k++) if (beamLp[r0 + k] !== -Infinity && hyp[(r0 + k) * Lmax + p] !== tok) same = false;
            for (const f of finished[b]) if (f.tokens[p] !== tok) same = false;
            if (!same) { upto = p; break; }
          }
        }
        const seq = done[b] ? finished[b][0].tokens : hyp.subarray(b * K * Lmax);
        for (let p = emitted[b]; p < upto; p++) onToken(b, seq[p], p);
        if (upto > emitted[b]) emitted[b] = upto;
      }
    }
  }
  return finished.map((f) => {
    const best = f[0];
    return { tokens: best.tokens, logProb: best.logProb, score: best.score, eos: best.eos };
  });
}
