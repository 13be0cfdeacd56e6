# Sourced by the benchmark scripts that run a main class of src-test (ab_deep.sh, winograd_phases.sh,
# winograd_error.sh): builds the test classes, then sets cp to them, the modules' classes and the third-party jars
# (resolved from ~/.m2: run `./mvnw -o install -DskipTests` once on a fresh clone).
#   source "$root/benchmarks/lib/test-classpath.sh"   (in $root, with JAVA_HOME set by .ci/find-jdk25)
./mvnw -o -q -B -pl src-test -am test-compile >/dev/null
cp="src-test/target/test-classes:src-test/target/classes"
for m in engine kernels deepanat; do cp="$cp:$m/target/classes"; done
cp="$cp:$(./mvnw -o -q -B -pl src-test dependency:build-classpath -Dmdep.outputFile=/dev/stdout | tr ':' '\n' | grep -v '/dev/deepanat/' | paste -sd:)"
