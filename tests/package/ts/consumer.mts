// (e) A TypeScript ESM consumer: the types come from the installed package's
// "exports" map ("types" condition), resolved with moduleResolution nodenext.
import { init, RnnError, tensor, type InitOptions, type LSTM, type Tensor } from 'rnn-wasm';

const options: InitOptions = { locateFile: (file) => `/static/wasm/${file}` };
const rnn = await init(options);
const lstm: LSTM = new rnn.LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, seed: 1 });
const x: Tensor = tensor([5, 2, 4], new Float32Array(40));
const { output, hN, cN } = lstm.forward(x);
const sizes: number[] = [...output.shape, ...hN.shape, ...(cN?.shape ?? [])];
const opt = new rnn.Adam(lstm.parameters(), { lr: 1e-3 });
opt.zeroGrad();
lstm.backward({ dOutput: output });
opt.step();
const backend: 'wasm-relaxed-simd' | 'wasm-simd128' | 'wasm-scalar' = rnn.backend;
const isRnnError = (e: unknown): e is RnnError => e instanceof RnnError;

// @ts-expect-error simd is a boolean: the types are real, not `any`
await init({ simd: 'yes' });
// @ts-expect-error locateFile is only asked for the two engine files
init({ locateFile: (file: 'other.wasm') => file });

export { sizes, backend, isRnnError };
