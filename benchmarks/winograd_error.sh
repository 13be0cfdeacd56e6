#!/usr/bin/env bash
# The cpu backend's Winograd F(2³,3³) error on a trained U-Net's real activations: per convolution (Winograd against the
# direct kernels on the same input) and for the whole network's output (two full syntheses, Winograd on and off).
#   benchmarks/winograd_error.sh CHECKPOINT SUBJECT_DIR [OUT_DIR] [whole|blocks]
# e.g. after `bin/deepanat demo --out demo`: benchmarks/winograd_error.sh demo/run/best.safetensors demo/data/sub-05
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" && source .ci/find-jdk25
[[ $# -ge 2 ]] || { sed -n 2,5p "$0"; exit 2; }
source "$root/benchmarks/lib/test-classpath.sh"
"$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -cp "$cp" \
  dev.deepanat.kernels.cpu.WinogradError "$1" "$2" "${3:-/tmp/winograd-error}" "${4:-whole}" 2>&1 | grep -v '^WARNING'
