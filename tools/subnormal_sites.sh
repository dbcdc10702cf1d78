#!/usr/bin/env bash
# tools/subnormal_sites.sh [case] [cell]: builds tools/subnormal_sites.c with
# the engine's C natively (-O1 -g, no inlining, so lines are exact) and prints
# the source lines where results underflowed (subnormals born), with counts,
# most first. Default: every case for LSTM, GRU and RNN. x86-64 Linux only.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
cc -std=c11 -O1 -g -fno-inline -no-pie -ffp-contract=off -Isrc tools/subnormal_sites.c src/*.c -lm \
  -o build/subnormal_sites
cases=${1:-"train1000 saturated tinyin stream linear"}
cells=${2:-"2 3 0"}
for c in $cases; do
  for cell in $cells; do
    [ "$c" = linear ] && [ "$cell" != "${cells%% *}" ] && continue
    echo "== $c cell $cell"
    build/subnormal_sites "$c" "$cell" | while read -r ip n; do
      echo "$n $(addr2line -f -e build/subnormal_sites "$ip" | paste -sd' ' | sed 's| (discriminator [0-9]*)||; s|'"$PWD"'/||')"
    done | awk '{c[$2" "$3]+=$1} END {for (k in c) print c[k], k}' | sort -rn | head -15
  done
done
