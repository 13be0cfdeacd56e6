#!/usr/bin/env bash
# Paired, interleaved A/B of `deepanat profile --train` between a baseline checkout and this one: runs
# base, new, base, new, ... (ROUNDS pairs) and prints, per run, the step's kernel time summed per kernel and the
# convolution passes' GFLOP/s, with the load average before each run. The baseline is any commit:
#   git -C . archive <commit> | (mkdir -p /tmp/base && tar -x -C /tmp/base)
#   benchmarks/profile_ab.sh /tmp/base [ROUNDS=2] [profile options, default --filters 48 --block 64 --steps 2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:?usage: profile_ab.sh BASE_CHECKOUT [ROUNDS] [profile options]}"; shift
rounds="${1:-2}"; [[ $# -gt 0 ]] && shift
opts=("$@"); [[ ${#opts[@]} -eq 0 ]] && opts=(--filters 48 --block 64 --steps 2)
out="$root/benchmarks/target/profile-ab-$(date -u +%Y%m%dT%H%M%S)"; mkdir -p "$out"
summarize() {  # CSV of `profile --csv --top 0` → one line per kernel: ms, GFLOP, GFLOP/s
  python3 - "$1" <<'PY'
import csv, sys, collections
ms, gf = collections.defaultdict(float), collections.defaultdict(float)
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if ',' in l)]
for r in rows:
    ms[r['kernel']] += float(r['ms']); gf[r['kernel']] += float(r['gflop'])
tot = sum(ms.values()); conv = [k for k in ms if k.startswith('conv3d')]
cms, cgf = sum(ms[k] for k in conv), sum(gf[k] for k in conv)
print(f"  kernels {tot/1e3:7.3f} s   convolutions {cms/1e3:7.3f} s = {cgf/cms*1e3:6.1f} GFLOP/s")
for k in sorted(ms, key=lambda k: -ms[k])[:8]:
    print(f"  {k:28s} {ms[k]/1e3:7.3f} s" + (f"  {gf[k]/ms[k]*1e3:6.1f} GFLOP/s" if gf[k] > 0 else ""))
PY
}
for r in $(seq 1 "$rounds"); do
  for side in base new; do
    dir=$root; [[ $side == base ]] && dir=$base
    echo "== round $r $side ($(uptime | sed 's/.*load average/load average/'))"
    "$dir/bin/deepanat" profile --train "${opts[@]}" --csv --top 0 > "$out/$side-$r.csv" 2>/dev/null
    summarize "$out/$side-$r.csv"
  done
done
echo "raw CSVs: $out"
