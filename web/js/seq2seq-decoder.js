// seq2seq-decoder.js - the decoder of a trained rnn.models.Seq2Seq (LSTM,
// Luong 'general' attention) taken apart one step at a time, so the page can
// show what each step is fed, where it attends and what it predicts. Built
// from the model's state_dict with the library's layers (the same tensor
// names PyTorch uses); its arithmetic follows the library's own decoder
// (js/seq2seq.js, seq2seq/attention.js), so greedy decoding here gives the
// tokens and log-probabilities of model.greedy() bit for bit (the section
// checks it on every input, the tests too).

const FLT_MIN = 1.1754943508222875e-38;
const flushF32 = (v) => { const f = Math.fround(v); return f !== 0 && Math.abs(f) < FLT_MIN ? 0 : f; };

/** log-sum-exp of logits[0..V), in double (as the library's decoders). */
export function logSumExp(logits) {
  let mx = -Infinity;
  for (const v of logits) if (v > mx) mx = v;
  let z = 0;
  for (const v of logits) z += Math.exp(v - mx);
  return mx + Math.log(z);
}

export const argmax = (a) => { let b = 0; for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i; return b; };

export class StepDecoder {
  /** sd: a Seq2Seq state_dict; config: its constructor options (cell 'lstm', attention 'general'). */
  constructor(rnn, sd, config) {
    if (config.cell !== 'lstm' || config.attention !== 'general') throw new Error('StepDecoder: an LSTM Seq2Seq with general attention');
    const E = config.embedDim, H = config.hiddenDim, L = config.numLayers ?? 1;
    const part = (prefix, layer) => {
      const own = {};
      for (const [k, v] of Object.entries(sd)) if (k.startsWith(prefix)) own[k.slice(prefix.length)] = v;
      layer.loadStateDict(own);
      return layer;
    };
    const lstm = () => new rnn.LSTM({ inputSize: E, hiddenSize: H, numLayers: L, batchFirst: true, seed: 1 });
    this.layers = {
      encEmbedding: part('encoder.embedding.', new rnn.Embedding({ numEmbeddings: config.srcVocab, embeddingDim: E, paddingIdx: 0, seed: 1 })),
      encLstm: part('encoder.lstm.', lstm()),
      decEmbedding: part('decoder.embedding.', new rnn.Embedding({ numEmbeddings: config.tgtVocab, embeddingDim: E, paddingIdx: 0, seed: 1 })),
      decLstm: part('decoder.lstm.', lstm()),
      attn: part('decoder.attn.', new rnn.Linear({ inFeatures: H, outFeatures: H, bias: false, seed: 1 })),
      concat: part('decoder.concat.', new rnn.Linear({ inFeatures: 2 * H, outFeatures: H, seed: 1 })),
      fc: part('decoder.fc.', new rnn.Linear({ inFeatures: H, outFeatures: config.tgtVocab, seed: 1 })),
    };
    this.H = H;
    this.bosId = config.bosId ?? 2;
    this.eosId = config.eosId ?? 3;
  }

  /** Source ids -> { S, enc [S*H], keys [S*H], h, c } (the context: the encoder's final state). */
  encode(ids) {
    const { encEmbedding, encLstm, attn } = this.layers, S = ids.length, H = this.H;
    const emb = encEmbedding.forward({ shape: [1, S], data: Int32Array.from(ids) });
    const r = encLstm.forward(emb);
    const keys = attn.forward({ shape: [1, S, H], data: r.output.data }).data;
    return { S, enc: r.output.data, keys, h: r.hN, c: r.cN };
  }

  /**
   * One decoder step fed `token` from state { h, c }: { logits, attention
   * (weights over the S source positions), h, c }.
   */
  step(e, token, state) {
    const { decEmbedding, decLstm, concat, fc } = this.layers, H = this.H, S = e.S;
    const emb = decEmbedding.forward({ shape: [1, 1], data: Int32Array.of(token) });
    const r = decLstm.forward(emb, { h0: state.h, c0: state.c });
    const q = r.output.data;
    const sc = new Float64Array(S);
    let mx = -Infinity;
    for (let s = 0; s < S; s++) {
      let d = 0;
      for (let k = 0; k < H; k++) d += q[k] * e.keys[s * H + k];
      sc[s] = d;
      if (d > mx) mx = d;
    }
    let z = 0;
    for (let s = 0; s < S; s++) { sc[s] = Math.exp(sc[s] - mx); z += sc[s]; }
    const ctx = new Float64Array(H), attention = new Float32Array(S);
    for (let s = 0; s < S; s++) {
      const w = sc[s] / z;
      attention[s] = flushF32(w);
      for (let k = 0; k < H; k++) ctx[k] += w * e.enc[s * H + k];
    }
    const cat = new Float32Array(2 * H);
    for (let k = 0; k < H; k++) { cat[k] = flushF32(ctx[k]); cat[H + k] = q[k]; }
    const pre = concat.forward({ shape: [1, 2 * H], data: cat }).data;
    for (let k = 0; k < pre.length; k++) pre[k] = Math.tanh(pre[k]);
    const logits = fc.forward({ shape: [1, H], data: pre }).data;
    return { logits, attention, h: r.hN, c: r.cN };
  }

  /**
   * Runs the decoder over source ids. feed(t, predicted) gives the token
   * fed at step t + 1 (the prediction, or the gold token under teacher
   * forcing); steps: the number of steps (or until EOS is predicted and fed
   * back). Each step: { fed, logits, predicted, logProb (of the predicted
   * token), attention, gold?, goldLogProb? }.
   */
  run(ids, { steps, gold = null, teacherForcing = false }) {
    const e = this.encode(ids);
    let state = { h: e.h, c: e.c }, fed = this.bosId;
    const out = [];
    for (let t = 0; t < steps; t++) {
      const r = this.step(e, fed, state);
      state = { h: r.h, c: r.c };
      const lse = logSumExp(r.logits), predicted = argmax(r.logits);
      const row = { fed, logits: r.logits, predicted, logProb: r.logits[predicted] - lse, attention: r.attention };
      if (gold) {
        const g = t < gold.length ? gold[t] : this.eosId;
        row.gold = g;
        row.goldLogProb = r.logits[g] - lse;
      }
      out.push(row);
      if (!teacherForcing && predicted === this.eosId) break;
      fed = teacherForcing ? row.gold : predicted;
    }
    return { context: e, steps: out };
  }

  dispose() { for (const l of Object.values(this.layers)) l.dispose(); }
}
