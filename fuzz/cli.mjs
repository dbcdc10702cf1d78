// The command line the fuzz/*.mjs loops share: `node fuzz/<loop>.mjs [iterations] [seed]`
// runs one loop and prints its counts; imported by a test, the module only exports.
import { fileURLToPath } from 'node:url';

/** Runs `loop({ iterations, seed })` and prints its counts, if `moduleUrl` is the script node was started with. */
export async function runIfMain(moduleUrl, label, loop, defaultIterations) {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const iterations = Number(process.argv[2] ?? defaultIterations), seed = Number(process.argv[3] ?? 1);
  const t0 = performance.now();
  const counts = await loop({ iterations, seed });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${label}: ${counts.runs} mutated inputs in ${seconds} s: ${JSON.stringify(counts)}, 0 other exceptions`);
}
