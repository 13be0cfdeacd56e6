#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests and trying the job-array template: munged, slurmctld and slurmd
# for localhost with the machine's real CPUs and memory, everything (config, spool, state, logs, munge key and socket)
# under one folder in /tmp. No systemd and no cgroups: proctrack/linuxproc, task/none, select/cons_tres.
#
#   scripts/slurm/local-cluster.sh up      # start it; waits until the node is idle; prints `export SLURM_CONF=...`
#   scripts/slurm/local-cluster.sh down    # stop the daemons it started (by their pid files)
#   scripts/slurm/local-cluster.sh env     # the `export SLURM_CONF=...` line, for eval
#
# Needs Debian's slurmctld, slurmd, slurm-client and munge (apt-get install slurm-wlm munge), and root (slurmd runs
# jobs as their submitting user). DEEPANAT_SLURM_DIR moves the folder (default /tmp/deepanat-slurm).
set -euo pipefail
dir="${DEEPANAT_SLURM_DIR:-/tmp/deepanat-slurm}"
conf="$dir/slurm.conf"
die() { echo "local-cluster: $*" >&2; exit 1; }

pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pidfile() {  # stop_pidfile FILE NAME: TERM the process named in FILE, wait up to 20 s, then KILL it
  local f="$1" pid
  pid_alive "$f" || { rm -f "$f"; return 0; }
  pid="$(cat "$f")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }; sleep 0.5; done
  echo "local-cluster: $2 (pid $pid) did not stop on TERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

up() {
  local b
  for b in munged mungekey slurmctld slurmd sinfo sbatch; do
    command -v "$b" >/dev/null || [[ -x "/usr/sbin/$b" ]] || die "$b not found (apt-get install slurm-wlm munge)"
  done
  [[ "$(id -u)" == 0 ]] || die "needs root (slurmd runs jobs as their users)"
  export PATH="$PATH:/usr/sbin"
  if pid_alive "$dir/slurmctld.pid" || pid_alive "$dir/slurmd.pid"; then die "already up in $dir (run: $0 down)"; fi
  mkdir -p "$dir/state" "$dir/spool/slurmd-$(hostname -s)" "$dir/munge"
  chmod 700 "$dir/munge"
  local node host mem
  host="$(hostname -s)"
  # The node line exactly as slurmd measures it (a RealMemory above the real one would drain the node).
  node="$(slurmd -C | head -1)" || die "slurmd -C failed"
  [[ "$node" == NodeName=* ]] || die "unexpected slurmd -C output: $node"

  [[ -f "$dir/munge/munge.key" ]] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 \
    || die "mungekey failed"
  chmod 600 "$dir/munge/munge.key"
  if ! pid_alive "$dir/munged.pid"; then
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
      --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" \
      || die "munged did not start (see $dir/munged.log)"
  fi

  cat > "$conf" <<CONF
# Written by scripts/slurm/local-cluster.sh: a one-node cluster on $host.
ClusterName=deepanat-local
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${DEEPANAT_SLURMCTLD_PORT:-6817}
SlurmdPort=${DEEPANAT_SLURMD_PORT:-6818}
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No systemd, no cgroups: processes are tracked through /proc, tasks are not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MaxArraySize=10001
# Quick turnover for tests: a killed job's node is free again within seconds.
KillWait=5
MinJobAge=30
InactiveLimit=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  # Read by slurmd in some configurations; harmless otherwise.
  cat > "$dir/cgroup.conf" <<CONF
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
CONF

  slurmctld -c -f "$conf" || die "slurmctld did not start (see $dir/slurmctld.log)"
  slurmd -f "$conf" || die "slurmd did not start (see $dir/slurmd.log)"
  export SLURM_CONF="$conf"
  local state=""
  for _ in $(seq 1 60); do
    state="$(sinfo -h -o %T 2>/dev/null | head -1 || true)"
    [[ "$state" == idle ]] && break
    sleep 1
  done
  [[ "$state" == idle ]] || die "the node is '${state:-not answering}' after 60 s, not idle (see $dir/slurmctld.log, $dir/slurmd.log)"
  echo "local-cluster: up ($(sinfo -h -o '%n %c CPUs %m MB %T' | head -1))" >&2
  echo "export SLURM_CONF=$conf"
}

down() {
  if [[ -f "$conf" ]] && pid_alive "$dir/slurmctld.pid"; then
    SLURM_CONF="$conf" scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  fi
  stop_pidfile "$dir/slurmd.pid" slurmd
  stop_pidfile "$dir/slurmctld.pid" slurmctld
  stop_pidfile "$dir/munged.pid" munged
  echo "local-cluster: down" >&2
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) die "usage: $0 up|down|env" ;;
esac
