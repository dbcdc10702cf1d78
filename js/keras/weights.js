// keras/weights.js - the weight mapping between Keras and PyTorch's
// (rnn-wasm's) recurrent layouts. Keras: kernel [I, G*H] and
// recurrent_kernel [H, G*H] with gate blocks as columns, one bias [G*H]
// (GRU reset_after=True: [2, G*H], input and recurrent). PyTorch:
// weight_ih [G*H, I], weight_hh [G*H, H], bias_ih and bias_hh [G*H].
// Gate orders: LSTM i, f, c, o = i, f, g, o (the same); GRU Keras z, r, h
// against PyTorch r, z, n; SimpleRNN one block.

/** TORCH_FROM_KERAS[cell][g] = the Keras block that PyTorch's block g is. */
export const TORCH_FROM_KERAS = { RNN: [0], LSTM: [0, 1, 2, 3], GRU: [1, 0, 2] };

/** Keras [rows, G*H] (gates as column blocks) -> PyTorch [G*H, rows]. */
export function kernelToTorch(k, rows, H, order) {
  const G = order.length, out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const kg = order[g];
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[(g * H + j) * rows + r] = k[r * G * H + kg * H + j];
  }
  return out;
}

/** PyTorch [G*H, rows] -> Keras [rows, G*H]. */
export function kernelToKeras(w, rows, H, order) {
  const G = order.length, out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const kg = order[g];
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[r * G * H + kg * H + j] = w[(g * H + j) * rows + r];
  }
  return out;
}

/** A bias vector between the two gate orders (toTorch: Keras -> PyTorch). */
export function biasReorder(b, H, order, toTorch) {
  const out = new Float32Array(b.length);
  order.forEach((kg, g) => {
    if (toTorch) out.set(b.subarray(kg * H, (kg + 1) * H), g * H);
    else out.set(b.subarray(g * H, (g + 1) * H), kg * H);
  });
  return out;
}
