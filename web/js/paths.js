// paths.js - every URL the page loads besides its own modules (datasets,
// weights, npm files loaded on demand). Each is here() of a string literal,
// a path relative to this file, so the page works at any URL prefix: served from the
// repository (npm start) they point into data/, node_modules/, tests/; the
// build (scripts/build-site.mjs) copies each file named here into the site
// under a content-hashed name (minifying .js and .css) and rewrites the
// literal, so a new file needs only a new line below. Fetch them when a
// section needs them, not at start-up.

const here = (rel) => new URL(rel, import.meta.url).href;

/** The datasets of data/ (fetched, parsed in playground-worker.js). */
export const DATASETS = {
  sentiment: here('../../data/sentiment/uci/sentences.tsv'),
  shakespeare: here('../../data/text/tinyshakespeare/tinyshakespeare.txt'),
  nab: here('../../data/timeseries/nab/machine_temperature_system_failure.csv'),
  g2p: here('../../data/seq2seq/cmudict-g2p/g2p.tsv'),
};

/** The PyTorch-trained SentimentLSTM and the logits PyTorch computed for it. */
export const PYTORCH_MODEL = here('../../tests/fixtures/sentiment_torch.safetensors');
export const PYTORCH_LOGITS = here('../../tests/fixtures/sentiment_torch.json');

export const UPLOT_JS = here('../../node_modules/uplot/dist/uPlot.esm.js');
export const UPLOT_CSS = here('../../node_modules/uplot/dist/uPlot.min.css');
export const KATEX_JS = here('../../node_modules/katex/dist/katex.mjs');
export const KATEX_CSS = here('../../node_modules/katex/dist/katex.min.css');

/** The course's pre-trained models (made by examples/dates.mjs and examples/sentiment.mjs; see web/models/README.md). */
export const DATES_MODEL = here('../models/dates-seq2seq.safetensors');
export const SENTIMENT_MODEL = here('../models/sentiment-lstm.safetensors');

/** The recorded run of "RNN, LSTM or GRU? — measured" (scripts/record-compare.mjs). */
export const COMPARE_RECORDED = here('../recorded/compare-run.json');

/** The sentiment model trained in TF.js (tests/fixtures/make_tfjs_sentiment_fixture.mjs) and TF.js's results for it. */
export const TFJS_SENTIMENT_MODEL = here('../../tests/fixtures/tfjs_sentiment/model.json');
export const TFJS_SENTIMENT_WEIGHTS = here('../../tests/fixtures/tfjs_sentiment/model.weights.bin');
export const TFJS_SENTIMENT_EXPECTED = here('../../tests/fixtures/tfjs_sentiment/expected.json');

/** The spoken-digit recogniser (examples/digits.mjs) and three held-out test clips (8-bit mu-law, 16 kHz; scripts/make-digits.mjs's test set, voices never heard in training, 10 dB noise). */
export const DIGITS_MODEL = here('../models/digits-lstm.safetensors');
export const DIGITS_CLIPS = [
  { url: here('../audio/digits-9680.wav'), digits: [9, 6, 8, 0], voice: 'en-029+norbert, white noise' },
  { url: here('../audio/digits-108.wav'), digits: [1, 0, 8], voice: 'en-gb-x-gbclan+f5, brown noise' },
  { url: here('../audio/digits-3262.wav'), digits: [3, 2, 6, 2], voice: 'en-gb-x-gbclan+m7, pink noise' },
];
