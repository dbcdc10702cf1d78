// golden.test.mjs - bitwise pins: every output, gradient, optimizer step,
// stream step, fit() run and decode of tests/helpers/golden-trace.mjs must
// equal the digests recorded before the issue-17 redesign
// (tests/fixtures/make_golden.mjs), on the SIMD and the scalar build.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, loadFixture } from './helpers/util.mjs';
import { goldenTrace } from './helpers/golden-trace.mjs';

const golden = loadFixture('golden.json');

for (const { simd, name } of BACKENDS) {
  test(`golden: bitwise the recorded outputs, gradients and steps (${name})`, async () => {
    const got = await goldenTrace(await init({ simd }));
    const want = golden[name];
    assert.ok(Object.keys(want).length > 200, 'the fixture holds the full trace');
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), 'the same records');
    const differ = Object.keys(want).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]));
    assert.deepEqual(differ.map((k) => [k, got[k], want[k]]).slice(0, 5), [], `${differ.length} records differ`);
  });
}
