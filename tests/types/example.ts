// A typed example that uses the whole public API; `tsc --noEmit` must accept
// it (and the @ts-expect-error lines must really be errors).
import { init, RnnError, tensor, simdSupported, type Tensor, type Rnn, type StateDict, type ErrorCodeName } from '../../dist/index.js';

async function main(): Promise<void> {
  const rnn: Rnn = await init({ simd: simdSupported() });
  const lstm = new rnn.LSTM({ inputSize: 8, hiddenSize: 16, seed: 1, numLayers: 1, batchFirst: false });
  const gru = new rnn.GRU({ inputSize: 8, hiddenSize: 16, bidirectional: true });
  const elman = new rnn.RNN({ inputSize: 8, hiddenSize: 16, nonlinearity: 'relu' });
  const x: Tensor = tensor([5, 2, 8]);
  const { output, hN, cN } = lstm.forward(x, { h0: tensor([1, 2, 16]), c0: tensor([1, 2, 16]) });
  const { dx, dh0, dc0 } = lstm.backward({ dOutput: output, dhN: hN, dcN: cN });
  const n: number = dx.data.length + dh0.data.length + dc0.data.length;
  const g: StateDict = lstm.grads();
  lstm.loadStateDict(lstm.stateDict());
  const opts = [
    new rnn.Adam(lstm.parameters(), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false }),
    new rnn.AdamW(gru.parameters(), { weightDecay: 1e-2 }),
    new rnn.SGD(elman.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true }),
  ];
  for (const o of opts) { o.zeroGrad(); o.step(); o.lr = o.lr * 0.5; o.dispose(); }
  const norm: number = rnn.clipGradNorm([...lstm.parameters(), ...gru.parameters()], 1.0);
  const p = lstm.parameters()[0];
  const info: string = `${p.name} ${p.shape.join('x')} ${p.numel} ${p.data.length} ${p.grad.length} ${norm} ${n} ${Object.keys(g)}`;
  try {
    lstm.forward(tensor([1, 1, 3]));
  } catch (e) {
    if (e instanceof RnnError) console.log(e.code satisfies ErrorCodeName, info);
  }
  const backend: 'wasm-simd128' | 'wasm-scalar' = rnn.backend;
  console.log(backend, rnn.memoryBytes(), elman.nonlinearity, gru.numDirections, lstm.numParams, lstm.training);
  { using scoped = new rnn.GRU({ inputSize: 1, hiddenSize: 1 }); scoped.eval(); }
  lstm.dispose(); gru.dispose(); elman.dispose();
  // @ts-expect-error hiddenSize is required
  new rnn.LSTM({ inputSize: 3 });
  // @ts-expect-error nonlinearity is 'tanh' | 'relu'
  new rnn.RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'sigmoid' });
}
main();
