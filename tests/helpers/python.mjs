// Running Debian's /usr/bin/python3 (with python3-torch) from the Node tests:
// a missing interpreter or torch fails the test with what to install, never
// skips it (scripts/setup.sh --test installs python3-torch).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';
const INSTALL = 'these tests need Debian\'s PyTorch: scripts/setup.sh --test (sudo apt-get install python3-torch)';

/** Runs cmd (default PYTHON) with args; returns stdout, or fails the test with stderr. */
export function python(args, what, { cmd = PYTHON, env, timeout } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: env ?? process.env, timeout });
  if (r.error) assert.fail(`${what}: cannot run ${cmd} (${r.error.code}); ${INSTALL}`);
  if (r.status !== 0) {
    if (/No module named '?torch'?/.test(r.stderr)) assert.fail(`${what}: ${cmd} has no torch; ${INSTALL}`);
    assert.fail(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Runs PYTHON with args (and env added to the environment), expecting it to fail; returns its stderr (fails the test if it succeeds or has no torch). */
export function pythonFails(args, what, env = {}) {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (r.error) assert.fail(`${what}: cannot run ${PYTHON} (${r.error.code}); ${INSTALL}`);
  if (/No module named '?torch'?/.test(r.stderr)) assert.fail(`${what}: ${PYTHON} has no torch; ${INSTALL}`);
  assert.notEqual(r.status, 0, `${what} should fail; it printed:\n${r.stdout}`);
  return r.stderr;
}
