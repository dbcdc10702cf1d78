// Runs every C test program built by `./build.sh tests` (tests/c/test_*.c),
// each in its three builds — wasm SIMD128, wasm scalar, native — and requires
// each to exit 0 with a final "N passed, 0 failed" line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const build = fileURLToPath(new URL('../build/', import.meta.url));
const sources = readdirSync(new URL('./c/', import.meta.url)).filter((f) => /^test_.*\.c$/.test(f));
assert.ok(sources.length >= 2, 'no C tests found in tests/c');

for (const src of sources) {
  const name = src.slice(0, -2);
  for (const [label, runner, file] of [
    ['wasm SIMD128', process.execPath, `${name}_simd.js`],
    ['wasm scalar', process.execPath, `${name}_scalar.js`],
    ['native', null, `${name}_native`],
  ]) {
    test(`C ${name} (${label})`, () => {
      const path = build + file;
      assert.ok(existsSync(path), `${path} is missing: run ./build.sh tests first`);
      const run = runner
        ? spawnSync(runner, [path], { encoding: 'utf8', maxBuffer: 64 << 20 })
        : spawnSync(path, [], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      assert.equal(run.error, undefined, `${file} could not run: ${run.error}`);
      assert.equal(run.status, 0, `${file} exited with ${run.status}:\n${output.slice(-4000)}`);
      assert.match(run.stdout, /^\d+ passed, 0 failed$/m, `${file}:\n${output.slice(-4000)}`);
    });
  }
}
