// Runs inside the worker thread started by thread-main.mjs.
import { isMainThread, parentPort, threadId } from 'node:worker_threads';
import { init } from 'rnn-wasm';
import { runCase } from './case.mjs';

const rnn = await init();
parentPort.postMessage({ isMainThread, threadId, result: runCase(rnn) });
