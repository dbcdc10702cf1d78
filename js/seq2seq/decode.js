// decode.js - Seq2Seq's greedy decoding, and what it shares with beam search
// (beam-search.js): the decode options, the default maximum lengths, the
// log-sum-exp of a row of logits. Both decoders drive a Seq2Seq (seq2seq.js)
// through its _encode, _step and _scratch; its greedy() / beamSearch() call them.
import { RnnError } from '../errors.js';
import { checkKnown, intOption } from '../options.js';

// log-sum-exp of logits[off .. off + V) (in double).
export function logSumExp(logits, off, V) {
  let mx = -Infinity;
  for (let v = 0; v < V; v++) if (logits[off + v] > mx) mx = logits[off + v];
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(logits[off + v] - mx);
  return mx + Math.log(z);
}

// Per example: options.maxLength, or 2 * its source length + 10.
export function maxLengths(e, maxLength, what) {
  if (maxLength != null) {
    const m = intOption({ maxLength }, 'maxLength', what, { min: 1 });
    return new Int32Array(e.B).fill(m);
  }
  return Int32Array.from(e.srcLen, (n) => 2 * n + 10);
}

// Checks a decoder's options object and its onToken callback.
export function decodeOptions(options, known, what) {
  if (options === null || typeof options !== 'object') throw new RnnError('INVALID_ARGUMENT', `${what}: options must be an object`);
  checkKnown(options, known, what);
  if (options.onToken != null && typeof options.onToken !== 'function') {
    throw new RnnError('INVALID_ARGUMENT', `${what}: onToken must be a function (example, token, position) => void`);
  }
}

/**
 * Greedy decoding, batched: src [B, S] (with options.lengths) or an array
 * of id sequences. Each step feeds every example its argmax token, until
 * EOS or options.maxLength steps (default 2 * source length + 10).
 * options.onToken(example, token, position) is called for every token as
 * it is emitted (not for EOS), in order. Returns per example
 * { tokens: Int32Array (without EOS), logProb (sum of the log-probabilities
 * of the tokens and the EOS), eos (whether it ended with EOS) }.
 * Runs in the current mode: call eval() first when the model has dropout.
 */
export function greedy(model, src, options = {}) {
  model._live();
  const what = 'Seq2Seq.greedy';
  decodeOptions(options, ['lengths', 'maxLength', 'onToken'], what);
  model._last = null;
  const e = model._encode(src, options.lengths, what);
  const { B } = e, V = model.tgtVocab, eos = model.eosId, onToken = options.onToken;
  const maxLen = maxLengths(e, options.maxLength, what);
  const tokens = Array.from({ length: B }, () => []);
  const logProb = new Float64Array(B), ended = new Uint8Array(B);
  const live = new Uint8Array(B).fill(1);
  const cur = new Int32Array(B).fill(model.bosId);
  const scratch = model._scratch(B, e.S);
  let h = e.hN, c = e.cN, nLive = B;
  for (let t = 0; nLive > 0; t++) {
    const r = model._step(cur, h, c, e, 1, scratch);
    h = r.hN; c = r.cN;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const off = b * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (r.logits[off + v] > r.logits[off + best]) best = v;
      logProb[b] += r.logits[off + best] - logSumExp(r.logits, off, V);
      cur[b] = best;
      if (best === eos) {
        ended[b] = 1; live[b] = 0; nLive--;
        continue;
      }
      tokens[b].push(best);
      if (onToken) onToken(b, best, t);
      if (t + 1 >= maxLen[b]) { live[b] = 0; nLive--; }
    }
  }
  return tokens.map((tk, b) => ({ tokens: Int32Array.from(tk), logProb: logProb[b], eos: !!ended[b] }));
}
