// threads.js - one computation, run the same way in Node and in Chromium, on
// the single-threaded and the multi-threaded build: LSTM / GRU / RNN (and a
// GRU with the reset gate before the product and hard-sigmoid gates) forward,
// backward and an Adam step at sizes whose products are split over threads,
// and 300 steps of a batch-1 LSTM stream. Results must be bitwise the same
// whatever the thread count.
function filled(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

export function runThreadsCase(rnn) {
  const out = { threads: rnn.threads, backend: rnn.backend };
  // B * gates * H reaches the pointwise split too (src/parallel.c) for every cell
  const T = 8, B = 64, I = 24, H = 128;
  const cells = { LSTM: ['LSTM'], GRU: ['GRU'], RNN: ['RNN'],
    GRU_before: ['GRU', { resetAfter: false, gateActivation: 'hardSigmoid' }] };
  for (const [key, [cls, opts]] of Object.entries(cells)) {
    const m = new rnn[cls]({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 5, ...opts });
    const opt = new rnn.Adam(m.parameters(), { lr: 0.01 });
    const x = rnn.tensor([T, B, I], filled(T * B * I, 1));
    opt.zeroGrad();
    const { output } = m.forward(x);
    const { dx } = m.backward({ dOutput: rnn.tensor(output.shape, filled(output.data.length, 2)) });
    const grads = m.grads();
    opt.step();
    const after = m.forward(x).output.data;
    out[key] = {
      output: Array.from(output.data),
      dx: Array.from(dx.data),
      grad_ih: Array.from(grads.weight_ih_l0.data),
      grad_hh: Array.from(grads.weight_hh_l1.data),
      after: Array.from(after),
    };
    opt.dispose();
    m.dispose();
  }
  const lstm = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 7 });
  const s = lstm.stream({ batch: 1 });
  const xs = filled(300 * 32, 3);
  let y = null;
  for (let t = 0; t < 300; t++) y = s.step(xs.subarray(t * 32, (t + 1) * 32));
  out.stream = Array.from(y);
  s.dispose();
  lstm.dispose();
  out.splitCalls = rnn.threadStats().splitCalls;
  return out;
}
