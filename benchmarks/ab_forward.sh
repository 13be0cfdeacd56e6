#!/usr/bin/env bash
# Paired, interleaved A/B of two deepanat jars on the f=48 64³ forward pass (issue 13, forward part).
#   benchmarks/ab_forward.sh A.jar B.jar [rounds] [extra profile args...]
# Each round runs `profile --forward --filters 48 --block 64 --steps 3 --csv` with A, then with B (order alternates
# per round), and prints per-layer conv rows and the step time; raw CSV lands in benchmarks/target/ab-forward-*/.
# AB_KIND=whole (what benchmarks/ab_whole.sh sets) runs the whole-volume-size pass instead: --block 160 --warmup 0
# --steps 1 (predict pads HCP's 145×174×145 to 160×176×160), into benchmarks/target/ab-whole-*/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/.ci/find-jdk25"
source "$root/scripts/lib/launch.sh"
a="$1"; b="$2"; rounds="${3:-3}"; shift 3 || shift $#
kind="${AB_KIND:-forward}"
case "$kind" in
  forward) shape=(--block 64 --warmup 2 --steps 3) ;;
  whole) shape=(--block 160 --warmup 0 --steps 1) ;;
  *) echo "ab_forward: AB_KIND must be forward or whole, not '$kind'" >&2; exit 2 ;;
esac
out="$root/benchmarks/target/ab-$kind-$(date -u +%H%M%S)"; mkdir -p "$out"
echo "load before: $(uptime)" | tee "$out/load.txt"
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then order="A B"; else order="B A"; fi
  for v in $order; do
    jar=$a; [[ $v == B ]] && jar=$b
    deepanat_run "$JAVA_HOME/bin/java" "$jar" profile --forward --filters 48 "${shape[@]}" --top 60 --csv "$@" \
      > "$out/$v-$r.csv" 2> "$out/$v-$r.err" || { cat "$out/$v-$r.err"; exit 1; }
    echo "round $r $v done $(uptime | sed 's/.*load/load/')"
  done
done
echo "load after: $(uptime)" | tee -a "$out/load.txt"
echo "$out"
