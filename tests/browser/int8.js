// int8.js - an int8 case the same in a browser and in Node: a quantized
// 2-layer GRU (hidden 21, batch 5: both int8 kernels, partial panels) and a
// quantized LSTM stream; returns the outputs as plain arrays. The relaxed
// build's int8 (7-bit activations) is bitwise the same wherever it runs
// (integer sums), close to the SIMD128 build's.
export async function runInt8Case(rnn) {
  await rnn.loadInt8();
  const gru = new rnn.GRU({ inputSize: 7, hiddenSize: 21, numLayers: 2, seed: 4 }).eval().quantize();
  const x = { shape: [6, 5, 7], data: Float32Array.from({ length: 210 }, (_, i) => Math.sin(0.37 * i)) };
  const forward = Array.from(gru.forward(x).output.data);
  const lstm = new rnn.LSTM({ inputSize: 7, hiddenSize: 33, seed: 5 }).eval().quantize();
  const s = lstm.stream(), stream = [];
  for (let t = 0; t < 6; t++) stream.push(...s.step(x.data.subarray(35 * t, 35 * t + 7)));
  s.dispose(), gru.dispose(), lstm.dispose();
  return { build: rnn.build, forward, stream };
}
