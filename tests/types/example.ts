// A typed example that uses the whole public API; `tsc --noEmit` must accept
// it (and the @ts-expect-error lines must really be errors).
import {
  init, RnnError, tensor, simdSupported, relaxedSupported, buildModel, modelSpec, parseSafetensors, serializeSafetensors, data,
  type Tensor, type Rnn, type StateDict, type ErrorCodeName, type FitBatch, type FitHistory, type FitProgress,
  type FitEpochRecord, type FitCheckpointPosition, type OptimizerState, type Sequential, type PoolLayer,
  type SentimentLSTM, type ModelSpec, type BuiltModel, type LSTM, type Linear, type Embedding, type LayerNorm, type CausalConv1d, type CausalConv1dState, type TbpttBatch,
  type ThreadStats, type EngineBuild,
} from '../../dist/index.js';

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
  await rnn.loadInt8();
  const int8: boolean = lstm.quantize().quantized;
  lstm.loadStateDict(parseSafetensors(serializeSafetensors(lstm.quantizedStateDict())));
  lstm.dequantize();
  console.log(int8);
  // Unbatched: x [T, inputSize], h0 / hN [numLayers * D, Hout].
  const single = lstm.forward(tensor([5, 8]), { h0: tensor([1, 16]) });
  const isLstm: true = lstm.isLSTM;
  // { output: false }: final states only.
  const last = lstm.forward(x, { output: false });
  const lastC: Tensor = last.cN;
  const noDx = lstm.backward({ dhN: last.hN, dcN: lastC, dx: false });
  const dc0Only: Tensor = noDx.dc0;
  // @ts-expect-error no dx with { dx: false }
  console.log(dc0Only, noDx.dx);
  // @ts-expect-error no output with { output: false }
  console.log(gru.forward(x, { output: false }).output);
  console.log(single.hN.shape, isLstm, elman.mode satisfies 'RNN_TANH' | 'RNN_RELU', gru.mode satisfies 'GRU');
  // A Float32Array is used as is (shared), anything else is copied.
  const shared = new Float32Array(6);
  const t = tensor([2, 3], shared);
  console.log(t.data === shared, tensor([3], [1, 2, 3]).data, tensor([2], new Set([1, 2])).shape);

  const opts = [
    new rnn.Adam(lstm.parameters(), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false }),
    new rnn.AdamW(gru.parameters(), { weightDecay: 1e-2 }),
    new rnn.SGD(elman.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true }),
  ];
  for (const o of opts) { o.zeroGrad(); o.step(); o.lr = o.lr * 0.5; }
  // Optimizer state for checkpoints: getState() -> setState().
  const st: OptimizerState = opts[0].getState();
  const moments: number = (st.buffers.exp_avg?.length ?? 0) + (st.buffers.momentum_buffer?.length ?? 0);
  console.log(st.kind, st.steps, st.config.betas[1], st.config.lr, moments);
  opts[0].setState(st);
  opts[0].setState({ kind: 'Adam', steps: 3, buffers: st.buffers, config: { lr: 5e-4 } });
  for (const o of opts) o.dispose();
  const norm: number = rnn.clipGradNorm([...lstm.parameters(), ...gru.parameters()], 1.0);
  const p = lstm.parameters()[0];
  const info: string = `${p.name} ${p.shape.join('x')} ${p.numel} ${p.data.length} ${p.grad.length} ${norm} ${n} ${Object.keys(g)}`;
  try {
    lstm.forward(tensor([1, 1, 3]));
  } catch (e) {
    if (e instanceof RnnError) console.log(e.code satisfies ErrorCodeName, info);
  }
  const backend: 'wasm-relaxed-simd' | 'wasm-simd128' | 'wasm-scalar' = rnn.backend;
  const relaxed: Rnn = await init({ build: relaxedSupported() ? 'relaxed' : 'simd' });
  const build: EngineBuild = relaxed.build;
  console.log(build);
  // @ts-expect-error: not a build
  await init({ build: 'fma' });
  const threaded = await init({ threads: 'auto' });
  const stats: ThreadStats = threaded.threadStats();
  const threadCount: number = threaded.threads + stats.splitCalls + (stats.error ? 1 : 0);
  const wasChecking: boolean = rnn.setCheckFinite(true);
  rnn.setCheckFinite(wasChecking);
  console.log(rnn.checkFinite, backend, threadCount, rnn.memoryBytes(), elman.nonlinearity, gru.numDirections, lstm.numParams, lstm.training);
  { using scoped = new rnn.GRU({ inputSize: 1, hiddenSize: 1 }); scoped.eval(); }
  lstm.dispose(); gru.dispose(); elman.dispose();

  // ---- Sequential and Pool: a many-to-one classifier over token ids ----
  const vocab = data.CharVocab.fromText('the cat sat on the mat');
  const compact: number = data.CharVocab.fromJSON({ type: 'CharVocab', chars: vocab.chars.join('') }).size
    + data.WordVocab.fromJSON({ type: 'WordVocab', words: 'the cat' }).size;
  const { ids, lengths } = data.padSequences(['the cat', 'sat', 'on the mat'].map((s) => vocab.encode(s)));
  const pool: PoolLayer = new rnn.Pool({ mode: 'final' });
  const clf = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: vocab.size, embeddingDim: 4, paddingIdx: 0, seed: 1 }),
    new rnn.LSTM({ inputSize: 4, hiddenSize: 6, batchFirst: true, bidirectional: true, seed: 2 }),
    pool,
    new rnn.Dropout({ p: 0.1, seed: 3 }),
    new rnn.Linear({ inFeatures: 12, outFeatures: 1, seed: 4 }),
  ]);
  const [emb, enc, , , head]: [Embedding, LSTM, PoolLayer, unknown, Linear] = clf.layers;
  console.log(emb.embeddingDim, enc.outputSize, head.outFeatures, pool.mode, pool.numParams, pool.spec.type);
  const logits = clf.forward(ids, { lengths });
  const y: Tensor = tensor([3], [1, 0, 1]);
  const bce = rnn.losses.bceWithLogits({ shape: [3], data: logits.data }, y);
  clf.backward({ shape: logits.shape, data: bce.grad.data });
  const carried = clf.forward(ids, { lengths, state: clf.state });
  const h1 = clf.state?.[1]?.hN;
  console.log(carried.shape, h1?.shape, clf.numParams, Object.keys(clf.stateDict()));
  const mean = new rnn.Pool({ mode: 'mean' });
  const pooled = mean.forward(tensor([2, 3, 4]), { lengths: [3, 1] });
  const { dx: dPooled } = mean.backward(pooled);
  console.log(dPooled?.shape, new rnn.Pool().eval().mode);
  // The min cells' pre-norm residual blocks.
  const lnorm: LayerNorm = new rnn.LayerNorm({ normalizedShape: [8], eps: 1e-5 });
  const lm = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: 10, embeddingDim: 8 }),
    new rnn.Residual([lnorm, new rnn.MinGRU({ inputSize: 8, hiddenSize: 8, batchFirst: true })]),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: 8 }), new rnn.Linear({ inFeatures: 8, outFeatures: 16 }),
      new rnn.GELU(), new rnn.Linear({ inFeatures: 16, outFeatures: 8 }), new rnn.ReLU()]),
    new rnn.Linear({ inFeatures: 8, outFeatures: 10 }),
  ]);
  lm.forward(ids);
  const lmCarried = lm.forward(ids, { state: lm.state });
  console.log(lmCarried.shape, lm.state?.[1]?.[1]?.hN, lnorm.normalizedShape, lnorm.eps, new rnn.GELU().numParams);
  // The depthwise causal conv before the cell (issue 23's blocks); alone, it carries its own context.
  const conv: CausalConv1d = new rnn.CausalConv1d({ channels: 8, kernelSize: 4, bias: true, seed: 3 });
  const convLm = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: 10, embeddingDim: 8 }),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: 8 }), conv, new rnn.MinGRU({ inputSize: 8, hiddenSize: 8, batchFirst: true })]),
  ]);
  convLm.forward(ids, { lengths: [3, 2] });
  const ctx: Tensor | undefined = convLm.state?.[1]?.[1]?.context;
  const alone = new rnn.CausalConv1d({ channels: 2, kernelSize: 3 });
  const yc = alone.forward(tensor([1, 5, 2]), { lengths: [5] });
  const carriedCtx: CausalConv1dState | null = alone.state;
  alone.forward(tensor([1, 2, 2]), { state: carriedCtx });
  const { dx: dConv } = alone.backward({ dOutput: yc });
  const convSpec: ModelSpec = { type: 'CausalConv1d', channels: 2, kernelSize: 3, seed: 1 };
  console.log(ctx?.shape, dConv.shape, alone.carriesState satisfies true, alone.kernelSize, alone.channels, conv.bias, convSpec);
  // A layer of your own inside a Sequential.
  const scale = {
    forward: (v: Tensor): Tensor => ({ shape: v.shape, data: v.data.map((e) => 2 * e) }),
    backward: ({ dOutput }: { dOutput: Tensor }) => ({ dx: { shape: dOutput.shape, data: dOutput.data.map((e) => 2 * e) } }),
    train: () => undefined,
    dispose: () => undefined,
  };
  const regressor = new rnn.Sequential([
    new rnn.GRU({ inputSize: 1, hiddenSize: 4, batchFirst: true, seed: 5 }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: 4, outFeatures: 1, seed: 6 }),
    scale,
  ]);
  // Sequentials nest; backward returns the input's gradient.
  const stacked = new rnn.Sequential([new rnn.Sequential([new rnn.LSTM({ inputSize: 1, hiddenSize: 4, batchFirst: true })]), new rnn.Pool()]);
  stacked.forward(rnn.tensor([2, 3, 1]), { lengths: [3, 2] });
  const dIn: Tensor | null = stacked.backward({ dOutput: rnn.tensor([2, 4]) }).dx;
  void dIn;
  stacked.dispose();

  // ---- fit: batches, progress, schedules, checkpoints ----
  const series = Array.from({ length: 64 }, (_, i) => Math.sin(i / 4));
  const windows = data.slidingWindows(series, { window: 8 });
  // Float batches: x [B, 8, 1], y [B, 1] (fit infers the batch type, so a custom loss sees y as a Tensor).
  const batches = data.batches(windows.x.shape[0], { batchSize: 8, seed: 1 })
    .map((idx) => ({ x: data.take(windows.x, idx), y: data.take(windows.y, idx) }));
  const asFitBatches: FitBatch[] = batches;
  const progress: (FitProgress | FitEpochRecord)[] = [];
  let checkpoint: Uint8Array | null = null;
  const history: FitHistory = await rnn.fit(regressor, {
    train: batches, val: batches.slice(0, 2), loss: 'mse', epochs: 2, optimizer: { type: 'adamw', lr: 1e-2 },
    lrSchedule: { type: 'cosine', totalSteps: 2 * batches.length, warmupSteps: 1 }, clipGradNorm: 1,
    earlyStopping: { patience: 3, restoreBest: true }, seed: 7, progressEvery: 1,
    checkpointEvery: 2, onCheckpoint: async (bytes, { step, epoch }) => { checkpoint = bytes; console.log(step, epoch); },
    onProgress: (r) => {
      progress.push(r);
      if (r.epochEnd) console.log('epoch', r.epoch, r.loss, r.valLoss);
      else console.log(r.step, r.loss, r.lr, r.gradNorm, r.etaSeconds, r.totalSteps);
    },
  });
  console.log(asFitBatches.length, history.stopped, history.steps, history.bestEpoch, history.epochs.map((e) => e.loss));
  if (checkpoint) await rnn.fit(regressor, { train: batches, epochs: 2, optimizer: 'adamw', lr: 1e-2, resume: checkpoint });
  // A custom loss and schedule function, an optimizer instance, control and signal.
  const sgd = new rnn.SGD(regressor.parameters(), { lr: 0.05, momentum: 0.9 });
  await rnn.fit(regressor, {
    train: batches, optimizer: sgd, loss: (out, target) => rnn.losses.mse(out, target),
    lrSchedule: (step, epoch) => 0.05 * 0.9 ** (step + epoch), control: { paused: false, cancelled: false },
    signal: new AbortController().signal, yieldEveryMs: 0, maxSteps: 4,
  });

  // ---- checkpoints in a loop of your own ----
  const rng = data.createRng(1);
  const position: FitCheckpointPosition = { step: sgd.stepCount, epoch: 0, batch: 0, order: null };
  const bytes = rnn.saveCheckpoint({ model: regressor, optimizer: sgd, position, dataRng: rng });
  const restored = rnn.loadCheckpoint<FitCheckpointPosition>(bytes, { model: regressor, optimizer: sgd });
  if (restored.dataRng) rng.setState(restored.dataRng);
  console.log(restored.position.step, parseSafetensors(bytes).__metadata__?.format);
  const sab = new SharedArrayBuffer(bytes.length);
  new Uint8Array(sab).set(bytes);
  console.log(Object.keys(parseSafetensors(sab)).length);
  sgd.dispose();

  // ---- truncated BPTT: a character model over one long stream ----
  const text = 'hello world, hello rnn. '.repeat(20);
  const chars = data.CharVocab.fromText(text);
  const chunks: TbpttBatch[] = rnn.tbpttBatches(chars.encode(text), { batchSize: 2, k: 8 });
  const charModel = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: chars.size, embeddingDim: 8, seed: 1 }),
    new rnn.LSTM({ inputSize: 8, hiddenSize: 16, batchFirst: true, seed: 2 }),
    new rnn.Linear({ inFeatures: 16, outFeatures: chars.size, seed: 3 }),
  ]);
  await rnn.fit(charModel, { train: chunks, loss: 'crossEntropy', tbptt: true, lr: 1e-2, metrics: ['accuracy'], val: chunks.slice(0, 1) });

  // ---- SentimentLSTM, model specs ----
  const sentiment: SentimentLSTM = new rnn.models.SentimentLSTM({ vocabSize: vocab.size, embedDim: 8, hiddenDim: 8, numLayers: 1, dropout: 0.2, seed: 1 });
  const sLogits = sentiment.forward(ids, lengths);
  sentiment.backward(rnn.losses.bceWithLogits(sLogits, y).grad);
  sentiment.eval().forward(ids, { lengths });
  console.log(sentiment.lstm.bidirectional, sentiment.fc.inFeatures, sentiment.embedding.paddingIdx, sentiment.hiddenDim);
  await rnn.fit(sentiment, { train: [{ x: ids, y, lengths }], loss: 'bce', epochs: 1 });
  const spec: ModelSpec = modelSpec(clf);
  const copy: Sequential = buildModel(rnn, { type: 'Sequential', layers: [{ type: 'GRU', inputSize: 1, hiddenSize: 2, batchFirst: true }] });
  const viaApi: SentimentLSTM = rnn.buildModel({ type: 'SentimentLSTM', vocabSize: 10, seed: 3 });
  const viaOther: PoolLayer = rnn.buildModel(rnn, { type: 'Pool', mode: 'mean' });
  const any: BuiltModel = rnn.buildModel(JSON.parse(JSON.stringify(spec)) as ModelSpec);
  if ('loadStateDict' in any && spec.type === 'Sequential') any.loadStateDict(clf.stateDict());
  console.log(copy.layers.length, viaApi.vocabSize, viaOther.mode, rnn.modelSpec(sentiment).type);
  for (const m of [copy, viaApi, viaOther, any]) m.dispose();

  // ---- Seq2Seq: teacher-forced training with fit, then decoding ----
  const s2s = new rnn.models.Seq2Seq({ srcVocab: 5, tgtVocab: 6, embedDim: 4, hiddenDim: 4, attention: 'dot', cell: 'gru', seed: 1 });
  const pairs = s2s.makeBatches([[1, 2], Int32Array.of(3, 4, 1)], [[4, 5], [5]], { batchSize: 2, shuffle: false });
  await rnn.fit(s2s, { train: pairs, loss: 'crossEntropy', epochs: 1, lr: 1e-2 });
  const src = { shape: [1, 2], data: Uint32Array.of(1, 2), decoderInput: { shape: [1, 2], data: [s2s.bosId, 4] } };
  console.log(s2s.forward(src).shape, s2s.encoder.numParams, s2s.decoder.numParams);
  s2s.eval();
  const [greedy] = s2s.greedy([[1, 2, 3]], { maxLength: 5, onToken: (ex, tok, pos) => console.log(ex, tok, pos) });
  const [beam] = s2s.beamSearch({ shape: [1, 3], data: [1, 2, 3] }, { lengths: [2], beamWidth: 2, lengthNormalization: 0 });
  console.log(greedy.tokens, greedy.eos, beam.score, beam.logProb);
  s2s.dispose();

  // ---- the trainer: fit in a worker (the model must be modelSpec-able: no custom layers) ----
  const trainer = rnn.createTrainer({
    model: clf, train: [{ x: ids, y, lengths }], loss: 'bce', epochs: 1, applyTo: true, onProgress: (r) => console.log(r.step),
  });
  trainer.on('epoch', (e) => console.log(e.epoch, e.valLoss));
  const { history: remote, stateDict } = await trainer.done;
  console.log(remote.stopped, Object.keys(stateDict), trainer.status);

  // ---- safetensors round trip ----
  const file = parseSafetensors(serializeSafetensors(charModel.stateDict(), { note: 'example' }));
  console.log(Object.keys(file), file.__metadata__);

  // ---- TF.js / Keras LayersModel: import, fine-tune, export ----
  const keras = await rnn.loadLayersModel('https://example.com/model.json', { seed: 1 });
  keras.logits = true;
  await rnn.fit(keras, { train: [{ x: ids, y, lengths }], loss: 'bce' });
  console.log(keras.predict({ shape: [1, 3], data: Int32Array.of(1, 2, 0) }).shape, keras.layers[0].className, keras.warnings);
  const exported = await rnn.toLayersModel(clf, { weightsPath: 'w.bin' });
  const again = await rnn.loadLayersModel({ modelJson: exported.files['model.json'], weights: { 'w.bin': exported.weightData } });
  console.log(exported.modelJson.weightsManifest[0].paths, keras.toLayersModel().files, keras.gateTaps({ shape: [1, 3], data: Int32Array.of(1, 2, 3) })[0].taps[0].h.shape);
  keras.dispose(); again.dispose();

  // ---- ONNX export ----
  const onnxBytes: Uint8Array = await rnn.toOnnx(clf, { initialStates: true, lengths: true, docString: 'example' });
  console.log(onnxBytes.length);
  // @ts-expect-error initialStates is a boolean
  await rnn.toOnnx(clf, { initialStates: 'yes' });
  clf.dispose(); regressor.dispose(); charModel.dispose(); sentiment.dispose();

  // @ts-expect-error hiddenSize is required
  new rnn.LSTM({ inputSize: 3 });
  // @ts-expect-error nonlinearity is 'tanh' | 'relu'
  new rnn.RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'sigmoid' });
  // @ts-expect-error Pool's mode is 'last' | 'mean' | 'final'
  new rnn.Pool({ mode: 'max' });
  // @ts-expect-error vocabSize is required
  new rnn.models.SentimentLSTM({ embedDim: 8 });
  // @ts-expect-error a bare LSTM does not fit fit's model contract (its forward returns { output, hN })
  await rnn.fit(new rnn.LSTM({ inputSize: 1, hiddenSize: 1 }), { train: batches });
  // @ts-expect-error a Trainer's loss must be a name (functions cannot cross threads)
  rnn.createTrainer({ model: regressor, train: batches, loss: (o: Tensor, t: Tensor) => rnn.losses.mse(o, t) });
  // @ts-expect-error tbpttBatches needs k
  rnn.tbpttBatches(new Int32Array(10), { batchSize: 2 });
  // ONNX import: run, forward, stream
  const onnx = await rnn.loadOnnx(new Uint8Array(0), { seed: 1 });
  const outs: Record<string, Tensor> = onnx.run({ ids: { shape: [1, 3], data: new Int32Array(3) } });
  const first: Tensor = onnx.forward({ shape: [1, 3], data: new Int32Array(3) });
  const onnxStream = onnx.stream({ batch: 1 });
  onnxStream.step({ x: first });
  onnxStream.dispose();
  console.log(outs, onnx.inputs[0].name, onnx.opset);
  // @ts-expect-error loadOnnx takes bytes, not a path
  await rnn.loadOnnx('model.onnx');
}
main();
