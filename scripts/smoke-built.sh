#!/usr/bin/env bash
# Runs the built server the way the container image does — `node dist/main.js` with production
# dependencies only — on a fresh embedded database, checks /healthz, /readyz and /metrics, a
# graceful SIGTERM, and prints how long the start took. Expects `npm run build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

test -f dist/main.js || { echo "dist/main.js is missing: run npm run build first"; exit 1; }
cp -r dist package.json package-lock.json "$work/"
# A real copy even when node_modules is a symlink (a worktree sharing another checkout's):
# the prune below must never touch the original.
cp -a "$(readlink -f node_modules)" "$work/node_modules"
if [ -L "$work/node_modules" ]; then echo "FAIL: node_modules copy is a symlink"; exit 1; fi
(cd "$work" && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1)
for dev in tsx typescript vitest; do
  if [ -e "$work/node_modules/$dev" ]; then echo "FAIL: $dev is installed with production dependencies only"; exit 1; fi
done

# Waits (up to 30 s) for /readyz on port $1 of the server $pid; prints its log $2 and fails if not.
wait_ready() {
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: the built server ($3) did not become ready"
  cat "$2"
  exit 1
}
# SIGTERM to $pid: it must exit 0 within 10 s (its log $1 is printed if not).
stop_gracefully() {
  kill -TERM "$pid"
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: ($2) no exit 10 s after SIGTERM"; exit 1; fi
  wait "$pid" && code=0 || code=$?
  pid=""
  if [ "$code" != 0 ]; then echo "FAIL: ($2) exit code $code after SIGTERM"; cat "$1"; exit 1; fi
}

port=$((20000 + RANDOM % 20000))
token=smoke-metrics-token-0123456789
start_ns=$(date +%s%N)
(cd "$work" && exec env -i PATH="$PATH" HOME="$work" PORTICO_DATA_DIR="$work/data" PORT="$port" HOST=127.0.0.1 \
  RADIUS_HOST=127.0.0.1 RADIUS_AUTH_PORT=0 RADIUS_ACCT_PORT=0 PORTICO_METRICS_TOKEN="$token" LOG_LEVEL=warn \
  node dist/main.js >"$work/out.log" 2>&1) &
pid=$!
wait_ready "$port" "$work/out.log" "embedded database"
end_ns=$(date +%s%N)
echo "built server ready in $(((end_ns - start_ns) / 1000000)) ms (fresh embedded database, demo seeded)"
# Each answer is read whole before it is searched: `curl | grep -q` fails under pipefail when grep
# stops reading at its first match and curl's next write hits the closed pipe (exit 23).
health=$(curl -sf "http://127.0.0.1:$port/healthz")
grep -q '"ok"' <<<"$health"
curl -sf "http://127.0.0.1:$port/portal" >/dev/null
curl -sf "http://127.0.0.1:$port/assets/portal.css" >/dev/null
metrics=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics")
grep -q '^portico_http_request_duration_seconds_count' <<<"$metrics"
stop_gracefully "$work/out.log" "embedded database"
echo "smoke test of the built server: ok"

# RADIUS on two threads (RADIUS_THREADS=2, PostgreSQL): the built worker entry starts, both threads
# answer on the same ports, and SIGTERM stops them all. Needs PostgreSQL and radclient (CI has both).
pg_admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if ! command -v radclient >/dev/null 2>&1 || ! psql "$pg_admin" -qAtc 'select 1' >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then echo "FAIL: the RADIUS threads smoke needs PostgreSQL and radclient"; exit 1; fi
  echo "skipping the RADIUS threads smoke: needs PostgreSQL and radclient"
  exit 0
fi
db="portico_smoke_$RANDOM$RANDOM"
psql "$pg_admin" -qc "create database $db"
cleanup_db() { psql "$pg_admin" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true; cleanup; }
trap cleanup_db EXIT
port=$((20000 + RANDOM % 20000))
acct=$((port + 1))
(cd "$work" && exec env -i PATH="$PATH" HOME="$work" DATABASE_URL="${pg_admin%/*}/$db" PORTICO_DEMO=1 \
  PORTICO_SECRET=smoke-secret-smoke-secret-smoke-secret-01 PORT="$port" HOST=127.0.0.1 RADIUS_HOST=127.0.0.1 \
  RADIUS_AUTH_PORT="$((port + 2))" RADIUS_ACCT_PORT="$acct" RADIUS_THREADS=2 LOG_LEVEL=info \
  node dist/main.js >"$work/threads.log" 2>&1) &
pid=$!
wait_ready "$port" "$work/threads.log" "RADIUS_THREADS=2"
listening=$(grep -c '"msg":"RADIUS server listening"' "$work/threads.log" || true)
if [ "$listening" != 2 ]; then echo "FAIL: $listening RADIUS servers listening, not 2"; cat "$work/threads.log"; exit 1; fi
# Eight NAS source ports (one radclient each); the demo hotspot is 127.0.0.1 with secret testing123.
answered=0
for i in $(seq 1 8); do
  reply=$(printf 'Acct-Status-Type = Interim-Update\nAcct-Session-Id = "smoke-%s"\nUser-Name = "smoke"\nNAS-Identifier = "smoke"\n' "$i" |
    radclient -r 2 -t 3 "127.0.0.1:$acct" acct testing123 2>&1 || true)
  if grep -q 'Received Accounting-Response' <<<"$reply"; then answered=$((answered + 1)); fi
done
if [ "$answered" != 8 ]; then echo "FAIL: $answered of 8 Accounting-Requests answered"; cat "$work/threads.log"; exit 1; fi
stop_gracefully "$work/threads.log" "RADIUS_THREADS=2"
echo "smoke test of the built server with RADIUS on two threads (PostgreSQL): ok"
