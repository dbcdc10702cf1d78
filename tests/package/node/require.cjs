// (b) CommonJS consumer: `require('rnn-wasm')`. The package is ESM only;
// Node >= 20.19 / >= 22.12 loads it through require(esm) (the package's
// module graph has no top-level await, which that needs). Prints one JSON line.
'use strict';
const { init } = require('rnn-wasm');
const { runCase } = require('./case.mjs');

init().then((rnn) => {
  console.log(JSON.stringify({ resolved: require.resolve('rnn-wasm'), result: runCase(rnn) }));
}, (err) => {
  console.error(err);
  process.exitCode = 1;
});
