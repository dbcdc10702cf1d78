#!/usr/bin/env bash
# Builds rnn-wasm.
#   ./build.sh          dist/: rnn.wasm (SIMD128), rnn-scalar.wasm, rnn-mt.wasm,
#                       rnn-relaxed.wasm + rnn-relaxed-kernels.wasm, the JS wrapper
#   ./build.sh tests    build/: C test programs (wasm SIMD, wasm scalar, native)
#   ./build.sh bench    build/: benchmark programs
#   ./build.sh sanitize build/: C test programs, native, with AddressSanitizer
#                       and UndefinedBehaviorSanitizer (<name>_asan)
#   ./build.sh fuzz     build/: libFuzzer targets fuzz/fuzz_*.c (clang)
#   ./build.sh all      all of the above
# Installs Debian's emscripten with apt when emcc is missing, clang-19 and
# lld-19 (the relaxed-SIMD kernels) when they are, and Debian's
# clang and libclang-rt-14-dev (sanitizer and libFuzzer runtimes) when the
# sanitize or fuzz builds need them.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "build.sh: $*" >&2; exit 1; }

ensure_emcc() {
  command -v emcc >/dev/null 2>&1 && return 0
  echo "build.sh: emcc not found; installing Debian's emscripten package" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "emcc is missing and apt-get is not available: install Emscripten (>= 3.1.6) and put emcc on PATH"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq emscripten >/dev/null; } \
    || die "could not install emscripten with apt-get; install it by hand (apt-get install emscripten) and rerun"
  command -v emcc >/dev/null 2>&1 || die "emscripten installed but emcc is still not on PATH"
}

# The relaxed-SIMD kernel module: Emscripten 3.1.6's clang 14 emits the
# pre-standard relaxed opcodes and its binaryen cannot read the standard
# ones, so Debian's clang-19 and wasm-ld-19 build it.
ensure_clang19() {
  command -v clang-19 >/dev/null 2>&1 && command -v wasm-ld-19 >/dev/null 2>&1 && return 0
  echo "build.sh: clang-19 / wasm-ld-19 not found; installing Debian's clang-19 and lld-19" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "clang-19 and wasm-ld-19 are missing and apt-get is not available: install clang-19 and lld-19"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang-19 lld-19 >/dev/null; } \
    || die "could not install clang-19 and lld-19 with apt-get; install them by hand and rerun"
}

# Debian's emcc needs acorn from the system Node modules when it optimises JS.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"

LIB_SRC=(src/*.c)
# The shipped engines leave the int8 products (src/qgemm*.c) to rnn-int8*.wasm,
# fetched by rnn.loadInt8() (RNN_INT8_LAZY, src/int8_link.c); the C tests and
# fuzz targets link them in.
INT8_SRC=(src/qgemm.c src/qgemm_scalar.c src/qgemm_wasmsimd.c src/qgemm_relaxed.c)
ENGINE_SRC=()
for f in "${LIB_SRC[@]}"; do [[ " ${INT8_SRC[*]} " == *" $f "* ]] || ENGINE_SRC+=("$f"); done
# What rnn-int8*.wasm exports, in the order of rnn_int8_ops (rnn_internal.h).
INT8_EXPORTS=(rnn_qgemm_packed_size rnn_qgemm_pack rnn_qgemm_workspace_size rnn_qgemm_packed rnn_qgemm_snap_row
  rnn_qgemv2_packed)
GEMM_SRC=(src/gemm.c src/gemm_scalar.c src/gemm_wasmsimd.c src/parallel.c)
# What rnn-relaxed-kernels.wasm exports and rnn-relaxed.wasm imports (gemm.h's RNN_KERNEL).
RELAXED_KERNELS=(rnn_gemm_4x8__wasmsimd rnn_gemm_1x8__wasmsimd rnn_gemm_4x8_pa__wasmsimd rnn_gemv_1x28__wasmsimd)
WARN=(-Wall -Wextra -Wno-unused-parameter)

build_dist() {
  ensure_emcc
  mkdir -p dist build
  # Standalone wasm: our own loader (js/loader.js) instantiates it, so it works
  # the same in Node ESM, browsers, workers and bundlers.
  local common=(-std=c11 -O3 "${WARN[@]}" --no-entry -sSTANDALONE_WASM=1
    -sALLOW_MEMORY_GROWTH=1 -sABORTING_MALLOC=0 -sINITIAL_MEMORY=4MB
    -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=262144 -sFILESYSTEM=0
    -sEXPORTED_FUNCTIONS=_malloc,_free -DRNN_INT8_LAZY -sALLOW_TABLE_GROWTH=1 ${RNN_CFLAGS:-})
  emcc "${ENGINE_SRC[@]}" "${common[@]}" -msimd128 -o dist/rnn.wasm
  emcc "${ENGINE_SRC[@]}" "${common[@]}" -o dist/rnn-scalar.wasm
  # Multi-threaded (init({ threads })): the same engine on an imported shared
  # memory, which helper workers instantiate too (js/threads.js). Passive data
  # segments, initialised once by whichever instance starts first.
  emcc "${ENGINE_SRC[@]}" "${common[@]}" -msimd128 -matomics -mbulk-memory \
    -Wl,--shared-memory -sIMPORTED_MEMORY=1 -o dist/rnn-mt.wasm
  build_relaxed
  build_int8
  # The wrapper's modules: no module a rename left behind may ship.
  find dist -name '*.js' -delete
  find dist -mindepth 1 -type d -empty -delete
  cp js/*.d.ts dist/
  if [ -d node_modules/esbuild ]; then
    node scripts/minify.mjs js dist
  else
    echo "build.sh: esbuild not installed (npm ci): copying the JS wrapper unminified" >&2
    (cd js && find . -name '*.js' -exec cp --parents {} ../dist/ \;)
  fi
  echo "build.sh: dist/rnn.wasm $(stat -c %s dist/rnn.wasm) bytes, dist/rnn-scalar.wasm $(stat -c %s dist/rnn-scalar.wasm) bytes, dist/rnn-mt.wasm $(stat -c %s dist/rnn-mt.wasm) bytes, dist/rnn-relaxed.wasm + kernels $(stat -c %s dist/rnn-relaxed.wasm) + $(stat -c %s dist/rnn-relaxed-kernels.wasm) bytes"
}

# Relaxed SIMD (init({ build: 'relaxed' })): the engine with the GEMM kernels
# left undefined (RNN_KERNELS_IMPORTED: gemm.h makes them imports) on an
# imported memory, and the kernels with f32x4.relaxed_madd as a module of
# their own on that memory (src/relaxed/). js/loader.js joins them.
build_relaxed() {
  ensure_clang19
  local exports=()
  for k in "${RELAXED_KERNELS[@]}"; do exports+=("--export=$k"); done
  local objects=()
  for f in src/relaxed/*.c; do
    clang-19 --target=wasm32 -msimd128 -mrelaxed-simd -O3 -std=c11 "${WARN[@]}" \
      -isystem "$(em-config CACHE)/sysroot/include" -c "$f" -o "build/relaxed-$(basename "$f" .c).o"
    objects+=("build/relaxed-$(basename "$f" .c).o")
  done
  # No data segment (it would overwrite the engine's memory) and no stack of
  # its own: the loader points __stack_pointer at a block of the engine's heap.
  wasm-ld-19 --no-entry --import-memory --strip-all -z stack-size=0 --export=__stack_pointer \
    "${exports[@]}" "${objects[@]}" -o dist/rnn-relaxed-kernels.wasm
  # The kernels are undefined on purpose (emcc warns about each, in the log);
  # any other undefined symbol would become an env import: refused below.
  emcc "${ENGINE_SRC[@]}" "${common[@]}" -msimd128 -DRNN_KERNELS_IMPORTED -sIMPORTED_MEMORY=1 \
    -sERROR_ON_UNDEFINED_SYMBOLS=0 -o dist/rnn-relaxed.wasm 2>build/relaxed-link.log \
    || { cat build/relaxed-link.log >&2; die "linking dist/rnn-relaxed.wasm failed"; }
  KERNELS="${RELAXED_KERNELS[*]}" node -e '
    const m = new WebAssembly.Module(require("fs").readFileSync("dist/rnn-relaxed.wasm"));
    const want = ["env.emscripten_notify_memory_growth", "env.memory", ...process.env.KERNELS.split(" ").map((k) => "kernels." + k)];
    const got = WebAssembly.Module.imports(m).map((i) => i.module + "." + i.name);
    if (got.sort().join() !== want.sort().join()) {
      console.error(`build.sh: rnn-relaxed.wasm imports ${got.join(", ")}; expected ${want.join(", ")} (an undefined symbol?)`);
      process.exit(1);
    }'
}

# The int8 products as modules of their own on an engine's memory and
# function table (the callbacks of rnn_qgemm_pack are the engine's):
# rnn-int8.wasm (SIMD128), rnn-int8-scalar.wasm, rnn-int8-mt.wasm (SIMD128 on
# rnn-mt.wasm's shared memory), rnn-int8-relaxed.wasm (the relaxed engine's:
# qgemm.h's c4 flavour on relaxed SIMD's int8 dot) and, for the tests, the
# same with the scalar c4 kernels (build/rnn-int8-relaxed-ref.wasm). No data and no
# stack of their own (js/int8.js points __stack_pointer at a block of the
# engine's heap); build_int8 refuses a module with a data or element segment.
build_int8() {
  ensure_clang19
  local exports=()
  for f in "${INT8_EXPORTS[@]}"; do exports+=("--export=$f"); done
  local variant
  for variant in simd scalar mt relaxed relaxed-ref; do
    local flags=() ldflags=() out=dist/rnn-int8.wasm objects=()
    case $variant in
      simd) flags=(-msimd128 -mbulk-memory) ;;
      scalar) flags=(-mbulk-memory) out=dist/rnn-int8-scalar.wasm ;;
      mt) flags=(-msimd128 -mbulk-memory -matomics) ldflags=(--shared-memory --max-memory=2147483648)
        out=dist/rnn-int8-mt.wasm ;;
      relaxed) flags=(-msimd128 -mrelaxed-simd -mbulk-memory -DRNN_QGEMM_C4) out=dist/rnn-int8-relaxed.wasm ;;
      relaxed-ref) flags=(-msimd128 -mrelaxed-simd -mbulk-memory -DRNN_QGEMM_C4 -DRNN_QGEMM_C4_SCALAR)
        out=build/rnn-int8-relaxed-ref.wasm ;;
    esac
    for f in "${INT8_SRC[@]}"; do
      local o="build/int8-$variant-$(basename "$f" .c).o"
      clang-19 --target=wasm32 "${flags[@]}" -O3 -std=c11 "${WARN[@]}" -DRNN_INT8_MODULE \
        -isystem "$(em-config CACHE)/sysroot/include" -c "$f" -o "$o"
      objects+=("$o")
    done
    wasm-ld-19 --no-entry --import-memory --import-table --strip-all -z stack-size=0 \
      --export=__stack_pointer "${ldflags[@]}" "${exports[@]}" "${objects[@]}" -o "$out"
    # sections 9 (element) and 11 (data) of the binary format
    node -e '
      const b = require("fs").readFileSync(process.argv[1]);
      for (let p = 8; p < b.length;) {
        const id = b[p++];
        let size = 0, shift = 0, x;
        do { x = b[p++]; size |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
        if (id === 9 || id === 11) process.exit(1);
        p += size;
      }' "$out" || die "$out has a data or element segment: it would write over the engine's memory or table"
  done
}

# A C program built three ways: wasm SIMD, wasm scalar (both run by node) and native.
build_c_program() { # name, sources...
  local name=$1; shift
  mkdir -p build
  printf '{ "type": "commonjs" }\n' > build/package.json
  local em=(-std=c11 -O2 "${WARN[@]}" -Isrc -sSINGLE_FILE=1 -sENVIRONMENT=node
    -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1)
  emcc "$@" "${em[@]}" -msimd128 -o "build/${name}_simd.js"
  emcc "$@" "${em[@]}" -o "build/${name}_scalar.js"
  cc -std=c11 -O2 -ffp-contract=off "${WARN[@]}" -Isrc "$@" -lm -o "build/${name}_native"
}

build_tests() {
  ensure_emcc
  for t in tests/c/test_*.c; do
    [ -e "$t" ] || continue
    build_c_program "$(basename "$t" .c)" "$t" "${LIB_SRC[@]}"
  done
}

build_bench() {
  ensure_emcc
  mkdir -p build
  printf '{ "type": "commonjs" }\n' > build/package.json
  emcc bench/gemm_bench.c "${GEMM_SRC[@]}" -std=c11 -O3 -Isrc -msimd128 -sSINGLE_FILE=1 \
    -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -o build/gemm_bench.js
  emcc bench/qgemm_bench.c "${GEMM_SRC[@]}" src/qgemm*.c -std=c11 -O3 -Isrc -msimd128 -sSINGLE_FILE=1 \
    -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -o build/qgemm_bench.js
}

# Native builds with sanitizers. Clang is preferred (the fuzz build needs it
# anyway); gcc is the fallback for the sanitize build.
SAN_FLAGS=(-std=c11 -g -O1 -fno-omit-frame-pointer -ffp-contract=off
  -fsanitize=address,undefined -fno-sanitize-recover=all)

# Does $1 compile and link a program with the flags after it?
can_link() { # compiler, flags...
  local compiler=$1; shift
  command -v "$compiler" >/dev/null 2>&1 || return 1
  local dir
  dir=$(mktemp -d)
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n ? 0 : 0; }\n#ifndef FUZZ\nint main(void) { return 0; }\n#endif\n' > "$dir/t.c"
  local ok=1
  if "$compiler" "$@" "$dir/t.c" -o "$dir/t" >/dev/null 2>&1; then ok=0; fi
  rm -rf "$dir"
  return $ok
}

# clang with the sanitizer and libFuzzer runtimes (Debian: clang, libclang-rt-14-dev).
ensure_clang_rt() {
  can_link clang -DFUZZ -fsanitize=fuzzer,address,undefined && return 0
  echo "build.sh: clang with libFuzzer not usable; installing Debian's clang and libclang-rt-14-dev" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "clang's sanitizer runtimes are missing and apt-get is not available: install clang and libclang-rt-14-dev"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; } \
    || die "could not install clang with apt-get; install it by hand (apt-get install clang libclang-rt-14-dev) and rerun"
  can_link clang -DFUZZ -fsanitize=fuzzer,address,undefined \
    || die "clang is installed but cannot link -fsanitize=fuzzer,address,undefined"
}

build_sanitize() {
  local compiler=clang
  if ! can_link clang "${SAN_FLAGS[@]}"; then
    if can_link cc "${SAN_FLAGS[@]}"; then compiler=cc; else ensure_clang_rt; fi
  fi
  mkdir -p build
  for t in tests/c/test_*.c; do
    [ -e "$t" ] || continue
    local name
    name=$(basename "$t" .c)
    "$compiler" "${SAN_FLAGS[@]}" "${WARN[@]}" -Isrc "$t" "${LIB_SRC[@]}" -lm -o "build/${name}_asan"
  done
  echo "build.sh: sanitizer builds ($compiler) of tests/c/test_*.c in build/*_asan"
}

build_fuzz() {
  ensure_clang_rt
  mkdir -p build
  for f in fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    clang -std=c11 -g -O1 -fno-omit-frame-pointer -ffp-contract=off "${WARN[@]}" \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc \
      "$f" "${LIB_SRC[@]}" -lm -o "build/$(basename "$f" .c)"
  done
  echo "build.sh: libFuzzer targets in build/fuzz_*"
}

case "${1:-dist}" in
  dist) build_dist ;;
  tests) build_tests ;;
  bench) build_bench ;;
  sanitize) build_sanitize ;;
  fuzz) build_fuzz ;;
  all) build_dist; build_tests; build_bench; build_sanitize; build_fuzz ;;
  *) die "unknown target '$1' (dist, tests, bench, sanitize, fuzz, all)" ;;
esac
