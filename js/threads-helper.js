// threads-helper.js - one helper thread of the multi-threaded build
// (threads.js starts it): instantiates the engine's module on the shared
// memory, moves its stack pointer to its own stack, and runs
// rnn_thread_main(id), which takes parts of large products. After a few ms
// without work it returns RNN_THREAD_IDLE and this loop sleeps until the next
// job is published. No top-level await and no imports, so it loads as a
// module or classic worker.
const isNode = typeof process === 'object' && process.versions?.node != null;
const THREAD_IDLE = -1;
const SLEEP_MS = 50; // wake now and then, so that ending the worker is never held up

function run({ module, memory, id, stackTop }, post) {
  const imports = { env: { memory, emscripten_notify_memory_growth() {} } };
  WebAssembly.instantiate(module, imports).then(
    (instance) => {
      const x = instance.exports;
      x.stackRestore(stackTop); // before any call that could use the stack
      const seq = x.rnn_threads_seq() >> 2, done = x.rnn_threads_done(id) >> 2;
      post({ ready: id });
      let status;
      while ((status = x.rnn_thread_main(id)) === THREAD_IDLE) {
        // Sleep until a job is published (seq moves past this helper's done)
        // or rnn_threads_stop() notifies. A timed-out wait only waits again:
        // going back into rnn_thread_main would spin for ~2 ms each time.
        for (;;) {
          const words = new Int32Array(memory.buffer); // memory may have grown
          if (Atomics.wait(words, seq, Atomics.load(words, done), SLEEP_MS) !== 'timed-out') break;
        }
      }
      post({ stopped: id, status });
    },
    (e) => post({ error: String(e?.message ?? e) }),
  );
}

if (isNode) {
  const name = ['node', 'worker_threads'].join(':'); // opaque to bundlers and minifiers
  import(/* @vite-ignore */ /* webpackIgnore: true */ name).then(({ parentPort }) => {
    if (!parentPort) return;
    parentPort.once('message', (m) => run(m, (r) => parentPort.postMessage(r)));
  });
} else if (typeof self === 'object' && typeof self.postMessage === 'function') {
  self.addEventListener('message', (e) => run(e.data, (r) => self.postMessage(r)), { once: true });
}
