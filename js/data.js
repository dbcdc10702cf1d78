// data.js - data helpers for training sequence models, one job per file in
// data/: a seeded generator (rng.js, the engine's own algorithm), shuffling
// and splits (splits.js), character and word vocabularies (vocab.js),
// padding and batching (batching.js), time-series windows (timeseries.js)
// and a small CSV reader (csv.js). Pure JS, no dependencies, deterministic
// for a seed; works in Node, browsers and workers.
//   import { init } from 'rnn-wasm';
//   const { data } = await init();          // or: import { data } from 'rnn-wasm';
//   const vocab = data.CharVocab.fromText(text);
//   const { ids, lengths } = data.padSequences(lines.map((l) => vocab.encode(l)));
export { createRng } from './data/rng.js';
export { range, shuffle, trainValSplit } from './data/splits.js';
export { CharVocab, PAD, PAD_ID, UNK, UNK_ID, WordVocab } from './data/vocab.js';
export { batches, nextTokenWindows, padSequences, stack, take } from './data/batching.js';
export { normalizer, slidingWindows } from './data/timeseries.js';
export { column, readCsv } from './data/csv.js';
