#!/usr/bin/env bash
# The GPU check, for a bare GPU machine with python3 + torch but no JDK and no network. It builds nothing: it runs
# from the bundle scripts/gpu-bundle.sh made (default target/gpu-bundle; --bundle DIR):
#   1. the gpu-tagged tests (JUnit console launcher, --include-tag gpu);
#   2. deepanat bench --device cuda, fp32 and TF32, for f=16 32^3 and f=48 64^3, training step and forward pass,
#      and the same U-Net steps in PyTorch (benchmarks/torch_unet_step.py --device cuda, TF32 on and off,
#      cudnn.benchmark on and off); one table of ratios ours / PyTorch, and torch.backends.cudnn.version();
#   3. benchmarks/guard.sh --device cuda --bundle (with --record while benchmarks/baselines/cuda.json is absent).
# Raw results go to $OUT (when set) or target/gpu-check/.
#
#   scripts/gpu-check.sh [--bundle DIR] [--steps N] [--skip-guard]
#
# Exit: 0 all passed; 1 something failed (named in the last line); 2 usage or no bundle; 3 no GPU present (the
# steps that need none ran).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$root/target/gpu-bundle" steps=5 guard=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bundle) bundle="${2:-}"; shift 2 ;;
    --steps) steps="${2:-}"; shift 2 ;;
    --skip-guard) guard=0; shift ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $steps =~ ^[1-9][0-9]*$ ]] || { echo "gpu-check: --steps must be a positive integer, got '$steps'" >&2; exit 2; }
java="$bundle/runtime/bin/java"
[[ -x $java && -f $bundle/lib/deepanat-all.jar ]] \
  || { echo "gpu-check: no bundle at $bundle; make one with scripts/gpu-bundle.sh on a machine with JDK 25" >&2; exit 2; }
python=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$p" -c 'import torch' 2>/dev/null; then python="$p"; break; fi
done
[[ -n $python ]] || { echo "gpu-check: no python3 with torch found (set PYTHON=...)" >&2; exit 2; }
results="${OUT:-$root/target/gpu-check}"
mkdir -p "$results"
failed=()
deepanat() { "$bundle/bin/deepanat" "$@"; }

echo "== environment"
cat "$bundle/BUNDLE.txt"
"$java" -version 2>&1 | head -1
"$python" - <<'PY'
import torch
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuda available: {torch.cuda.is_available()}, "
      f"cudnn {torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else 'none'}")
if torch.cuda.is_available():
    print("device:", torch.cuda.get_device_name(0))
PY
nvidia-smi -L 2>/dev/null || echo "nvidia-smi: none"
gpu=0
"$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' && gpu=1

echo "== gpu tests (JUnit, --include-tag gpu)"
set +e
"$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Ddeepanat.repo="$root" \
    -jar "$bundle/lib/junit-platform-console-standalone.jar" execute --disable-banner --details=tree \
    --class-path "$bundle/lib/tests.jar:$bundle/lib/deepanat-all.jar" --scan-class-path "$bundle/lib/tests.jar" \
    --include-tag gpu --disable-ansi-colors 2>&1 | grep -v 'Using incubator modules' >"$results/gpu-tests.log"
rc=${PIPESTATUS[0]}
set -e
grep -E '✘|\[X\]|failed' "$results/gpu-tests.log" | head -20 || true
[[ $rc == 0 ]] || failed+=("gpu tests (exit $rc)")
grep -q 'Error scanning' "$results/gpu-tests.log" && failed+=("gpu tests (the launcher could not scan lib/tests.jar)")
echo "gpu tests: $(grep -o '[0-9]* tests successful' "$results/gpu-tests.log" | head -1), $(grep -o '[0-9]* tests skipped' "$results/gpu-tests.log" | head -1), $(grep -o '[0-9]* tests failed' "$results/gpu-tests.log" | head -1)"

if [[ $gpu == 0 ]]; then
  echo "gpu-check: no GPU present (torch sees no CUDA device); the gpu tests ran$([[ ${#failed[@]} == 0 ]] && echo ' and passed' || echo ": ${failed[*]} failed"), nothing benchmarked" >&2
  [[ ${#failed[@]} == 0 ]] && exit 3 || exit 1
fi

echo "== U-Net steps: deepanat bench --device cuda vs PyTorch ($steps steps each)"
log="$results/unet-steps.jsonl"
: >"$log"
for cfg in "16 32" "48 64"; do
  read -r f b <<<"$cfg"
  for mode in train forward; do
    extra=(); [[ $mode == forward ]] && extra=(--forward-only)
    for tf32 in true false; do
      if o=$(DEEPANAT_JAVA_OPTS="-Ddeepanat.cuda.tf32=$tf32" deepanat bench --device cuda --filters "$f" --block "$b" \
               --steps "$steps" "${extra[@]}" --json 2>"$results/bench.err"); then
        echo "{\"side\":\"ours\",\"tf32\":$tf32,\"bench\":null,\"r\":$o}" >>"$log"
      else
        failed+=("deepanat bench f=$f $b^3 $mode tf32=$tf32: $(tail -1 "$results/bench.err")")
      fi
    done
    for tf32 in on off; do
      for cb in on off; do
        t=$("$python" "$root/benchmarks/torch_unet_step.py" --device cuda --filters "$f" --block "$b" --steps "$steps" \
              --tf32 "$tf32" --cudnn-benchmark "$cb" "${extra[@]}") || { failed+=("torch f=$f $b^3 $mode"); continue; }
        echo "{\"side\":\"torch\",\"tf32\":$([[ $tf32 == on ]] && echo true || echo false),\"bench\":\"$cb\",\"r\":$t}" >>"$log"
      done
    done
  done
done
"$python" - "$log" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def get(side, f, b, mode, tf32, bench=None):
    for r in rows:
        o = r["r"]
        if (r["side"], o["filters"], o["block"], o["mode"], r["tf32"]) == (side, f, b, mode, tf32) and (bench is None or r["bench"] == bench):
            return o["median_s"]
    return None
fmt = lambda v: "-" if v is None else f"{v * 1e3:9.1f}"
rat = lambda a, b: "-" if a is None or b is None else f"{a / b:6.2f}"
print(f"{'config':<22} {'ours ms':>9} {'torch ms':>9} {'ratio':>6} {'torch ms':>9} {'ratio':>6}   precision")
print(f"{'':<22} {'':>9} {'bench=on':>9} {'':>6} {'bench=off':>9} {'':>6}")
for f, b in ((16, 32), (48, 64)):
    for mode in ("train", "forward"):
        for tf32 in (True, False):
            o, on, off = get("ours", f, b, mode, tf32), get("torch", f, b, mode, tf32, "on"), get("torch", f, b, mode, tf32, "off")
            print(f"{f'f={f} {b}^3 {mode}':<22} {fmt(o)} {fmt(on)} {rat(o, on)} {fmt(off)} {rat(o, off)}   {'TF32' if tf32 else 'fp32'}")
import torch
print(f"ratio = ours / PyTorch (below 1: we are faster); torch.backends.cudnn.version() = {torch.backends.cudnn.version()}")
PY

if [[ $guard == 1 ]]; then
  echo "== hot-path guard (benchmarks/guard.sh --device cuda)"
  gargs=(--device cuda --bundle "$bundle")
  [[ -f $root/benchmarks/baselines/cuda.json ]] || gargs+=(--record)
  set +e
  "$root/benchmarks/guard.sh" "${gargs[@]}"
  rc=$?
  set -e
  [[ -f $root/benchmarks/baselines/cuda.candidate.json ]] && cp "$root/benchmarks/baselines/cuda.candidate.json" "$results/"
  [[ $rc == 0 ]] || failed+=("guard (exit $rc)")
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "gpu-check: failed: ${failed[*]}" >&2
  exit 1
fi
echo "gpu-check: all passed; results in $results"
