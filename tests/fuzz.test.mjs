// Bounded fuzzing, as part of the test suite:
// - each libFuzzer target built by `./build.sh fuzz` (build/fuzz_model,
//   build/fuzz_layers; clang -fsanitize=fuzzer,address,undefined) runs for a
//   fixed time from its committed seed corpus (fuzz/corpus/<target>, which
//   includes regress-* inputs of bugs found before), and must finish with
//   exit 0, no sanitizer or check failure, and a minimum number of runs;
// - a mutation loop over safetensors.parse (fuzz/fuzz_safetensors.mjs), where
//   every input must parse or throw RnnError FORMAT / UNSUPPORTED;
// - a mutation loop over int8 loading (fuzz/fuzz_int8_load.mjs): every file
//   loads and runs, or a typed RnnError leaves the model unchanged;
// - a mutation loop over loadLayersModel (fuzz/fuzz_layers_model.mjs), where
//   every model must load and run, or throw a typed RnnError;
// - a mutation loop over loadOnnx (fuzz/fuzz_onnx.mjs), likewise;
// - a mutation loop over the speech clips' wav decoder (fuzz/fuzz_wav.mjs),
//   where every file must decode to samples in [-1, 1] or throw 'wav: ...'.
// Longer runs: see fuzz/README.md. FUZZ_SECONDS overrides the time per target.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const seconds = Number(process.env.FUZZ_SECONDS ?? 20);
const tmp = mkdtempSync(join(tmpdir(), 'rnn-wasm-fuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const env = {
  ...process.env,
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

for (const [target, minRuns] of [['fuzz_model', 1000], ['fuzz_layers', 5000]]) {
  test(`libFuzzer ${target} for ${seconds} s`, () => {
    const bin = join(root, 'build', target);
    assert.ok(existsSync(bin), `${bin} is missing: run ./build.sh fuzz first (needs clang and libclang-rt-14-dev)`);
    const seeds = join(root, 'fuzz', 'corpus', target.replace(/^fuzz_/, ''));
    assert.ok(existsSync(seeds) && readdirSync(seeds).length > 0, `no seed corpus in ${seeds}`);
    // New inputs go to the first (scratch) directory; the seed corpus is only read.
    const scratch = mkdtempSync(join(tmp, `${target}-`));
    const run = spawnSync(bin, [
      scratch, seeds, `-max_total_time=${seconds}`, '-rss_limit_mb=2048', '-timeout=20',
      '-print_final_stats=1', `-artifact_prefix=${scratch}/`,
    ], { encoding: 'utf8', env, maxBuffer: 256 << 20, timeout: (seconds + 120) * 1000 });
    assert.equal(run.error, undefined, `${target} could not run: ${run.error}`);
    const log = run.stderr ?? '';
    const tail = log.split('\n').filter((l) => !/^#\d+\s+(NEW|REDUCE|pulse)/.test(l)).join('\n').slice(-8000);
    assert.doesNotMatch(log, /runtime error|ERROR: AddressSanitizer|ERROR: LeakSanitizer|ERROR: libFuzzer|fuzz check failed/,
      `${target} found a problem (the input is saved in ${scratch}):\n${tail}`);
    assert.equal(run.status, 0, `${target} exited with ${run.status} (signal ${run.signal}):\n${tail}`);
    const runs = Number(/stat::number_of_executed_units:\s*(\d+)/.exec(log)?.[1] ?? NaN);
    assert.ok(runs >= minRuns, `${target} executed ${runs} inputs in ${seconds} s, want >= ${minRuns}:\n${tail}`);
    console.log(`${target}: ${runs} inputs in ${seconds} s, no crash`);
  });
}

/**
 * Runs a fuzz/*.mjs loop at seed 1 (the same inputs every run) and at a new seed
 * (new inputs each run); a failure names the command that replays it.
 */
async function fuzzTwoSeeds(file, loop, iterations, options, expectCounts) {
  const { [loop]: run } = await import(`../fuzz/${file}`); // loads dist/, which the C targets above do not need
  for (const seed of [1, (Date.now() % 1_000_000) + 2]) {
    let counts;
    try {
      counts = await run({ iterations, seed, ...options });
    } catch (e) {
      assert.fail(`seed ${seed} (replay: node fuzz/${file} ${iterations} ${seed}): ${e.message}`);
    }
    assert.equal(counts.runs, iterations);
    assert.ok(expectCounts(counts), `seed ${seed}: ${JSON.stringify(counts)}`);
  }
}

test('safetensors.parse under 4,000 mutated files: parses or throws FORMAT / UNSUPPORTED', { timeout: 120_000 }, () =>
  fuzzTwoSeeds('fuzz_safetensors.mjs', 'fuzzSafetensors', 2000, { slowMs: 5000 }, (c) => c.ok > 0 && c.FORMAT > 0));

test('int8 loading (parse + loadStateDict) under 3,000 mutated int8 files: loads and runs, or a typed error with the model unchanged', { timeout: 180_000 }, () =>
  fuzzTwoSeeds('fuzz_int8_load.mjs', 'fuzzInt8Load', 1500, {}, (c) => c.loaded > 0 && c.rejected > 0));

test('loadLayersModel under 3,000 mutated TF.js models: builds a model that runs, or throws a typed RnnError', { timeout: 180_000 }, () =>
  fuzzTwoSeeds('fuzz_layers_model.mjs', 'fuzzLayersModel', 1500, { slowMs: 5000 }, (c) => c.ok > 0 && c.FORMAT > 0 && c.UNSUPPORTED > 0));

test('loadOnnx under 3,000 mutated ONNX files: builds a model that runs, or throws a typed RnnError', { timeout: 180_000 }, () =>
  fuzzTwoSeeds('fuzz_onnx.mjs', 'fuzzOnnx', 1500, { slowMs: 5000 }, (c) => c.ok > 0 && c.FORMAT > 0 && c.UNSUPPORTED > 0));

test('decodeWav (the page\'s speech clips) under 20,000 mutated files: decodes or throws a wav: Error', () =>
  fuzzTwoSeeds('fuzz_wav.mjs', 'fuzzWav', 10000, {}, (c) => c.ok > 0 && c.refused > 0));
