// TF.js (the oracle for the LayersModel import / export) in the Node tests:
// loaded once, quietly, on its CPU backend; models get seeded random weights
// (biases included) and are saved to memory as TF.js's model.save does.
const quiet = console.warn;
console.warn = () => {};
const tfModule = await import('@tensorflow/tfjs');
console.warn = quiet;
export const tf = tfModule;
await tf.setBackend('cpu');

/** Every weight of `model` set to uniform(-scale, scale) values from `seed`. */
export function randomizeWeights(model, seed, scale = 0.5) {
  model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -scale, scale, 'float32', seed * 100 + i)));
}

/** model.save to memory: TF.js's ModelArtifacts. */
export async function saveArtifacts(model) {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return art;
}

/** The same as files: model.json (bytes) + shards, as tf.io.browserDownloads writes them. */
export function artifactsToFiles(art, shardBytes = 0) {
  const data = new Uint8Array(art.weightData);
  const paths = [];
  const files = {};
  const size = shardBytes || Math.max(1, data.length);
  for (let at = 0, k = 0; at < data.length || k === 0; at += size, k++) {
    const p = `group1-shard${k + 1}of${Math.max(1, Math.ceil(data.length / size))}.bin`;
    paths.push(p);
    files[p] = data.slice(at, at + size);
  }
  const modelJson = {
    modelTopology: art.modelTopology, format: art.format, generatedBy: art.generatedBy, convertedBy: art.convertedBy ?? null,
    weightsManifest: [{ paths, weights: art.weightSpecs }],
  };
  return { modelJson, files };
}

/** TF.js predict on x ({ shape, data }; int32 for ids) -> Float32Array. */
export function tfPredict(model, x, ids = false) {
  return tf.tidy(() => model.predict(tf.tensor(ids ? Int32Array.from(x.data) : x.data, x.shape, ids ? 'int32' : 'float32')).dataSync().slice());
}
