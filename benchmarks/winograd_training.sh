#!/usr/bin/env bash
# Does a training run with the cpu backend's Winograd path reach the same validation loss as with the direct
# convolutions? Trains the demo's U-Net (8 filters, 4 levels, 32³ blocks, lr 1e-3, 30 epochs) on prepared phantom
# subjects three times: direct with seed 1, Winograd with seed 1, and direct with seed 2 (the run-to-run noise of a
# different weight initialization and block order), then prints each run's best and last validation loss.
#   benchmarks/winograd_training.sh DATA_DIR [OUT_DIR]
# DATA_DIR: prepared subjects sub-01..sub-05, e.g. the data/ folder of `bin/deepanat demo --out X`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:?usage: winograd_training.sh DATA_DIR [OUT_DIR]}" out="${2:-/tmp/winograd-training}"
mkdir -p "$out"
run() {  # name winograd seed
  rm -rf "$out/$1"
  DEEPANAT_CPU_WINOGRAD="$2" DEEPANAT_JAVA_OPTS="-Ddeepanat.progress=plain ${DEEPANAT_JAVA_OPTS:-}" \
    "$root/bin/deepanat" train --data "$data" --out "$out/$1" --subjects sub-01,sub-02,sub-03 --val-subjects sub-04 \
    --filters 8 --levels 4 --block 32 --lr 1e-3 --epochs "${EPOCHS:-30}" --seed "$3" --device cpu >/dev/null
}
run direct-seed1 0 1
run winograd-seed1 1 1
run direct-seed2 0 2
for r in direct-seed1 winograd-seed1 direct-seed2; do
  awk -F, -v r="$r" 'NR > 1 { if (best == "" || $3 < best) best = $3; last = $3; s += $4 } END {
    printf "%-16s best val loss %.5f, last %.5f, %.1f s per epoch\n", r, best, last, s / (NR - 1) }' "$out/$r/history.csv"
done
