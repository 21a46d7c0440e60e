#!/usr/bin/env bash
# scripts/test.sh [extra `cargo test` arguments]
#
# The project's one test command: installs and starts every service the tests need
# (scripts/services.sh up: PostgreSQL, Dovecot IMAP with STARTTLS and IMAPS, SMTP sinks (plain,
# STARTTLS + AUTH, SMTPS + AUTH) with a throw-away test CA, Chromium + chromedriver),
# then runs formatting, clippy and the whole test suite on both databases (SQLite in-process,
# PostgreSQL against the real server via TEST_SOPORTE_POSTGRES_URL).
#
#   scripts/test.sh                       everything
#   scripts/test.sh -p soporte-store      only that package's tests (fmt + clippy still whole workspace)
#   scripts/test.sh -- --nocapture        arguments after -- go to the test binaries
#   KEEP_SERVICES=1 scripts/test.sh       leave the services running afterwards
#
# The browser tests leave screenshots of the console's pages (and, for a failed step, the page
# where it failed) in $CARGO_TARGET_DIR/browser-artifacts (default target/browser-artifacts).
#
# Services are (re)started fresh by `up` (their state directory is wiped) and stopped on exit
# unless KEEP_SERVICES=1. Respects CARGO_TARGET_DIR; CARGO_TERM_COLOR defaults to never.
# Needs root (Debian bookworm) for the services. Exit code is non-zero if any step fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

T0=$SECONDS
STEP='' STEP_KEY='' STEP_T0=$SECONDS
SERVICES_STARTED=
TIMINGS=()

end_step() {
  if [ -n "$STEP" ]; then
    TIMINGS+=("$STEP_KEY $((SECONDS - STEP_T0))s")
    printf '    (%s: %ss)\n' "$STEP_KEY" "$((SECONDS - STEP_T0))"
  fi
  STEP=
}
step() {           # step KEY COMMAND-LINE : announce a step with the elapsed time so far
  end_step
  STEP_KEY=$1 STEP=$2 STEP_T0=$SECONDS
  printf '==> [%4ss] %s\n' "$((SECONDS - T0))" "$STEP"
}

on_exit() {
  local rc=$? failed=$STEP
  trap - EXIT INT TERM
  [ "$rc" != 0 ] || end_step
  if [ -n "$SERVICES_STARTED" ]; then
    if [ "${KEEP_SERVICES:-}" = 1 ]; then
      printf '==> [%4ss] leaving services running (KEEP_SERVICES=1); stop them with scripts/services.sh down\n' "$((SECONDS - T0))"
    else
      printf '==> [%4ss] scripts/services.sh down\n' "$((SECONDS - T0))"
      scripts/services.sh down || true
    fi
  fi
  local artifacts=${CARGO_TARGET_DIR:-$ROOT/target}/browser-artifacts
  if [ -d "$artifacts" ]; then
    printf '==> browser tests: screenshots and logs in %s\n' "$artifacts"
  fi
  if [ "$rc" = 0 ]; then
    local summary; summary=$(IFS=,; echo "${TIMINGS[*]}")
    printf '==> PASSED in %ss total (%s)\n' "$((SECONDS - T0))" "${summary//,/, }"
  else
    printf '==> FAILED (exit %s) at step "%s" after %ss total\n' "$rc" "${failed:-?}" "$((SECONDS - T0))"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# `cargo test --workspace -p X` would still test the whole workspace: drop --workspace when the
# caller picks packages (only arguments before a `--` are cargo's own).
TEST_SCOPE=(--workspace)
for a in "$@"; do
  case $a in
    --) break ;;
    -p|-p?*|--package|--package=*) TEST_SCOPE=(); break ;;
  esac
done

printf '==> soporte tests in %s (CI=%s, %s, %s)\n' "$ROOT" "${CI:-}" "$(cargo --version)" "$(rustc --version)"
# A build that runs out of disk fails inside rustc with a bare "No space left on device": say up
# front how much there was (a full run needs about 6 GB under target/).
printf '    free disk space: %s\n' "$(df -h --output=avail "$ROOT" | tail -n 1 | tr -d ' ')"

step services "scripts/services.sh up"
SERVICES_STARTED=1
scripts/services.sh up
eval "$(scripts/services.sh env)"
env | grep '^TEST_SOPORTE_' | sort | sed 's/^/    /'

step fmt "cargo fmt --all -- --check"
cargo fmt --all -- --check

step clippy "cargo clippy --workspace --all-targets --locked -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

TEST_CMD=(cargo test "${TEST_SCOPE[@]}" --locked "$@")
step test "${TEST_CMD[*]}"
"${TEST_CMD[@]}"
