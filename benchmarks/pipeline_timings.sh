#!/usr/bin/env bash
# The pipeline's figures for docs/performance.md, on this machine:
#  1. the training loop's overhead over the bare `bench` step at the same configuration (block cutting,
#     normalization, the loss read, the progress bar): f=16 32³ and f=48 64³, 5 levels;
#  2. `predict` of an HCP-size subject (145×174×145, f=48, 5 levels), whole and blocks tiling, time and peak RSS.
#
#   benchmarks/pipeline_timings.sh [--work DIR] [--skip-blocks]
#
# The HCP-size subject is a 174³ phantom cropped to 145×174×145 with nibabel (Debian python3-nibabel) and prepared;
# its network is the paper's U-Net after 2 training steps (the weights do not change the time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=/tmp/deepanat-pipeline-timings skip_blocks=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --skip-blocks) skip_blocks=1; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "pipeline_timings: unknown option $1" >&2; exit 2 ;;
  esac
done
da="$root/bin/deepanat"
mkdir -p "$work"
export DEEPANAT_JAVA_OPTS="-Ddeepanat.progress=plain ${DEEPANAT_JAVA_OPTS:-}"
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{printf "%.0f MiB", $1/1024}'; }

echo "== 1. training loop vs bench step"
# A 96³ phantom: its brain spans more than one 64³ block per axis, so an epoch has enough blocks to time.
[[ -d "$work/ph96/data" ]] || {
  "$da" phantom --out "$work/ph96/raw" --subjects 1 --size 96 --directions 30 --b0s 3 >/dev/null
  r="$work/ph96/raw/sub-01"
  "$da" prepare --dwi "$r/sub-01_dwi.nii.gz" --bval "$r/sub-01_dwi.bval" --bvec "$r/sub-01_dwi.bvec" --mask "$r/sub-01_mask.nii.gz" \
      --t1w "$r/sub-01_t1w.nii.gz" --subject-id sub-01 --out "$work/ph96/data/sub-01" >/dev/null
}
for cfg in "16 32 40" "48 64 6"; do
  set -- $cfg
  bench=$("$da" bench --filters "$1" --block "$2" --levels 5 --steps 5 --json)
  rm -rf "$work/run-$1-$2"
  "$da" train --data "$work/ph96/data" --out "$work/run-$1-$2" --filters "$1" --block "$2" --levels 5 --epochs 3 \
      --max-blocks-per-epoch "$3" --val-fraction 0 >/dev/null
  # epochs 2 and 3 (after the JIT has warmed up): seconds per block
  train=$(awk -F, -v n="$3" 'NR>2 {s+=$4; k++} END {printf "%.4f", s/k/n}' "$work/run-$1-$2/history.csv")
  echo "f=$1 ${2}³: bench $bench"
  echo "f=$1 ${2}³: train loop $train s per block (mean of epochs 2-3, $3 blocks each)"
done

echo "== 2. predict, HCP size"
if [[ ! -d "$work/hcp/data/hcp-01" ]]; then
  "$da" phantom --out "$work/hcp/raw" --subjects 1 --size 174 --directions 30 --b0s 3 --seed 5 >/dev/null
  /usr/bin/python3 - "$work/hcp/raw/sub-01" "$work/hcp/crop" <<'PY'
import os, sys, nibabel as nib
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in ("dwi", "mask", "t1w"):
    img = nib.load(f"{src}/sub-01_{name}.nii.gz")
    nib.save(img.slicer[14:159, :, 14:159], f"{dst}/hcp-01_{name}.nii.gz")
for ext in ("bval", "bvec"):
    os.system(f"cp {src}/sub-01_dwi.{ext} {dst}/hcp-01_dwi.{ext}")
PY
  c="$work/hcp/crop"
  "$da" prepare --dwi "$c/hcp-01_dwi.nii.gz" --bval "$c/hcp-01_dwi.bval" --bvec "$c/hcp-01_dwi.bvec" --mask "$c/hcp-01_mask.nii.gz" \
      --t1w "$c/hcp-01_t1w.nii.gz" --subject-id hcp-01 --out "$work/hcp/data/hcp-01"
fi
[[ -f "$work/hcp/run/last.safetensors" ]] || "$da" train --data "$work/hcp/data" --out "$work/hcp/run" --epochs 1 \
    --max-blocks-per-epoch 2 --val-fraction 0 >/dev/null
tilings=(whole)
[[ $skip_blocks == 1 ]] || tilings+=(blocks)
for t in "${tilings[@]}"; do
  /usr/bin/time -v "$da" predict --model "$work/hcp/run/last.safetensors" --subject "$work/hcp/data/hcp-01" \
      --out "$work/hcp/pred-$t.nii.gz" --tiling "$t" 2>"$work/time-$t.txt" | grep '^predict:'
  echo "predict --tiling $t: wall $(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$t.txt"), peak RSS $(rss "$work/time-$t.txt")"
done
