// node bench/gemm.mjs: runs the GEMM benchmark built by `./build.sh bench`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('../build/gemm_bench.js', import.meta.url));
if (!existsSync(bench)) {
  console.error(`${bench} is missing: run ./build.sh bench first`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [bench], { stdio: 'inherit' });
process.exit(run.status ?? 1);
