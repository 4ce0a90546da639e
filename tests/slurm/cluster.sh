#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for testing the workflow's SLURM profile.
#
#   tests/slurm/cluster.sh install   # Debian's slurmctld, slurmd, slurm-client and munge (root)
#   tests/slurm/cluster.sh start     # munged, slurmctld and slurmd in the background
#   tests/slurm/cluster.sh env       # prints `export SLURM_CONF=...` for sbatch/squeue/snakemake
#   tests/slurm/cluster.sh stop      # stops the daemons it started, by their recorded PIDs
#
# Everything lives in $MORPHVEC_SLURM_DIR (default /tmp/morphvec-slurm): slurm.conf, state,
# logs and PID files; /etc/slurm/slurm.conf is a link to that slurm.conf, because `srun` inside
# a job looks there (it does not see SLURM_CONF). An existing real slurm.conf is never replaced.
# Daemons listen on loopback only. No systemd is needed; no slurmdbd either,
# so `sacct` does not work: the workflow profile for this cluster uses `squeue` for job status,
# and MinJobAge keeps finished jobs visible to `squeue`/`scontrol` for 10 minutes.
# Memory is enforced as on a real cluster, without cgroups (none in a container): the step's
# processes are measured every second and a step over its --mem is killed (OverMemoryKill), so a
# job given too little memory ends OUT_OF_MEMORY and the profile's retries are tested for real.
set -euo pipefail

DIR=${MORPHVEC_SLURM_DIR:-/tmp/morphvec-slurm}
CONF=$DIR/slurm.conf

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
        && command -v sbatch >/dev/null; then
        return 0
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

write_conf() {
    local cpus memory
    cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
    memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    mkdir -p "$DIR/state" "$DIR/spool"
    cat >"$CONF" <<EOF
ClusterName=morphvec-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=600
ReturnToService=2
SchedulerType=sched/backfill
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
SlurmctldPort=6817
SlurmdPort=6818
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
NodeName=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    mkdir -p /etc/slurm
    if [ -e /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" != "$CONF" ]; then
        echo "error: /etc/slurm/slurm.conf exists and is not this test cluster's; not replacing it" >&2
        return 1
    fi
    ln -sfn "$CONF" /etc/slurm/slurm.conf
}

start() {
    install_packages
    if [ -f "$DIR/slurmctld.started" ] && kill -0 "$(cat "$DIR/slurmctld.started")" 2>/dev/null; then
        echo "SLURM test cluster already running (SLURM_CONF=$CONF)"
        return 0
    fi
    write_conf
    # munge: the key comes with the package; the daemon runs as the munge user.
    mkdir -p /run/munge && chown munge:munge /run/munge
    if ! pgrep -x munged >/dev/null; then
        runuser -u munge -- /usr/sbin/munged
        sleep 1
        # munged daemonizes: its own pid file names the daemon (pgrep may also list the parent)
        cat /run/munge/munged.pid >"$DIR/munged.started" 2>/dev/null || pgrep -o -x munged >"$DIR/munged.started"
    fi
    export SLURM_CONF=$CONF
    /usr/sbin/slurmctld -D -f "$CONF" >"$DIR/slurmctld.out" 2>&1 &
    echo $! >"$DIR/slurmctld.started"
    /usr/sbin/slurmd -D -N localhost -f "$CONF" >"$DIR/slurmd.out" 2>&1 &
    echo $! >"$DIR/slurmd.started"
    for _ in $(seq 1 60); do
        if sinfo -h -o %T 2>/dev/null | grep -qx idle; then
            echo "SLURM test cluster up: node localhost idle, partition debug (SLURM_CONF=$CONF)"
            return 0
        fi
        sleep 1
    done
    echo "error: the SLURM test cluster did not come up; see $DIR/*.log and $DIR/*.out" >&2
    tail -n 20 "$DIR"/*.log "$DIR"/*.out >&2 || true
    stop
    return 1
}

stop() {
    for daemon in slurmd slurmctld munged; do
        local file=$DIR/$daemon.started
        [ -f "$file" ] || continue
        local pid
        for pid in $(cat "$file"); do # every PID recorded, one per line
            if kill "$pid" 2>/dev/null; then
                for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            else
                echo "warning: $daemon (PID $pid) was not running" >&2
            fi
        done
        rm -f "$file"
    done
    if [ "$(readlink /etc/slurm/slurm.conf 2>/dev/null)" = "$CONF" ]; then
        rm -f /etc/slurm/slurm.conf
    fi
    echo "SLURM test cluster stopped"
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    *)
        echo "usage: $0 install|start|stop|env" >&2
        exit 2
        ;;
esac
