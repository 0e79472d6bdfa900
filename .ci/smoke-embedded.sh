#!/usr/bin/env bash
# Starts the service exactly as the README says (`npm start`, no DATABASE_URL), checks /health and an
# authenticated call with the printed development token, then stops it with SIGTERM and expects exit 0
# and neither its embedded PostgreSQL nor its Telegram emulator server left running.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
data=$(mktemp -d)
chmod 755 "$data"
port=18001
DATA_DIR="$data" PORT=$port npm start >"$log" 2>&1 &
pid=$!
node_pid=""
cleanup() {
  if [ -n "$node_pid" ]; then kill -9 "$node_pid" 2>/dev/null || true; fi
  kill -9 "$pid" 2>/dev/null || true
  sleep 1
  rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "service exited early"; exit 1; }
  sleep 1
done
body=$(curl -sf "http://127.0.0.1:$port/health")
echo "GET /health -> $body"
[ "$body" = '{"status":"healthy","service":"Integration Service","version":"1.0.0"}' ]

# npm start runs on the pinned Node.js 24 (node_modules/.bin/node), whatever the machine's own node is.
grep -aq "on Node.js 24\." "$log" || { cat "$log"; echo "the banner does not say Node.js 24"; exit 1; }
grep -ao "on Node.js [0-9.]*" "$log" | head -1

token=$(grep -ao 'Bearer ey[^ ]*' "$log" | head -1 | cut -d' ' -f2)
[ -n "$token" ] || { cat "$log"; echo "no development token printed"; exit 1; }
accounts=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/telegram/accounts")
echo "GET /api/v1/telegram/accounts -> $accounts"
[ "$accounts" = '[]' ]
curl -sf "http://127.0.0.1:$port/api/v1/health/readiness" >/dev/null
# The management console is served by the same process, with nothing else to build or install.
console=$(curl -sf "http://127.0.0.1:$port/console/")
echo "$console" | grep -q '<div id="root"></div>' || { echo "GET /console/ did not serve the console"; exit 1; }
echo "GET /console/ -> the console's index.html"

# npm start runs node under npm (and a shell): signal the node process that descends from it.
for candidate in $(pgrep -f '^node dist/src/main.js'); do
  ancestor=$candidate
  while [ "${ancestor:-1}" -gt 1 ]; do
    ancestor=$(ps -o ppid= -p "$ancestor" | tr -d ' ')
    if [ "$ancestor" = "$pid" ]; then node_pid=$candidate; break 2; fi
  done
done
[ -n "$node_pid" ] || { echo "could not find the service's node process"; exit 1; }
kill -TERM "$node_pid"
for _ in $(seq 1 30); do kill -0 "$node_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$node_pid" 2>/dev/null; then echo "service did not stop on SIGTERM"; exit 1; fi
wait "$pid" && code=0 || code=$?
echo "npm start exited with $code"
[ "$code" -eq 0 ]
if pgrep -f "postgres -D $data/postgres" >/dev/null; then echo "embedded PostgreSQL still running"; exit 1; fi
echo "smoke OK"
if pgrep -f "telegram-emulator/dist/cli.js .*--data $data" >/dev/null; then echo "Telegram emulator server still running"; exit 1; fi
