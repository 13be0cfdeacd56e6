#!/usr/bin/env bash
# Runs the DeepAnat U-Net step in PyTorch (benchmarks/torch_unet_step.py) and in DeepAnat-J (bin/deepanat bench)
# side by side, one configuration after the other in one run, and prints the time ratio ours/PyTorch.
#
#   benchmarks/compare_torch.sh [--threads N] [--steps S] [--memory] [--quick] [--gan]
#
# Configurations: f=16 32³ training step, f=16 64³ training step, f=48 64³ forward pass; with --memory also an
# f=48 64³ training step (2 steps) to compare peak resident memory (VmHWM / ru_maxrss); --gan runs only the hybrid-GAN
# step (f=16 generator, 32³ block, 64-filter discriminator, 3 passes of 10 slices; torch_gan_step.py). JSON lines of every run are
# kept in benchmarks/target/compare-<date>.jsonl. Needs python3 with torch (Debian python3-torch) and JDK 25.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 steps=5 memory=0 quick=0 gan=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --memory) memory=1; shift ;;
    --quick) quick=1; shift ;;
    --gan) gan=1; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "compare_torch: unknown option $1" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-/usr/bin/python3}"
out="$root/benchmarks/target"
mkdir -p "$out"
log="$out/compare-$(date -u +%Y%m%dT%H%M%SZ).jsonl"

configs=("16 32 train" "16 64 train" "48 64 forward")
[[ $quick == 1 ]] && configs=("16 32 train")
[[ $memory == 1 ]] && configs+=("48 64 memory")
[[ $gan == 1 ]] && configs=("16 32 gan")

# Build the jar once up front so that its build is not timed.
"$root/bin/deepanat" --version >/dev/null

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; threads=$threads steps=$steps"
printf '%-22s %12s %12s %9s %12s %12s\n' config torch_s ours_s ratio torch_GF/s ours_GF/s
for c in "${configs[@]}"; do
  read -r f b mode <<<"$c"
  args=(--filters "$f" --block "$b" --threads "$threads")
  s=$steps
  extra=()
  script=torch_unet_step.py
  case "$mode" in
    forward) extra=(--forward-only) ;;
    memory) s=2 ;;
    gan) script=torch_gan_step.py; s=$(( steps < 3 ? steps : 3 )); args=(--filters "$f" --block "$b" --threads "$threads" --d-filters 64) ;;
  esac
  t=$("$python" "$root/benchmarks/$script" "${args[@]}" --steps "$s" "${extra[@]}")
  [[ $mode == gan ]] && extra=(--gan)
  o=$("$root/bin/deepanat" bench "${args[@]}" --steps "$s" "${extra[@]}" --json)
  echo "$t" >>"$log"
  echo "$o" >>"$log"
  "$python" - "$f" "$b" "$mode" "$t" "$o" <<'PY'
import json, sys
f, b, mode, t, o = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
name = f"f={f} {b}^3 {mode}"
gf = lambda r: "-" if r.get("gflops") is None else f"{r['gflops']:.1f}"
print(f"{name:<22} {t['median_s']:12.3f} {o['median_s']:12.3f} {o['median_s'] / t['median_s']:9.2f} "
      f"{gf(t):>12} {gf(o):>12}")
if mode == "memory":
    print(f"{'  peak RSS MiB':<22} {t['peak_rss_mb']:12.0f} {o['peak_rss_mb']:12.0f} "
          f"{o['peak_rss_mb'] / t['peak_rss_mb']:9.2f}")
PY
done
echo "raw results: $log"
