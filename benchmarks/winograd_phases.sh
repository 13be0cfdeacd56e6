#!/usr/bin/env bash
# Where the cpu Winograd kernel's time goes, one thread, at the U-Net's shapes: weight transform, input transform,
# the 64 GEMMs (and their rate in real multiply-adds), output transform.
#   benchmarks/winograd_phases.sh ["cIn cOut edge [rounds [rows-per-chunk]]" ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" && source .ci/find-jdk25
source "$root/benchmarks/lib/test-classpath.sh"
shapes=("$@")
[[ ${#shapes[@]} -gt 0 ]] || shapes=("11 48 64" "48 48 64" "144 48 64" "96 96 32" "288 96 32" "192 192 16")
for s in "${shapes[@]}"; do
  "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -XX:+UseSerialGC -Xmx6g -cp "$cp" \
    dev.deepanat.kernels.cpu.WinogradPhases $s 2>&1 | grep -v '^WARNING'
done
