#!/usr/bin/env bash
# scripts/login-flood.sh [BINARY] [N]
#
# Starts Soporte (default target/release/soporte) on a fresh data directory and port 18181,
# sends N (default 100) wrong passwords for the first administrator at once, and prints
# how they were answered and the server's peak memory (VmHWM). Every attempt beyond the
# limit should be answered 429, and the peak should not grow with N.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(realpath "${1:-$ROOT/target/release/soporte}")
n=${2:-100}
port=18181
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir"
SOPORTE_LISTEN=127.0.0.1:$port "$bin" serve > serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.2
done
email=$(grep -oE '[a-z0-9._-]+@[a-z0-9.-]+' serve.log | head -1)
before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
start=$(date +%s%N)
seq "$n" | xargs -P "$n" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
  --data-urlencode "email=$email" --data-urlencode "password=wrong{}" \
  "http://127.0.0.1:$port/login" > codes.txt
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "$n wrong passwords at once for $email in $elapsed_ms ms"
echo "answers: $(sort codes.txt | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
echo "RSS before $((before / 1024)) MiB, peak $((peak / 1024)) MiB"
