#!/usr/bin/env bash
# Builds, here, everything scripts/gpu-check.sh needs on a bare GPU machine (no JDK, no Maven, no network there):
#   runtime/   a jlink'ed JDK 25 runtime (scripts/lib/runtime.sh, as the distribution's, less java.desktop and java.sql,
#              which nothing the check runs needs, plus java.logging and jdk.zipfs for JUnit)
#   lib/deepanat-all.jar   the CLI, the kernels, the JMH benchmarks (HotPath) and the guard's comparison, in one jar
#                          (the benchmarks' shaded jar less the PDF/SVG chart writers and JUnit)
#   tests/                 the compiled test suite and its resources, as a folder (the golden-file tests read their
#                          resources as paths, which a jar's entries are not)
#   lib/junit-platform-console-standalone.jar   the JUnit Platform console launcher of the project's JUnit version
#   bin/deepanat           the CLI on that runtime
# into target/gpu-bundle/ (ignored by git), and prints that folder as its last line. Total well under 64 MiB.
#
#   scripts/gpu-bundle.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/target/gpu-bundle"
source "$root/.ci/find-jdk25"
die() { echo "gpu-bundle: $*" >&2; exit 1; }

echo "gpu-bundle: building the jars and the test classes ..." >&2
(cd "$root" && ./mvnw -q -B -DskipTests -pl benchmarks,src-test -am install >&2) \
  || die "the build failed; run ./mvnw -pl benchmarks,src-test -am install -DskipTests to see why"
fat="$root/benchmarks/target/benchmarks.jar"
tests="$root/src-test/target/test-classes"
[[ -f $fat && -d $tests ]] || die "missing $fat or $tests after the build"

# The JUnit Platform console launcher of the JUnit version the project uses (5.x.y <-> platform 1.x.y).
jupiter="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$root/pom.xml")"
platform="1.${jupiter#5.}"
console="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$platform/junit-platform-console-standalone-$platform.jar"
if [[ ! -f $console ]]; then
  (cd "$root" && ./mvnw -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" >&2) \
    || die "cannot fetch org.junit.platform:junit-platform-console-standalone:$platform from Maven Central"
fi

rm -rf "$out"
mkdir -p "$out/lib" "$out/bin"
echo "gpu-bundle: jlink ..." >&2
# The runtime step of scripts/dist.sh, less the chart and JDBC modules nothing the check runs needs; java.logging
# (which java.sql would have brought) stays for JUnit, and jdk.zipfs lets it read jars as file systems.
source "$root/scripts/lib/runtime.sh"
deepanat_runtime "$fat" "$out/runtime" "java.management,java.logging,jdk.zipfs" "java.desktop,java.sql" 2>"$out/runtime.log" \
  || die "the runtime could not be made: $(tail -1 "$out/runtime.log")"
mods="$(sed -n 's/^runtime: modules //p' "$out/runtime.log")"; rm -f "$out/runtime.log"

# The fat jar without what only draws PDF/SVG charts (and without JUnit, which the console launcher brings).
"${PYTHON:-python3}" - "$fat" "$out/lib/deepanat-all.jar" <<'PY'
import sys, zipfile
drop = ("org/apache/pdfbox/", "org/apache/fontbox/", "org/apache/commons/logging/", "de/rototor/", "de/erichseifert/",
        "com/madgag/", "assets/org/apache/", "org/junit/", "META-INF/versions/9/org/junit/",
        "META-INF/services/org.junit.")
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
    for i in src.infolist():
        if not i.filename.startswith(drop):
            dst.writestr(i, src.read(i.filename))
PY
cp -r "$tests" "$out/tests"
cp "$console" "$out/lib/junit-platform-console-standalone.jar"

install -m 0644 "$root/scripts/lib/launch.sh" "$out/lib/launch.sh"
cat >"$out/bin/deepanat" <<'SH'
#!/usr/bin/env bash
# The deepanat CLI on the bundled runtime (see scripts/gpu-bundle.sh), with the launcher's own JVM flags (lib/launch.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/lib/launch.sh"
rc=0
deepanat_run_main "$here/runtime/bin/java" "$here/lib/deepanat-all.jar" dev.deepanat.app.Main "$@" || rc=$?
exit "$rc"
SH
chmod +x "$out/bin/deepanat"
{
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "jdk: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "modules: $mods"
  echo "junit platform: $platform"
} >"$out/BUNDLE.txt"
size="$(du -sm "$out" | cut -f1)"
echo "gpu-bundle: $size MiB ($(du -sm "$out/runtime" | cut -f1) runtime, $(du -sm "$out/lib" | cut -f1) jars)" >&2
(( size < 60 )) || die "the bundle is $size MiB, over the 60 MiB this script promises"
echo "$out"
