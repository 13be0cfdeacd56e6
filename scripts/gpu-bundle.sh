#!/usr/bin/env bash
# Builds, here, everything scripts/gpu-check.sh needs on a bare GPU machine (no JDK, no Maven, no network there):
#   runtime/   a jlink'ed JDK 25 runtime (jdeps' module list of the jars less java.desktop and java.sql, which nothing
#              the check runs needs, plus jdk.incubator.vector and java.logging; zip-9 compressed, debug info stripped)
#   lib/deepanat-all.jar   the CLI, the kernels, the JMH benchmarks (HotPath) and the guard's comparison, in one jar
#                          (the benchmarks' shaded jar less the PDF/SVG chart writers and JUnit)
#   lib/tests.jar          the compiled test suite (for `--include-tag gpu`)
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

# jlink_runtime DEST JAR...: a compressed runtime with the modules the jars need (jdeps) less the chart/JDBC ones;
# java.logging, which java.sql would have brought, stays (JUnit logs through it), and jdk.zipfs (JUnit scans tests.jar).
# (scripts/dist.sh on branch slurm has the same step; to be shared at merge.)
jlink_runtime() {
  local dest="$1" mods
  shift
  mods="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 "$@" 2>/dev/null)" \
    || die "jdeps failed on $*"
  mods="$(tr ',' '\n' <<<"$mods,jdk.incubator.vector,java.management,jdk.unsupported,java.logging,jdk.zipfs" \
          | grep -v -x -e java.desktop -e java.sql | sort -u | paste -sd, -)"
  rm -rf "$dest"
  "$JAVA_HOME/bin/jlink" --add-modules "$mods" --compress=zip-9 --strip-debug --no-header-files --no-man-pages \
      --output "$dest" 2>&1 | grep -v 'Using incubator modules' >&2 || true
  [[ -x $dest/bin/java ]] || die "jlink made no runtime in $dest"
  # libjvm.so ships with its symbol table (~5 MiB); the runtime needs only the dynamic symbols.
  if command -v strip >/dev/null; then strip --strip-unneeded "$dest/lib/server/libjvm.so"; fi
  echo "$mods"
}

rm -rf "$out"
mkdir -p "$out/lib" "$out/bin"
echo "gpu-bundle: jlink ..." >&2
mods="$(jlink_runtime "$out/runtime" "$fat" "$console")"

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
(cd "$tests" && "$JAVA_HOME/bin/jar" --create --file "$out/lib/tests.jar" .)
cp "$console" "$out/lib/junit-platform-console-standalone.jar"

cat >"$out/bin/deepanat" <<'SH'
#!/usr/bin/env bash
# The deepanat CLI on the bundled runtime (see scripts/gpu-bundle.sh). DEEPANAT_JAVA_OPTS adds JVM options.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set +e +o pipefail
{ "$here/runtime/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxRAMPercentage=75 \
    -XX:+UseSerialGC -XX:PretenureSizeThreshold=256k -Xmn128m ${DEEPANAT_JAVA_OPTS:-} \
    -cp "$here/lib/deepanat-all.jar" dev.deepanat.app.Main "$@" 2>&1 1>&3 3>&- \
  | grep -v --line-buffered '^WARNING: Using incubator modules' >&2; rc=${PIPESTATUS[0]}; } 3>&1
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
