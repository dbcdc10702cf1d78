// paths.js - where the page finds what it loads besides its own modules.
// Everything is relative to this file, so the page works at any URL prefix.
// In the repository the page is served from the repo root (npm start), so the
// npm packages are in node_modules/ and the data in data/. scripts/build-site.mjs
// copies what the page needs into build/site/ and rewrites the marked
// strings below ("node_modules/" -> "vendor/", "tests/fixtures/" ->
// "data/pytorch/"): keep every vendor and fixture path in this file.

const here = (rel) => new URL(rel, import.meta.url).href;

/** Third-party files from npm (uPlot, KaTeX, Inter), by package path. */
export const vendor = (path) => here(`../../node_modules/${path}`);

/** The datasets of data/ (fetched, parsed in playground-worker.js). */
export const dataFile = (path) => here(`../../data/${path}`);

/** The PyTorch-trained SentimentLSTM and the logits PyTorch computed for it. */
export const PYTORCH_MODEL = here('../../tests/fixtures/sentiment_torch.safetensors');
export const PYTORCH_LOGITS = here('../../tests/fixtures/sentiment_torch.json');

/** The sentiment model trained in TF.js (model.json, model.weights.bin, expected.json). */
export const TFJS_SENTIMENT = here('../../tests/fixtures/tfjs_sentiment/');

export const UPLOT_JS = vendor('uplot/dist/uPlot.esm.js');
export const UPLOT_CSS = vendor('uplot/dist/uPlot.min.css');
export const KATEX_JS = vendor('katex/dist/katex.mjs');
export const KATEX_CSS = vendor('katex/dist/katex.min.css');
