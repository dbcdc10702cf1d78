// node bench/min_stability.mjs: minGRU / minLSTM (3 layers, H 64, B 4, input 32) at T = 4096 in the
// plain and log-space forms with inputs uniform in +-0.5, +-5 and +-50: are
// outputs, dx and parameter gradients finite, and how large do they get?
// (h is a convex combination of h_{t-1} and h~: it cannot blow up.)
import { init } from '../dist/index.js';
const rnn = await init();
let s = 7; const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
for (const mode of ['MinGRU', 'MinLSTM']) for (const logSpace of [false, true]) for (const scale of [1, 10, 100]) {
  const [T, B, I, H] = [4096, 4, 32, 64];
  const m = new rnn[mode]({ inputSize: I, hiddenSize: H, numLayers: 3, logSpace, seed: 5 });
  const x = { shape: [T, B, I], data: Float32Array.from({ length: T * B * I }, () => scale * u()) };
  const { output } = m.forward(x);
  const { dx } = m.backward({ dOutput: { shape: output.shape, data: new Float32Array(output.data.length).fill(1 / (T * B)) } });
  let mh = 0, md = 0, fin = true;
  for (const v of output.data) { mh = Math.max(mh, Math.abs(v)); fin &&= Number.isFinite(v); }
  for (const v of dx.data) { md = Math.max(md, Math.abs(v)); fin &&= Number.isFinite(v); }
  let gmax = 0; for (const g of Object.values(m.grads())) for (const v of g.data) { gmax = Math.max(gmax, Math.abs(v)); fin &&= Number.isFinite(v); }
  console.log(`${mode} logSpace=${logSpace} |x|<=${scale / 2}: finite=${fin} max|h|=${mh.toPrecision(3)} max|dx|=${md.toPrecision(3)} max|grad|=${gmax.toPrecision(3)}`);
  m.dispose();
}
