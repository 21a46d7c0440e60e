#!/usr/bin/env bash
# scripts/fuzz.sh [TARGET...] [-t SECONDS]
#
# Runs the coverage-guided fuzzers (cargo-fuzz, libFuzzer, AddressSanitizer) over the targets
# in fuzz/fuzz_targets: mime_intake (a received e-mail through intake), config_file
# (soporte.toml), search_query (indexing and search box queries), whatsapp_webhook (Meta's
# webhook bodies: signature and every message type). Default: every target for
# 1800 s each, one after the other.
#
#   scripts/fuzz.sh                          every target, 30 minutes each
#   scripts/fuzz.sh mime_intake -t 600       one target, 10 minutes
#
# Needs the nightly toolchain (rustup toolchain install nightly) and installs cargo-fuzz if
# it is missing. The growing corpus is kept in fuzz/corpus/<target> (not committed); every
# crash, hang (an input over 10 s) or leak goes to fuzz/artifacts/<target>/. Once fixed,
# copy the input to fuzz/regressions/<target>/ so that the normal test suite replays it
# (crates/fuzzing/tests/regressions.rs). For mime_intake, the e-mails of ../shared/corpus
# are added to the starting inputs when that folder exists.
#
# Prints, per target: executions, executions per second, coverage and what was found.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT/fuzz"

SECONDS_EACH=1800
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    -t) SECONDS_EACH=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(mime_intake config_file search_query whatsapp_webhook)

rustup toolchain list | grep -q '^nightly' \
  || { echo "fuzz.sh: the nightly toolchain is missing (rustup toolchain install nightly)" >&2; exit 1; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

for target in "${TARGETS[@]}"; do
  [ -f "fuzz_targets/$target.rs" ] || { echo "fuzz.sh: no target $target in fuzz/fuzz_targets" >&2; exit 1; }
  mkdir -p "corpus/$target" "artifacts/$target"
  extra=()
  if [ "$target" = mime_intake ] && [ -d "$ROOT/../shared/corpus" ]; then
    mkdir -p corpus/shared-mail
    find "$ROOT/../shared/corpus" -type f -name '*.eml' -size -200k -exec cp -n {} corpus/shared-mail/ \;
    extra=(corpus/shared-mail)
  fi
  log="artifacts/$target/run-$(date -u +%Y%m%dT%H%M%SZ).log"
  echo "==> $target for ${SECONDS_EACH}s (log fuzz/$log)"
  set +e
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" "${extra[@]}" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
  found=$(find "artifacts/$target" -type f ! -name '*.log' | wc -l)
  echo "    executions ${execs:-?}, ${rate:-?}/s, ${cov:-cov: ?}, exit $rc, inputs kept in fuzz/artifacts/$target: $found"
  [ "$rc" = 0 ] || tail -n 40 "$log"
done
