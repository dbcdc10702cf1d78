#!/usr/bin/env bash
# Builds the engine's C (src/*.c) plus bench/native/bench_native.c natively,
# to show what the wasm build costs on the same code:
#   build/bench_native        gcc -O3 -march=native (the configuration the issue names)
#   build/bench_native_clang  clang -O3 -march=native, when a clang is installed
# The engine's wasm SIMD128 kernels are #ifdef'd out natively, so the portable
# scalar kernels run, vectorised (or not) by the compiler for the host. gcc's
# -O3 loop vectoriser turns the 4x8 scalar GEMM tile into gathers along k
# (several times slower than gcc -O2 or clang -O3), hence the second binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build
SRC=(bench/native/bench_native.c src/*.c)
gcc -O3 -march=native -Isrc "${SRC[@]}" -lm -o build/bench_native
echo "bench/native/build.sh: build/bench_native ($(gcc --version | head -1), -O3 -march=native)"
CLANG=""
for c in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
  if command -v "$c" >/dev/null 2>&1; then CLANG=$c; break; fi
done
if [ -n "$CLANG" ]; then
  "$CLANG" -O3 -march=native -Isrc "${SRC[@]}" -lm -o build/bench_native_clang
  echo "bench/native/build.sh: build/bench_native_clang ($("$CLANG" --version | head -1), -O3 -march=native)"
else
  rm -f build/bench_native_clang
  echo "bench/native/build.sh: no clang found; skipping build/bench_native_clang"
fi
