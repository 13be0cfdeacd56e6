#!/usr/bin/env bash
# Interleaved A/B, in one JVM, of the two cpu forward kernels (ConvForward vs ConvSmall) at the U-Net's deep shapes.
#   benchmarks/ab_deep.sh [rounds]      (builds the test classes first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" && source .ci/find-jdk25
source "$root/benchmarks/lib/test-classpath.sh"
echo "load before: $(uptime)"
for s in "192 384 8" "384 384 8" "1152 384 8" "384 768 4" "768 768 4" "576 192 16"; do
  "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -XX:+UseSerialGC -Xmx6g -cp "$cp" \
    dev.deepanat.kernels.cpu.ConvForwardAB $s "${1:-21}" 2>&1 | grep -v WARNING
done
echo "load after: $(uptime)"
