// Runs every C test program (tests/c/test_*.c) in its native build with
// AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer, made by
// `./build.sh sanitize` as build/<name>_asan. Each must exit 0 with a final
// "N passed, 0 failed" line and no sanitizer report on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const build = fileURLToPath(new URL('../build/', import.meta.url));
const sources = readdirSync(new URL('./c/', import.meta.url)).filter((f) => /^test_.*\.c$/.test(f));
assert.ok(sources.length >= 3, 'no C tests found in tests/c');

const env = {
  ...process.env,
  // allocator_may_return_null: the tests ask for absurd sizes and expect
  // RNN_E_NOMEM, i.e. malloc returning NULL instead of an ASan report.
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:halt_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

const REPORTS = [/runtime error/, /ERROR: AddressSanitizer/, /LeakSanitizer/, /SUMMARY: \w+Sanitizer/];

for (const src of sources) {
  const name = src.slice(0, -2);
  test(`C ${name} (native, ASan + UBSan)`, () => {
    const path = `${build}${name}_asan`;
    assert.ok(existsSync(path), `${path} is missing: run ./build.sh sanitize first`);
    const run = spawnSync(path, [], { encoding: 'utf8', env, maxBuffer: 64 << 20, timeout: 300_000 });
    assert.equal(run.error, undefined, `${name}_asan could not run: ${run.error}`);
    const stderr = run.stderr ?? '';
    const output = `${run.stdout ?? ''}${stderr}`;
    for (const re of REPORTS) {
      assert.doesNotMatch(stderr, re, `${name}_asan: sanitizer report:\n${stderr.slice(-6000)}`);
    }
    assert.equal(run.status, 0, `${name}_asan exited with ${run.status} (signal ${run.signal}):\n${output.slice(-4000)}`);
    assert.match(run.stdout, /^\d+ passed, 0 failed$/m, `${name}_asan:\n${output.slice(-4000)}`);
  });
}
