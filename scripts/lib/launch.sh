# Sourced by bin/deepanat (a JDK 25 and the jar built from the sources) and by the distribution's bin/deepanat (the
# bundled runtime): the JVM flags, heap sizing and stderr filter of every deepanat launch, written once.
#
#   deepanat_run JAVA JAR ARGS...   runs `JAVA ... -jar JAR ARGS...`; returns java's exit code
#
# The heap is sized to the machine (75% of its memory, or of the container's limit): a whole-volume forward pass of
# the paper's U-Net needs ~8 GB, more than the JVM's default quarter of a small machine. Inside a Slurm job the job's
# allocation is the machine: 75% of SLURM_MEM_PER_NODE for the heap, SLURM_CPUS_ON_NODE processors (without cgroups
# the JVM would see the whole node). DEEPANAT_JAVA_OPTS (-Xmx…, -XX:ActiveProcessorCount=…) wins.
# The JVM's notice about the incubating Vector API is filtered from stderr so that errors stay one line.
deepanat_run() {
  local java="$1" jar="$2"; shift 2
  local opts="${DEEPANAT_JAVA_OPTS:-}" heap="-XX:MaxRAMPercentage=75" cpus=""
  if [[ -n "${SLURM_MEM_PER_NODE:-}" && "$SLURM_MEM_PER_NODE" =~ ^[0-9]+$ ]]; then
    heap="-Xmx$(( SLURM_MEM_PER_NODE * 3 / 4 ))m"
  fi
  [[ "$opts" == *-Xmx* ]] && heap=""
  if [[ -n "${SLURM_CPUS_ON_NODE:-}" && "$SLURM_CPUS_ON_NODE" =~ ^[0-9]+$ && "$opts" != *ActiveProcessorCount* ]]; then
    cpus="-XX:ActiveProcessorCount=$SLURM_CPUS_ON_NODE"
  fi
  local rc saved
  saved="$(set +o)"   # the caller's errexit/pipefail, restored below
  set +e +o pipefail
  # java's stderr goes through the filter and its stdout straight to ours (fd 3); the exit code is java's.
  { "$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      $heap $cpus -XX:+UseSerialGC -XX:PretenureSizeThreshold=256k -Xmn128m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 \
      $opts -jar "$jar" "$@" 2>&1 1>&3 3>&- \
    | grep -v --line-buffered '^WARNING: Using incubator modules' >&2; rc=${PIPESTATUS[0]}; } 3>&1
  eval "$saved"
  return "$rc"
}
