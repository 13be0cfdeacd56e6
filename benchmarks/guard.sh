#!/usr/bin/env bash
# Hot-path regression guard: runs our hot-path benchmarks (dev.deepanat.bench.HotPath: conv3d forward, backward-data,
# backward-weight at the U-Net's level-0 shapes, whole U-Net steps; on cuda in fp32 and TF32) and PyTorch's same
# operations (torch_conv_passes.py, torch_unet_step.py) in one run on this machine, and compares the time ratios
# ours / PyTorch with those stored in benchmarks/baselines/<device>.json: a ratio grown by more than 10 % fails.
#
#   benchmarks/guard.sh [--device cpu|cuda] [--record] [--quick] [--bundle DIR]
#
# --record writes benchmarks/baselines/<device>.candidate.json instead of comparing (review it, then rename it to
# <device>.json). --bundle DIR runs from a bundle of scripts/gpu-bundle.sh (its Java runtime and jar; no JDK, no build).
# Raw results: benchmarks/target/guard-<device>-<time>/. Needs python3 with torch (PYTHON=... picks one). Exit: 0 no regression, 1 regression, 2 usage, 3 no such device
# here, 4 no baseline yet.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device=cpu record=0 quick=0 bundle=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device="${2:-}"; shift 2 ;;
    --record) record=1; shift ;;
    --quick) quick=1; shift ;;
    --bundle) bundle="${2:-}"; shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "guard: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$device" in cpu|cuda) ;; *) echo "guard: --device must be cpu or cuda, got '$device'" >&2; exit 2 ;; esac
baseline="$root/benchmarks/baselines/$device.json"
if [[ ! -f $baseline && $record == 0 ]]; then
  echo "guard: no baseline for $device yet ($baseline is absent); run benchmarks/guard.sh --device $device --record to write a candidate" >&2
  exit 4
fi

if [[ -n $bundle ]]; then
  java="$bundle/runtime/bin/java" cp="$bundle/lib/deepanat-all.jar"
  [[ -x $java && -f $cp ]] || { echo "guard: $bundle is not a bundle of scripts/gpu-bundle.sh (no runtime/bin/java or lib/deepanat-all.jar)" >&2; exit 2; }
else
  source "$root/.ci/find-jdk25"
  (cd "$root" && ./mvnw -q -B -o -DskipTests -pl benchmarks -am package >&2) || { echo "guard: the build failed; run ./mvnw -pl benchmarks -am package to see why" >&2; exit 1; }
  java="$JAVA_HOME/bin/java" cp="$root/benchmarks/target/benchmarks.jar"
fi
python=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$p" -c 'import torch' 2>/dev/null; then python="$p"; break; fi
done
[[ -n $python ]] || { echo "guard: no python3 with torch found (set PYTHON=...)" >&2; exit 2; }

# Raw results stay for a look afterwards: benchmarks/target/guard-<device>-<time>/ (ours.json, torch.jsonl, jmh.log).
work="$root/benchmarks/target/guard-$device-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$work"
jflags=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
qflag=(); [[ $quick == 1 ]] && qflag=(--quick)
echo "guard: $device on $(hostname), $(nproc) cores; ours (JMH) first, then PyTorch $("$python" -c 'import torch; print(torch.__version__)')" >&2
set +e
"$java" "${jflags[@]}" -cp "$cp" dev.deepanat.bench.HotPath --device "$device" --out "$work/ours.json" "${qflag[@]}" >"$work/jmh.log" 2>&1
rc=$?
set -e
if [[ $rc == 3 ]]; then
  echo "guard: $(grep '^hotpath: skipped' "$work/jmh.log" | sed 's/^hotpath: skipped: //'); nothing compared" >&2
  exit 3
elif [[ $rc != 0 ]]; then
  tail -20 "$work/jmh.log" >&2
  echo "guard: our benchmarks failed (exit $rc); the JMH log's end is above" >&2
  exit 1
fi

if [[ $device == cpu ]]; then
  precisions=(fp32) unets=("16 32 train" "48 64 forward") steps=3
else
  precisions=(fp32 tf32) unets=("16 32 train" "16 32 forward" "48 64 train" "48 64 forward") steps=10
fi
[[ $quick == 1 ]] && steps=2
for p in "${precisions[@]}"; do
  tf32=off; [[ $p == tf32 ]] && tf32=on
  "$python" "$root/benchmarks/torch_conv_passes.py" --device "$device" --tf32 "$tf32" --cudnn-benchmark on >>"$work/torch.jsonl"
  for u in "${unets[@]}"; do
    read -r f b mode <<<"$u"
    extra=(); [[ $mode == forward ]] && extra=(--forward-only)
    "$python" "$root/benchmarks/torch_unet_step.py" --device "$device" --filters "$f" --block "$b" --steps "$steps" \
        --tf32 "$tf32" --cudnn-benchmark on "${extra[@]}" \
      | "$python" -c 'import json,sys; o=json.load(sys.stdin); print(json.dumps({"key": sys.argv[1], "ms": 1e3*o["median_s"]}))' \
          "unet.f$f-$b.$mode.$p" >>"$work/torch.jsonl"
  done
done

cmp=(--ours "$work/ours.json" --torch "$work/torch.jsonl")
if [[ $record == 1 ]]; then
  cand="$root/benchmarks/baselines/$device.candidate.json"
  machine="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  [[ $device == cuda ]] && machine="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1); $machine"
  exec "$java" -cp "$cp" dev.deepanat.profile.GuardCompare "${cmp[@]}" --record "$cand" --device "$device" \
      --machine "$machine" --note "guard.sh --record$([[ $quick == 1 ]] && echo ' --quick'); review, then rename to $device.json"
fi
exec "$java" -cp "$cp" dev.deepanat.profile.GuardCompare "${cmp[@]}" --baseline "$baseline"
