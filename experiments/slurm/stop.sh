#!/usr/bin/env bash
# Stop the daemons start.sh started in STATE_DIR, by the PIDs it recorded (never by name).
set -euo pipefail
state="${1:?usage: stop.sh STATE_DIR}"
for name in slurmd slurmctld munged; do
  file="$state/$name.daemon.pid"; [ "$name" = munged ] && file="$state/munged.pid"
  [ -f "$file" ] || continue
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
done
