#!/usr/bin/env bash
# The distribution: deepanat-<version>-linux-x64.tar.gz with a jlink'ed Java 25 runtime holding only the modules the
# jar needs, the jar and a launcher. Unpacked anywhere, deepanat-<version>/bin/deepanat runs with no JDK installed.
#
#   scripts/dist.sh [--out DIR] [--jar JAR]   # default DIR: dist/ (git-ignored); --jar: use this jar, build nothing
#   scripts/dist.sh --runtime-only DIR        # only the trimmed runtime, into DIR (for other bundles)
#
# The last line printed is the tarball's path (or the runtime's folder). The runtime step is deepanat_runtime in
# scripts/lib/runtime.sh; the launcher's JVM flags live in scripts/lib/launch.sh, shared with bin/deepanat.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "dist: $*" >&2; exit 1; }
out="$root/dist" jar="" runtime_only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) [[ $# -ge 2 ]] || die "--out needs a folder"; out="$2"; shift 2 ;;
    --jar) [[ $# -ge 2 ]] || die "--jar needs a file"; jar="$2"; shift 2 ;;
    --runtime-only) [[ $# -ge 2 ]] || die "--runtime-only needs a folder"; runtime_only="$2"; shift 2 ;;
    *) die "unknown argument '$1' (usage: scripts/dist.sh [--out DIR] [--jar JAR] | --runtime-only DIR)" ;;
  esac
done
source "$root/.ci/find-jdk25"
source "$root/scripts/lib/runtime.sh"

if [[ -z "$jar" ]]; then
  echo "dist: building the jar ..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests -pl deepanat -am package >&2) \
    || die "the build failed; run ./mvnw -pl deepanat -am package to see why"
  jar="$root/deepanat/target/deepanat.jar"
fi
[[ -f "$jar" ]] || die "$jar not found"

if [[ -n "$runtime_only" ]]; then
  deepanat_runtime "$jar" "$runtime_only" || die "the runtime could not be made"
  echo "$runtime_only"
  exit 0
fi

# The project's version: the first <version> of the root pom (the parent's own; it has no parent).
version="$(grep -m1 -o '<version>[^<]*</version>' "$root/pom.xml" | sed 's:</*version>::g')"
[[ -n "$version" ]] || die "no <version> in $root/pom.xml"
name="deepanat-$version"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d "$out/.stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/lib"
deepanat_runtime "$jar" "$stage/$name/runtime" || die "the runtime could not be made"
install -m 0644 "$jar" "$stage/$name/lib/deepanat.jar"
install -m 0644 "$root/scripts/lib/launch.sh" "$stage/$name/lib/launch.sh"
install -m 0755 "$root/scripts/lib/dist-launcher.sh" "$stage/$name/bin/deepanat"
cat > "$stage/$name/README.txt" <<TXT
DeepAnat-J $version for Linux x64: a Java 25 runtime (runtime/), the application (lib/deepanat.jar) and its launcher.
No JDK needed. Run:  $name/bin/deepanat --help      (a symlink to bin/deepanat from a folder on the PATH works)
The heap is 75% of the machine's memory, or of a Slurm job's allocation; DEEPANAT_JAVA_OPTS=-Xmx... sets it.
Cluster use (Slurm job arrays, containers): docs/cluster.md in the source repository.
TXT
# Reproducible-ish: sorted names, no owner; written under a temporary name and renamed, never left half-written.
tarball="$out/$name-linux-x64.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$stage/t.tar.gz" "$name" || die "tar failed"
mv -f "$stage/t.tar.gz" "$tarball"
echo "dist: $(du -h "$tarball" | cut -f1) $(basename "$tarball")" >&2
echo "$tarball"
