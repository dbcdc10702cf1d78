// node --experimental-wasm-relaxed-simd bench/qgemm_relaxed.mjs [rounds]
// The int8 products with relaxed SIMD's i8 dot against the engine's SIMD128
// kernels, at the kernel level (bench/qgemm_relaxed.c; built here with
// Debian's clang-19 and wasm-ld-19, as build.sh builds the relaxed module).
// Checks both give the same floats, then times alternating rounds (process
// CPU time, minimum per side). W5: one row, N 1024, K 256 (the step's h
// part); W4: 32 rows (a step) and 2048 rows of K 32 (the input projection).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'qgemm-relaxed-'));
const sysroot = spawnSync('em-config', ['CACHE'], { encoding: 'utf8' }).stdout.trim() + '/sysroot/include';
for (const [cmd, args] of [
  ['clang-19', ['--target=wasm32', '-msimd128', '-mrelaxed-simd', '-mbulk-memory', '-O3', '-std=c11', '-isystem', sysroot, '-I', join(here, '..', 'src'), '-c',
    join(here, 'qgemm_relaxed.c'), '-o', join(dir, 'q.o')]],
  ['wasm-ld-19', ['--no-entry', join(dir, 'q.o'), '-o', join(dir, 'q.wasm')]],
]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.error ?? ''}${r.stderr}`);
}
const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, 'q.wasm')));
const x = instance.exports;
const rounds = Number(process.argv[2] ?? 30);

const shapes = [['W5 step h*W_hh', 1, 1024, 256], ['W4 step h*W_hh', 32, 1024, 256], ['W4 x*W_ih (T*B)', 2048, 1024, 32]];
console.log(`int8 kernels, SIMD128 (dot_i16x8, c2 int16) vs relaxed (relaxed_dot_i8x16_i7x16, c4 int8), min CPU time of ${rounds} alternating rounds`);
for (const [what, M, N, K] of shapes) {
  x.setup(M, N, K);
  const outs = [0, 1].map((relaxed) => {
    x.run(relaxed, 1);
    return Float32Array.from({ length: M * N }, (_, i) => x.result(i));
  });
  const same = outs[0].every((v, i) => Object.is(v, outs[1][i]));
  const macs = M * N * K, reps = Math.max(1, Math.round(2e7 / macs));
  const best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++)
    for (const relaxed of [0, 1]) {
      const c0 = process.cpuUsage();
      x.run(relaxed, reps);
      const c = process.cpuUsage(c0);
      best[relaxed] = Math.min(best[relaxed], (c.user + c.system) / reps);
    }
  const gmacs = (us) => (macs / us / 1e3).toFixed(1);
  console.log(`${what.padEnd(16)} M ${M} N ${N} K ${K}: SIMD128 ${best[0].toFixed(2)} us (${gmacs(best[0])} GMAC/s), relaxed ${best[1].toFixed(2)} us (${gmacs(best[1])} GMAC/s), ${(best[0] / best[1]).toFixed(2)}x; same floats: ${same}`);
}
