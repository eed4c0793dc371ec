#!/bin/bash
# Compares bench:goal of two checkouts under the same load: both run at once, one pinned to each
# of the first two CPUs, swapping CPUs each round. On a shared host whose speed drifts by a third
# from minute to minute, runs one after the other do not compare; side by side, identical code
# came within 2% of itself. Needs two CPUs and taskset (Linux).
#   bash bench/compare.sh DIR_A DIR_B [ROUNDS] ["node flags for A"] ["node flags for B"]
set -euo pipefail
A=$(cd "$1" && pwd); B=$(cd "$2" && pwd); N=${3:-4}; FA=${4:-}; FB=${5:-}
[ "$N" -ge 1 ] || { echo "ROUNDS must be at least 1" >&2; exit 2; }
# Each checkout's bench:goal node flags, as its package.json has them.
flags() { node -p "require('$1/package.json').scripts['bench:goal'].replace(/^taskset -c 0 node /, '').replace(/ --import tsx bench\/goal\.ts$/, '')"; }
GA=$(flags "$A"); GB=$(flags "$B")
echo "A: $A, node flags: $GA $FA"
echo "B: $B, node flags: $GB $FB"
OUT=$(mktemp -d)
wall() { grep 'wall time' "$1" | awk '{print $3}'; }
sa=0; sb=0
for i in $(seq "$N"); do
  if [ $((i % 2)) = 1 ]; then ca=0; cb=1; else ca=1; cb=0; fi
  # shellcheck disable=SC2086
  (cd "$A" && taskset -c $ca node $GA $FA --import tsx bench/goal.ts > "$OUT/a" 2>&1) &
  # shellcheck disable=SC2086
  (cd "$B" && taskset -c $cb node $GB $FB --import tsx bench/goal.ts > "$OUT/b" 2>&1) &
  wait
  wa=$(wall "$OUT/a"); wb=$(wall "$OUT/b")
  echo "round $i: A $wa s (cpu $ca)  B $wb s (cpu $cb)"
  sa=$(echo "$sa + $wa" | bc); sb=$(echo "$sb + $wb" | bc)
done
echo "mean: A $(echo "scale=1; $sa / $N" | bc) s  B $(echo "scale=1; $sb / $N" | bc) s"
rm -rf "$OUT"
