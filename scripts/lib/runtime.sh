# A trimmed Java runtime for the deepanat jar, made with jdeps + jlink. Sourced by scripts/dist.sh (and by any other
# bundle script, e.g. a GPU bundle); also runnable: scripts/lib/runtime.sh JAR OUT [EXTRA_MODULES].
#
#   deepanat_runtime JAR OUT [EXTRA_MODULES]
#     JAR            the fat jar (deepanat/target/deepanat.jar)
#     OUT            the runtime's folder; must not exist yet. OUT/bin/java runs the jar.
#     EXTRA_MODULES  comma-separated modules to add to those found (e.g. jdk.management)
#   Needs JAVA_HOME = a JDK 25 (source .ci/find-jdk25); one without jmods/ links from its own image (JEP 493). Prints the module list on stderr.
#
# Modules: what jdeps finds in the jar (java.desktop for ImageIO's PNG writer and XChart, java.sql for gson, ...),
# plus jdk.incubator.vector (the cpu kernels; jdeps does not list incubator modules as roots), jdk.unsupported
# (sun.misc.Unsafe, looked up reflectively by gson) and jdk.zipfs (zip file systems). The Foreign Function & Memory API
# (a CUDA backend's bindings) is in java.base.
deepanat_runtime() {
  local jar="$1" out="$2" extra="${3:-}" found mods
  [[ -f "$jar" ]] || { echo "runtime: $jar not found (build it: ./mvnw -B -DskipTests -pl deepanat -am package)" >&2; return 1; }
  [[ ! -e "$out" ]] || { echo "runtime: $out exists already" >&2; return 1; }
  [[ -x "${JAVA_HOME:-}/bin/jlink" ]] || { echo "runtime: JAVA_HOME='${JAVA_HOME:-}' is not a JDK with jlink" >&2; return 1; }
  found="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$jar")" \
    || { echo "runtime: jdeps failed on $jar" >&2; return 1; }
  mods="$(tr ',' '\n' <<<"$found,jdk.incubator.vector,jdk.unsupported,jdk.zipfs${extra:+,$extra}" | sort -u | paste -sd,)"
  echo "runtime: modules $mods" >&2
  "$JAVA_HOME/bin/jlink" --add-modules "$mods" --output "$out" \
      --compress=zip-9 --strip-debug --no-header-files --no-man-pages 2>&1 \
    | { grep -v '^WARNING: Using incubator modules' || true; } >&2
  [[ ${PIPESTATUS[0]} == 0 && -x "$out/bin/java" ]] || { echo "runtime: jlink failed" >&2; return 1; }
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then   # run, not sourced
  set -euo pipefail
  [[ $# -ge 2 ]] || { echo "usage: $0 JAR OUT [EXTRA_MODULES]" >&2; exit 2; }
  source "$(cd "$(dirname "$0")/../.." && pwd)/.ci/find-jdk25"
  deepanat_runtime "$@"
fi
