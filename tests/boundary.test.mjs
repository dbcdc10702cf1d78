// The boundary with C (issue 17): the status -> error-code table comes from
// C and names every status, no struct crosses by byte offset, and
// clipping's bad input is a status with its own message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, ErrorCode, RnnError } from '../dist/index.js';

for (const simd of [true, false]) {
  test(`every C status has its own RnnError code (${simd ? 'SIMD' : 'scalar'} build)`, async () => {
    const rnn = await init({ simd });
    const lin = new rnn.Linear({ inFeatures: 2, outFeatures: 1, seed: 1 });
    const core = lin._core;
    const n = core.x.rnn_status_count();
    assert.ok(n >= 6, `rnn_status_count() = ${n}`);
    assert.equal(core.statusCodes.length, n);
    assert.equal(core.statusCodes[0], 'OK');
    const seen = new Set();
    for (let s = 1; s < n; s++) {
      const code = core.statusCodes[s];
      assert.ok(Object.values(ErrorCode).includes(code), `status ${s} -> ${code} is not an ErrorCode`);
      assert.ok(!seen.has(code), `status ${s} shares the code ${code}`);
      seen.add(code);
      assert.throws(() => core.check(s, 'ctx'), (e) => e instanceof RnnError && e.code === code && /^ctx: /.test(e.message));
    }
    assert.equal(core.cstring(core.x.rnn_status_code(n)), 'UNKNOWN');
    lin.dispose();
  });

  test(`clipping's bad max_norm is a status with its own message (${simd ? 'SIMD' : 'scalar'} build)`, async () => {
    const rnn = await init({ simd });
    const lin = new rnn.Linear({ inFeatures: 2, outFeatures: 1, seed: 1 });
    const core = lin._core;
    for (const bad of [-1, NaN]) {
      const st = core.x.rnn_clip_grad_norm(0, 0, 0, bad, core.out);
      assert.equal(core.statusCodes[st], 'INVALID_ARGUMENT');
      assert.match(core.cstring(core.x.rnn_last_error()), /maxNorm must be a number >= 0/);
      assert.throws(() => core.check(st, 'clipGradNorm'), (e) => e.code === 'INVALID_ARGUMENT' && /maxNorm/.test(e.message));
    }
    assert.throws(() => rnn.clipGradNorm(lin.parameters(), -1), (e) => e.code === 'INVALID_ARGUMENT' && /maxNorm/.test(e.message));
    assert.equal(rnn.clipGradNorm(lin.parameters(), 1), 0);
    lin.dispose();
  });
}
