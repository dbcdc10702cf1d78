// (d) Custom hosting in Node: this project's node_modules/rnn-wasm has NO
// .wasm next to its JS (the test moved them to ./hosted/), so the engine
// loads only through init({ locateFile }) or init({ wasmBinary }).
import { readFile } from 'node:fs/promises';
import { init } from 'rnn-wasm';
import { runCase } from './case.mjs';

const calls = [];
const locate = (file) => { calls.push(file); return new URL(`./hosted/${file}`, import.meta.url); };

const viaLocateFile = runCase(await init({ locateFile: locate }));
// locateFile may return a string too; simd: false asks for rnn-scalar.wasm.
const scalar = runCase(await init({ simd: false, locateFile: (f) => locate(f).href }));
const bytes = await readFile(new URL('./hosted/rnn.wasm', import.meta.url));
const viaWasmBinary = runCase(await init({ wasmBinary: bytes }));
const viaArrayBuffer = runCase(await init({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }));

let defaultError = null;
try { await init(); } catch (e) { defaultError = String(e?.message ?? e); }

console.log(JSON.stringify({ calls, viaLocateFile, scalar, viaWasmBinary, viaArrayBuffer, defaultError }));
