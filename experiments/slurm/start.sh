#!/usr/bin/env bash
# Start a one-node Slurm cluster on loopback (munged, slurmctld, slurmd in the foreground, in the
# background), every file under STATE_DIR. Needs root and Debian's slurmctld slurmd slurm-client munge.
# usage: start.sh STATE_DIR    then: export SLURM_CONF=STATE_DIR/slurm.conf; stop with stop.sh STATE_DIR
# Optional: UDTL_SLURM_CPUS (default: nproc), UDTL_SLURM_CTLD_PORT / UDTL_SLURM_SLURMD_PORT (6817/6818),
# UDTL_SLURM_MAX_ARRAY_SIZE (1001).
set -euo pipefail
state="${1:?usage: start.sh STATE_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start.sh: $tool not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "start.sh: must run as root (slurmd runs jobs as their user)" >&2; exit 2; }
mkdir -p "$state/ctld" "$state/spool" "$state/munge"
state="$(cd "$state" && pwd)"
chmod 700 "$state/munge"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
sed -e "s#@STATE@#$state#g" \
    -e "s#@CTLD_PORT@#${UDTL_SLURM_CTLD_PORT:-6817}#g" -e "s#@SLURMD_PORT@#${UDTL_SLURM_SLURMD_PORT:-6818}#g" \
    -e "s#@CPUS@#${UDTL_SLURM_CPUS:-$(nproc)}#g" -e "s#@MEM_MB@#$mem_mb#g" \
    -e "s#@MAX_ARRAY_SIZE@#${UDTL_SLURM_MAX_ARRAY_SIZE:-1001}#g" \
    "$here/slurm.conf.in" > "$state/slurm.conf"
export SLURM_CONF="$state/slurm.conf"

[ -f "$state/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$state/munge/munge.key"; chmod 400 "$state/munge/munge.key"; }
munged -F --force --socket="$state/munge.socket" --key-file="$state/munge/munge.key" \
  --pid-file="$state/munge/munged.pid" --seed-file="$state/munge/seed" --log-file="$state/munge/munged.log" \
  >"$state/munged.out" 2>&1 &
echo "$!" > "$state/munged.pid"
for _ in $(seq 50); do [ -S "$state/munge.socket" ] && break; sleep 0.1; done
[ -S "$state/munge.socket" ] || { echo "start.sh: munged did not start: $(cat "$state/munged.out")" >&2; exit 1; }

slurmctld -D -i -f "$SLURM_CONF" >"$state/slurmctld.out" 2>&1 &
echo "$!" > "$state/slurmctld.daemon.pid"
slurmd -D -N localhost -f "$SLURM_CONF" >"$state/slurmd.out" 2>&1 &
echo "$!" > "$state/slurmd.daemon.pid"

# Ready when the node is idle.
for _ in $(seq 150); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qx 'idle'; then echo "$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "start.sh: the node did not become idle in 30 s; logs in $state (slurmctld.log, slurmd.log)" >&2
sinfo -N >&2 || true
exit 1
