// (c) Node worker_threads: the package is imported and run inside a Worker;
// the main thread prints what the worker sent back (one JSON line).
import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./thread-worker.mjs', import.meta.url));
const result = await new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
  worker.once('exit', (code) => reject(new Error(`the worker exited (code ${code}) without a result`)));
});
await worker.terminate();
console.log(JSON.stringify(result));
