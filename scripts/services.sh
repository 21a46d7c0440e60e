#!/usr/bin/env bash
# scripts/services.sh up|down|env -- throw-away services for Soporte's tests, on 127.0.0.1 only.
#
# Debian bookworm, run as root, no systemd, no stdin needed. Nothing outside the state directory
# ($SOPORTE_SERVICES_DIR, default /tmp/soporte-test-services) is touched except installing the
# Debian packages and creating the system user `vmail`.
#
#   PostgreSQL  postgres://ciuser:cipass@127.0.0.1:54329/cidb   (ciuser has CREATEDB; initdb + pg_ctl as user postgres)
#   IMAP        citest / citestpass on 127.0.0.1:10143            (Dovecot, passwd-file user, Maildir)
#   SMTP sink   127.0.0.1:10025, every delivered message lands in a Maildir (Debian's python3-aiosmtpd)
#   Chromium    /usr/bin/chromium + /usr/bin/chromedriver installed (tests start them themselves)
#
#   up    stop a previous run's services, install missing packages, start everything, check it
#   down  stop the services (by pid, never by name)
#   env   print `export TEST_SOPORTE_...=...` lines:  eval "$(scripts/services.sh env)"
#
# Pitfalls this script handles (each cost time once):
#  - Dovecot keeps the starting shell's stderr open: its output is always redirected, or a piped
#    caller (`... | tee log`) never sees EOF and hangs. Mail can't be served as root: a `vmail`
#    user + first_valid_uid. auth_failure_delay = 0, or every wrong-password test waits seconds.
#    Readiness = the `* OK` greeting, not just an open port.
#  - PostgreSQL tools run as `postgres` from `cd /`; stop with SIGINT (fast shutdown). Settings go
#    straight into postgresql.conf (no pg_createcluster: its -o listen_addresses= breaks the file).
#  - python3-aiosmtpd only works with /usr/bin/python3 (a pyenv python3 on PATH doesn't see
#    Debian's packages); it runs with -n as root (otherwise it setuid()s to nobody).
#  - /usr/sbin/policy-rc.d (exit 101) stays in place during the install so the packages'
#    postinst scripts don't auto-start daemons listening on all addresses.
#  - Chromium, when a test starts it, needs --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
#    besides --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
#    --disable-background-networking --disable-component-update --disable-sync
#    --disable-dev-shm-usage --user-data-dir=<fresh temp dir>, or it makes DNS queries outside.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

D=${SOPORTE_SERVICES_DIR:-/tmp/soporte-test-services}
PG_PORT=54329 PG_USER=ciuser PG_PASS=cipass PG_DB=cidb
IMAP_PORT=10143 IMAP_USER=citest IMAP_PASS=citestpass
SMTP_PORT=10025
PACKAGES=(postgresql dovecot-imapd python3-aiosmtpd chromium chromium-driver)
CHROMIUM=/usr/bin/chromium CHROMEDRIVER=/usr/bin/chromedriver
MARKER=.soporte-test-services   # only a directory holding this file is ever wiped

IMAP_MAILDIR=$D/imap/home/$IMAP_USER/Maildir
SMTP_MAILDIR=$D/smtp/Maildir

log() { printf '[services %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
stamp() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2fs", b-a}'; }

greets() {       # greets PORT PREFIX : one try, true if the server on 127.0.0.1:PORT greets with PREFIX
  local l=
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  read -r -t 3 l <&3 || true
  exec 3>&-
  [[ $l == "$2"* ]]
}
wait_banner() {  # wait_banner PORT PREFIX NAME : up to ~15 s (bash /dev/tcp, no curl/nc needed)
  for _ in $(seq 150); do greets "$1" "$2" && return 0; sleep 0.1; done
  die "$3: no '$2' greeting on 127.0.0.1:$1 within 15 s"
}
port_free() {    # port_free PORT NAME : fail loudly if something (not ours) already listens there
  if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    exec 3>&-
    die "$2: port 127.0.0.1:$1 is already in use by a process this script did not start (from another state directory?); stop it first"
  fi
}
alive() {        # running and not a zombie (daemons reparented to a PID 1 that reaps lazily stay Z for a while)
  [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
stop_pid() {     # stop_pid PIDFILE COMM [SIGNAL] : by pid only (and only if it is still that program), wait until gone
  local f=$1 comm=$2 sig=${3:-TERM} pid
  [ -s "$f" ] || return 0
  pid=$(head -n1 "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  alive "$pid" || return 0
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; then
    log "pid $pid from $f is no longer $comm; not touching it"; return 0
  fi
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then log "pid $pid ($comm) ignored SIG$sig for 10 s, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  log "stopped $comm (pid $pid)"
}

installed() { [ "$(dpkg -s "$1" 2>/dev/null | sed -n 's/^Status: //p')" = "install ok installed" ]; }

install_pkgs() {
  local t0 missing=() p made_policy='' have_lists='' rc=0
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then log "packages already installed: ${PACKAGES[*]}"; return 0; fi
  [ "$(id -u)" = 0 ] || die "packages missing (${missing[*]}) and not root: install them with apt-get as root"
  t0=$(stamp)
  log "installing ${PACKAGES[*]} (missing: ${missing[*]}); log in $D/apt.log"
  # Keep postinst scripts from auto-starting daemons (dovecot/postgres would bind default addresses).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null && have_lists=1
  apt_install() {
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${PACKAGES[@]}" >>"$D/apt.log" 2>&1
  }
  apt_update() {
    local t1; t1=$(stamp)
    apt-get update -q -o DPkg::Lock::Timeout=600 >>"$D/apt.log" 2>&1 || { tail -n 30 "$D/apt.log" >&2; return 1; }
    log "apt-get update: $(since "$t1")"
  }
  if [ -z "$have_lists" ]; then
    apt_update && apt_install || rc=$?
  elif ! apt_install; then
    log "apt-get install failed; running apt-get update and retrying"
    apt_update && apt_install || rc=$?
  fi
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
  if [ "$rc" != 0 ]; then tail -n 30 "$D/apt.log" >&2; die "apt-get install ${PACKAGES[*]} failed (see $D/apt.log)"; fi
  for p in "${PACKAGES[@]}"; do installed "$p" || die "package $p still not installed after apt-get install"; done
  log "apt-get install: $(since "$t0")"
}

pg_up() {
  local t0 bin d=$D/pg
  t0=$(stamp)
  port_free "$PG_PORT" postgres
  bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then die "postgres: no /usr/lib/postgresql/*/bin/initdb"; fi
  install -d -o postgres -g postgres -m 700 "$d"
  (cd / && runuser -u postgres -- "$bin/initdb" -D "$d/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$d/initdb.log" 2>&1) \
      || { cat "$d/initdb.log" >&2; die "postgres: initdb failed"; }
  cat >>"$d/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$d'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start </dev/null >/dev/null 2>&1) \
      || { tail -n 30 "$d/server.log" >&2 || true; die "postgres: pg_ctl start failed (log $d/server.log)"; }
  head -n1 "$d/data/postmaster.pid" >"$D/pg.pid"   # written before anything else can fail, so `down` finds it
  (cd / && runuser -u postgres -- psql -X -h "$d" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE \"$PG_USER\" LOGIN CREATEDB PASSWORD '$PG_PASS'" \
        -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\"" </dev/null >&2) \
      || die "postgres: creating role $PG_USER / database $PG_DB failed"
  log "postgres up (pid $(cat "$D/pg.pid")): $(since "$t0")  postgres://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB"
}

imap_up() {
  local t0 d=$D/imap u g p
  t0=$(stamp)
  port_free "$IMAP_PORT" dovecot
  id -u vmail >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail
  u=$(id -u vmail); g=$(id -g vmail)
  mkdir -p "$d/run" "$d/state"
  for p in home "home/$IMAP_USER" "home/$IMAP_USER/Maildir" "home/$IMAP_USER/Maildir/cur" \
           "home/$IMAP_USER/Maildir/new" "home/$IMAP_USER/Maildir/tmp"; do
    install -d -o vmail -g vmail -m 700 "$d/$p"
  done
  echo "$IMAP_USER:{PLAIN}$IMAP_PASS:$u:$g::$d/home/$IMAP_USER::" >"$d/users"
  chown root:dovecot "$d/users"; chmod 640 "$d/users"
  cat >"$d/dovecot.conf" <<CONF
# standalone: nothing from /etc/dovecot is read
protocols = imap
listen = 127.0.0.1
base_dir = $d/run
state_dir = $d/state
instance_name = soporte-test-imap
log_path = $d/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.1/32
mail_location = maildir:~/Maildir
first_valid_uid = $u
last_valid_uid = $u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
# Auth penalty (anvil): in 2.3.19 login_trusted_networks does not stop it, and after a couple of
# wrong-password tests every login from 127.0.0.1 waits 4-15 s. mode = 0 disables the listener.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
  # Forks to the background and writes $d/run/master.pid. The daemon keeps the inherited stderr
  # open, so redirect it, or a piped caller ("... | tee log") never sees EOF and hangs.
  dovecot -c "$d/dovecot.conf" </dev/null >>"$d/dovecot.stderr" 2>&1 \
      || { cat "$d/dovecot.stderr" >&2; die "dovecot: failed to start"; }
  for _ in $(seq 100); do [ -s "$d/run/master.pid" ] && break; sleep 0.1; done
  [ -s "$d/run/master.pid" ] || die "dovecot: no $d/run/master.pid"
  cp "$d/run/master.pid" "$D/imap.pid"
  wait_banner "$IMAP_PORT" "* OK" dovecot
  log "dovecot up (pid $(cat "$D/imap.pid")): $(since "$t0")  maildir $IMAP_MAILDIR"
}

smtp_up() {
  local t0 d=$D/smtp
  t0=$(stamp)
  port_free "$SMTP_PORT" aiosmtpd
  mkdir -p "$SMTP_MAILDIR/cur" "$SMTP_MAILDIR/new" "$SMTP_MAILDIR/tmp"
  # /usr/bin/python3: Debian's python3-aiosmtpd isn't visible to a pyenv/venv python3 on PATH.
  # -n: otherwise aiosmtpd setuid()s to nobody when started as root.
  nohup /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR" \
      </dev/null >"$d/aiosmtpd.log" 2>&1 &
  echo $! >"$D/smtp.pid"
  wait_banner "$SMTP_PORT" "220" aiosmtpd
  log "aiosmtpd up (pid $(cat "$D/smtp.pid")): $(since "$t0")  maildir $SMTP_MAILDIR"
}

check() {        # quick readiness check of every service; fails naming the service
  local t0 out
  t0=$(stamp)
  out=$(cd / && PGPASSWORD=$PG_PASS PGCONNECT_TIMEOUT=10 psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
        -qAt -c 'select 1' </dev/null 2>&1) || die "postgres: 'select 1' as $PG_USER over TCP failed: $out"
  [ "$out" = 1 ] || die "postgres: 'select 1' returned '$out'"
  greets "$IMAP_PORT" "* OK" || die "imap: no '* OK' greeting on 127.0.0.1:$IMAP_PORT"
  greets "$SMTP_PORT" "220" || die "smtp: no '220' greeting on 127.0.0.1:$SMTP_PORT"
  out=$(timeout 60 "$CHROMIUM" --version </dev/null 2>&1) || die "chromium: '$CHROMIUM --version' failed: $out"
  out=$(timeout 60 "$CHROMEDRIVER" --version </dev/null 2>&1) || die "chromedriver: '$CHROMEDRIVER --version' failed: $out"
  log "readiness check ok (postgres, imap, smtp, chromium, chromedriver): $(since "$t0")"
}

down() {
  stop_pid "$D/smtp.pid" python3 TERM
  stop_pid "$D/imap.pid" dovecot TERM
  stop_pid "$D/pg.pid" postgres INT          # SIGINT = "fast" shutdown; SIGTERM ("smart") waits for clients
  # a run that died half-way may have left a daemon without our pid file
  stop_pid "$D/imap/run/master.pid" dovecot TERM
  stop_pid "$D/pg/data/postmaster.pid" postgres INT
  rm -f "$D"/*.pid
}

up() {
  local t0; t0=$(stamp)
  [ "$(id -u)" = 0 ] || die "must run as root (starts daemons as postgres/vmail, may apt-get install)"
  case $D in /|/tmp|/root|/home|/usr|/var|/etc|'') die "refusing to use SOPORTE_SERVICES_DIR=$D";; esac
  if [ -d "$D" ]; then
    down                                     # idempotent: a previous run's servers are stopped first
    if [ -n "$(ls -A "$D")" ] && [ ! -e "$D/$MARKER" ]; then
      die "$D exists, is not empty and was not made by this script; refusing to wipe it"
    fi
    rm -rf "$D"
  fi
  mkdir -p "$D"; chmod 755 "$D"; touch "$D/$MARKER"
  install_pkgs
  pg_up; imap_up; smtp_up
  check
  log "all services up: $(since "$t0")  (state in $D; stop with: $0 down)"
}

env_lines() {
  cat <<ENV
export TEST_SOPORTE_POSTGRES_URL=postgres://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB
export TEST_SOPORTE_IMAP_ADDR=127.0.0.1:$IMAP_PORT
export TEST_SOPORTE_IMAP_USER=$IMAP_USER
export TEST_SOPORTE_IMAP_PASSWORD=$IMAP_PASS
export TEST_SOPORTE_IMAP_MAILDIR=$(printf '%q' "$IMAP_MAILDIR")
export TEST_SOPORTE_SMTP_ADDR=127.0.0.1:$SMTP_PORT
export TEST_SOPORTE_SMTP_MAILDIR=$(printf '%q' "$SMTP_MAILDIR")
export TEST_SOPORTE_CHROMIUM=$CHROMIUM
export TEST_SOPORTE_CHROMEDRIVER=$CHROMEDRIVER
ENV
}

case "${1:-}" in
  up) up ;;
  down) [ -d "$D" ] && down; log "services down" ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
