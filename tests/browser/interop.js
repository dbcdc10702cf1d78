// The PyTorch -> rnn-wasm check run in both Node and Chromium: a
// SentimentLSTM trained in PyTorch (tests/fixtures/make_interop_fixture.py),
// loaded from its safetensors file, computes the logits PyTorch computed.
export function runInterop(rnn, bytes, fixture) {
  const file = rnn.safetensors.parse(bytes);
  const config = JSON.parse(file.__metadata__.config);
  const model = new rnn.models.SentimentLSTM({ ...config, seed: 1 });
  try {
    model.loadStateDict(file);
    model.eval();
    const B = fixture.ids.length, T = fixture.ids[0].length;
    const logits = model.forward({ shape: [B, T], data: Int32Array.from(fixture.ids.flat()) }, fixture.lengths);
    return { backend: rnn.backend, logits: [...logits.data], keys: Object.keys(file).length };
  } finally {
    model.dispose();
  }
}
