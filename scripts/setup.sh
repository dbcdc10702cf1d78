#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: npm devDependencies, and with
# --test the system packages the tests need (the three browser engines the
# browser tests drive: Chromium, Firefox ESR, WebKitGTK's MiniBrowser with
# WebKitWebDriver and Xvfb for its window), with
# --bench those the benchmark compares against (PyTorch on OpenBLAS, clang);
# --test also espeak-ng and sox (the spoken-digit data of scripts/make-digits.mjs) and
# torchaudio (its PyTorch anchor, tools/train_digits.py).
# Emscripten is installed by build.sh when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || { echo "setup.sh: $* missing and apt-get is not available; install it by hand" >&2; exit 1; }
  echo "setup.sh: installing $* with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# npm dependencies: install when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # (onnxruntime-node's install script would fetch optional CUDA binaries: skipped, see .npmrc)
  export ONNXRUNTIME_NODE_INSTALL=skip
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  [ -x /usr/bin/firefox-esr ] || apt_install firefox-esr
  { [ -x /usr/bin/WebKitWebDriver ] && [ -x /usr/bin/Xvfb ]; } || apt_install webkit2gtk-driver xvfb
  # PyTorch interop tests run the tools/ scripts with Debian's torch (with torch.distributed:
  # tests/ddp.test.mjs runs tools/train_ddp.py under torchrun, gloo backend).
  /usr/bin/python3 -c "import torch" 2>/dev/null || apt_install python3-torch
  # ONNX tests: the checker (onnx.checker.check_model), the protobuf library and the
  # fixtures' script (tests/fixtures/make_onnx_fixtures.py), Debian's python3-onnx.
  /usr/bin/python3 -c "import onnx" 2>/dev/null || apt_install python3-onnx
  # Sanitizer builds and libFuzzer targets (./build.sh sanitize, fuzz): clang and its runtimes.
  command -v clang >/dev/null 2>&1 || apt_install clang
  dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || apt_install libclang-rt-14-dev
  # Spoken digits for the CTC recogniser (scripts/make-digits.mjs).
  command -v espeak-ng >/dev/null 2>&1 || apt_install espeak-ng
  command -v sox >/dev/null 2>&1 || apt_install sox
  # torchaudio: the PyTorch anchor of the recogniser (tools/train_digits.py: Kaldi fbank) and the
  # fbank fixtures' script.
  /usr/bin/python3 -c "import torchaudio" 2>/dev/null || apt_install python3-torchaudio
fi

if [ "${1:-}" = "--bench" ]; then
  /usr/bin/python3 -c "import torch" 2>/dev/null || apt_install python3-torch
  # Debian's torch calls libblas.so.3: the reference BLAS unless an optimised
  # one is there. bench/run.mjs points it at OpenBLAS's one-thread build.
  [ -e /usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3 ] || [ -e /usr/lib/aarch64-linux-gnu/openblas-serial/libblas.so.3 ] \
    || apt_install libopenblas0-serial
  command -v clang >/dev/null 2>&1 || apt_install clang
fi
