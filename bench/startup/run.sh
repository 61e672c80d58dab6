#!/usr/bin/env bash
# Startup time: from spawning the process to /readyz answering 200, for the built server
# (node dist/main.js) and for the TypeScript sources through tsx (the old `npm start`),
# alternating, on one embedded database that already exists (migrated, demo seeded).
# Usage: npm run build && bash bench/startup/run.sh [rounds]   (prints the median of each)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

measure() { # command... → milliseconds to ready
  local port=$((20000 + RANDOM % 20000)) start end pid
  start=$(date +%s%N)
  PORTICO_DATA_DIR="$data" PORT=$port HOST=127.0.0.1 RADIUS_HOST=127.0.0.1 RADIUS_AUTH_PORT=0 \
    RADIUS_ACCT_PORT=0 LOG_LEVEL=silent "$@" >/dev/null 2>&1 &
  pid=$!
  local waited=0
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    sleep 0.02
    waited=$((waited + 1))
    if [ $waited -gt 6000 ] || ! kill -0 "$pid" 2>/dev/null; then echo "server did not get ready" >&2; exit 1; fi
  done
  end=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure node dist/main.js >/dev/null # first start: migrate and seed, not counted
built=() tsx=()
for _ in $(seq 1 "$rounds"); do
  built+=("$(measure node dist/main.js)")
  tsx+=("$(measure node --import tsx src/main.ts)")
done
b=$(printf '%s\n' "${built[@]}" | median)
t=$(printf '%s\n' "${tsx[@]}" | median)
echo "node dist/main.js:            ${built[*]} ms (median $b)"
echo "node --import tsx src/main.ts: ${tsx[*]} ms (median $t)"
echo "ratio tsx / built: $(awk -v t="$t" -v b="$b" 'BEGIN {printf "%.2f", t / b}')  (load: $(uptime | sed 's/.*load average: //'))"
