#!/usr/bin/env bash
# scripts/db-outage.sh [BINARY] [SECONDS_DOWN]
#
# Starts Soporte (default target/release/soporte) on port 18182 against a fresh database on
# the test PostgreSQL server (scripts/services.sh up), asks it twice a second for /healthz and
# the ticket list, stops PostgreSQL for SECONDS_DOWN (default 8) seconds and starts it again,
# then prints, for each phase (before, down, after), how the requests were answered and how
# long the slowest took, and how soon after PostgreSQL was back the first request succeeded.
# While the database is down every answer should be a quick 503 with Retry-After, and the
# server should serve again on its own once the database is back.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(realpath "${1:-$ROOT/target/release/soporte}")
down_for=${2:-8}
port=18182
eval "$("$ROOT/scripts/services.sh" env)"
services=${SOPORTE_SERVICES_DIR:-/tmp/soporte-test-services}
pgbin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin | sort -V | tail -n1)
pg() { (cd / && runuser -u postgres -- "$pgbin/pg_ctl" -D "$services/pg/data" -l "$services/pg/server.log" -w -t 60 "$@" >/dev/null 2>&1); }
pg status || { echo "db-outage.sh: PostgreSQL is not running (scripts/services.sh up)" >&2; exit 1; }

db=outage_$$
psql -q "$TEST_SOPORTE_POSTGRES_URL" -c "CREATE DATABASE $db"
dir=$(mktemp -d)
pid=
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true
  pg status || pg start || true
  psql -q "$TEST_SOPORTE_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
export SOPORTE_LISTEN=127.0.0.1:$port SOPORTE_DATABASE_URL=${TEST_SOPORTE_POSTGRES_URL%/*}/$db
"$bin" serve > serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.2
done
email=$(grep -oE '[a-z0-9._-]+@[a-z0-9.-]+' serve.log | head -1)
token=$("$bin" token create --agent "$email" --label outage | tail -n1)

probe() {  # probe PHASE : a health check and a ticket list, each as "PHASE PATH STATUS SECONDS RETRY-AFTER"
  local path
  for path in /healthz /api/v1/tickets; do
    curl -s -o /dev/null -D headers.txt -H "Authorization: Bearer $token" --max-time 30 \
      -w "$1 $path %{http_code} %{time_total}" "http://127.0.0.1:$port$path" || true
    printf ' %s\n' "$(tr -d '\r' < headers.txt | awk -F': ' 'tolower($1)=="retry-after" {print $2}')"
  done >> probes.txt
}
for _ in $(seq 6); do probe before; sleep 0.5; done
pg stop -m fast
t0=$(date +%s)
while [ $(( $(date +%s) - t0 )) -lt "$down_for" ]; do probe down; sleep 0.5; done
pg start
back_at=$(date +%s%N) first_ok=
for _ in $(seq 30); do
  probe after
  if [ -z "$first_ok" ] && [ "$(tail -n2 probes.txt | awk '$3 != 200' | wc -l)" = 0 ]; then
    first_ok=$(( ($(date +%s%N) - back_at) / 1000000 ))
  fi
  sleep 0.5
done
echo "PostgreSQL stopped for ${down_for}s (pg_ctl stop -m fast, then start); probes of /healthz and /api/v1/tickets every 0.5 s:"
awk '{
  key = $1 " " $2; n[key]++; codes[key, $3]++; seen[key] = 1
  if ($4 > slow[key]) slow[key] = $4
  if ($5 != "") retry[key]++
  if (!(key in order)) { order[key] = ++k; keys[k] = key }
} END {
  for (i = 1; i <= k; i++) {
    key = keys[i]; line = ""
    for (c in codes) { split(c, p, SUBSEP); if (p[1] == key) line = line codes[c] " x " p[2] "  " }
    printf "  %-24s %3d requests: %s slowest %.3f s, with Retry-After %d\n", key, n[key], line, slow[key], retry[key]
  }
}' probes.txt
echo "  first probe with both answers 200 after PostgreSQL was back: ${first_ok:-never} ms"
grep -c '"status":500\|internal' serve.log | xargs printf '  server log lines about internal errors: %s\n'
