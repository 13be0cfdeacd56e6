#!/usr/bin/env bash
# deepanat from the distribution tarball: runs the jar on the bundled Java runtime; no JDK needed.
# (scripts/dist.sh installs this file as bin/deepanat; a symlink to it from anywhere on the PATH works.)
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[[ -x "$home/runtime/bin/java" ]] || { echo "deepanat: the bundled runtime is missing ($home/runtime/bin/java)" >&2; exit 1; }
source "$home/lib/launch.sh"   # the JVM flags, heap sizing and warning filter (the same as the source tree's bin/deepanat)
rc=0
deepanat_run "$home/runtime/bin/java" "$home/lib/deepanat.jar" "$@" || rc=$?
exit "$rc"
