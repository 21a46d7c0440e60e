#!/usr/bin/env bash
# scripts/services.sh up|down|env -- throw-away services for Soporte's tests, on 127.0.0.1 only.
#
# Debian bookworm, run as root, no systemd, no stdin needed. Nothing outside the state directory
# ($SOPORTE_SERVICES_DIR, default /tmp/soporte-test-services) is touched except installing the
# Debian packages and creating the system user `vmail`.
#
#   PostgreSQL  postgres://ciuser:cipass@127.0.0.1:54329/cidb   (ciuser has CREATEDB; initdb + pg_ctl as user postgres)
#   IMAP        citest / citestpass on 127.0.0.1:10143, STARTTLS offered, plain login allowed
#               and IMAPS (TLS from the first byte) on 127.0.0.1:10993  (Dovecot, passwd-file user, Maildir)
#   SMTP sink   127.0.0.1:10025, no TLS, no AUTH; every delivered message lands in a Maildir (Debian's python3-aiosmtpd)
#   SMTP AUTH   127.0.0.1:10587 requires STARTTLS, then AUTH as citest / citestpass;
#               127.0.0.1:10465 SMTPS (TLS from the first byte), AUTH required; both deliver to a second Maildir
#   TLS         a throw-away CA (tls/ca.pem, printed as TEST_SOPORTE_TLS_CA) and a server certificate for
#               localhost / 127.0.0.1 signed by it, made fresh by every `up`; clients must trust the CA
#   Chromium    /usr/bin/chromium + /usr/bin/chromedriver installed (tests start them themselves)
#   Small disk  an 8 MB tmpfs at $D/small-volume, for tests that fill a disk (TEST_SOPORTE_SMALL_VOLUME)
#
#   up    stop a previous run's services, install missing packages, start everything, check it
#   down  stop the services (by pid, never by name)
#   env   print `export TEST_SOPORTE_...=...` lines:  eval "$(scripts/services.sh env)"
#
# A second instance beside the standard one needs its own state directory and ports, e.g.
#   SOPORTE_SERVICES_DIR=/tmp/my-services SOPORTE_SERVICES_PG_PORT=54339 SOPORTE_SERVICES_IMAP_PORT=20143 \
#   SOPORTE_SERVICES_IMAPS_PORT=20993 SOPORTE_SERVICES_SMTP_PORT=20025 SOPORTE_SERVICES_SMTP_AUTH_PORT=20587 \
#   SOPORTE_SERVICES_SMTPS_PORT=20465 scripts/services.sh up
# `up` records the ports in the state directory, so a later `env` with only SOPORTE_SERVICES_DIR
# set still prints the ports that instance listens on.
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
#  - TLS: rustls (webpki) rejects a self-signed certificate used directly as a server certificate
#    and v1 certificates, so there is a real CA (basicConstraints CA:TRUE) and a separate v3 leaf
#    with subjectAltName DNS:localhost + IP:127.0.0.1 and extendedKeyUsage serverAuth.
#  - aiosmtpd's `auth_require_tls` only counts STARTTLS: on an SMTPS listener it would refuse AUTH
#    on a connection that is encrypted from the first byte, so the SMTPS listener turns it off.
#  - Chromium, when a test starts it, needs --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
#    besides --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
#    --disable-background-networking --disable-component-update --disable-sync
#    --disable-dev-shm-usage --user-data-dir=<fresh temp dir>, or it makes DNS queries outside.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

D=${SOPORTE_SERVICES_DIR:-/tmp/soporte-test-services}
PG_PORT=${SOPORTE_SERVICES_PG_PORT:-54329} PG_USER=ciuser PG_PASS=cipass PG_DB=cidb
IMAP_PORT=${SOPORTE_SERVICES_IMAP_PORT:-10143} IMAP_USER=citest IMAP_PASS=citestpass
IMAPS_PORT=${SOPORTE_SERVICES_IMAPS_PORT:-10993}
SMTP_PORT=${SOPORTE_SERVICES_SMTP_PORT:-10025}
SMTP_AUTH_PORT=${SOPORTE_SERVICES_SMTP_AUTH_PORT:-10587} SMTPS_PORT=${SOPORTE_SERVICES_SMTPS_PORT:-10465}
SMTP_AUTH_USER=citest SMTP_AUTH_PASS=citestpass
PACKAGES=(postgresql dovecot-imapd python3-aiosmtpd openssl chromium chromium-driver)
CHROMIUM=/usr/bin/chromium CHROMEDRIVER=/usr/bin/chromedriver
MARKER=.soporte-test-services   # only a directory holding this file is ever wiped

IMAP_MAILDIR=$D/imap/home/$IMAP_USER/Maildir
SMTP_MAILDIR=$D/smtp/Maildir
SMTP_AUTH_MAILDIR=$D/smtp-auth/Maildir
SMALL_VOLUME=$D/small-volume
TLS_DIR=$D/tls
TLS_CA=$TLS_DIR/ca.pem
PORTS_FILE=$D/ports            # the ports `up` used, for a later `env`

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

tls_greets() {   # tls_greets PORT PREFIX : one try, TLS verified against the test CA for `localhost`, then the greeting
  /usr/bin/python3 - "$1" "$2" "$TLS_CA" 2>/dev/null <<'PY'
import socket, ssl, sys
port, prefix, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        line = s.makefile("rb").readline().decode("ascii", "replace")
sys.exit(0 if line.startswith(prefix) else 1)
PY
}
wait_tls_banner() {  # wait_tls_banner PORT PREFIX NAME : like wait_banner, over verified TLS
  for _ in $(seq 150); do tls_greets "$1" "$2" && return 0; sleep 0.1; done
  die "$3: no '$2' greeting over TLS (verified against $TLS_CA) on 127.0.0.1:$1 within 15 s"
}

PORT_VARS=(PG_PORT IMAP_PORT IMAPS_PORT SMTP_PORT SMTP_AUTH_PORT SMTPS_PORT)
check_ports() {  # every port a number in range, no two the same
  local v seen=' '
  for v in "${PORT_VARS[@]}"; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] && [ "${!v}" -le 65535 ] \
        || die "$v=${!v} (SOPORTE_SERVICES_$v) is not a port number"
    [[ $seen == *" ${!v} "* ]] && die "port ${!v} is given twice ($v)"
    seen+="${!v} "
  done
}
load_ports() {   # the ports a running instance was started with win over the environment's
  local name value
  [ -r "$PORTS_FILE" ] || return 0
  while IFS='=' read -r name value; do
    [[ " ${PORT_VARS[*]} " == *" $name "* ]] || continue
    [[ $value =~ ^[0-9]+$ ]] || die "$PORTS_FILE: '$value' is not a port number ($name)"
    printf -v "$name" '%s' "$value"
  done <"$PORTS_FILE"
}
save_ports() {
  local v
  for v in "${PORT_VARS[@]}"; do printf '%s=%s\n' "$v" "${!v}"; done >"$PORTS_FILE"
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

tls_up() {       # a throw-away CA and a server certificate it signs, for localhost and 127.0.0.1
  local t0 d=$TLS_DIR out
  t0=$(stamp)
  mkdir -p "$d"; chmod 755 "$d"
  cat >"$d/ca.cnf" <<CONF
[req]
prompt = no
distinguished_name = dn
x509_extensions = ca_ext
[dn]
CN = Soporte throw-away test CA
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CONF
  cat >"$d/server.ext" <<CONF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CONF
  # P-256 keys: generated in milliseconds, and every TLS stack involved (rustls/ring, Dovecot's
  # OpenSSL, Python's ssl) speaks ECDSA.
  out=$( (umask 077
          openssl req -x509 -new -config "$d/ca.cnf" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
              -keyout "$d/ca.key" -out "$TLS_CA" -days 825 -sha256 &&
          openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
              -keyout "$d/server.key" -out "$d/server.csr" &&
          openssl x509 -req -in "$d/server.csr" -CA "$TLS_CA" -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
              -days 825 -sha256 -extfile "$d/server.ext" -out "$d/server.pem" &&
          openssl verify -CAfile "$TLS_CA" -verify_hostname localhost -verify_ip 127.0.0.1 "$d/server.pem") </dev/null 2>&1) \
      || { printf '%s\n' "$out" >&2; die "tls: generating the test CA and server certificate failed"; }
  chmod 644 "$TLS_CA" "$d/server.pem"
  log "tls certificates made: $(since "$t0")  CA $TLS_CA, server certificate for localhost + 127.0.0.1"
}

imap_up() {
  local t0 d=$D/imap u g p
  t0=$(stamp)
  port_free "$IMAP_PORT" dovecot
  port_free "$IMAPS_PORT" dovecot
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
# TLS on both listeners (STARTTLS on the plain one); plain-text login stays allowed there for the
# tests that use it. Dovecot reads the key as root before dropping privileges.
ssl = yes
ssl_cert = <$TLS_DIR/server.pem
ssl_key = <$TLS_DIR/server.key
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
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
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
  wait_tls_banner "$IMAPS_PORT" "* OK" "dovecot (imaps)"
  log "dovecot up (pid $(cat "$D/imap.pid")): $(since "$t0")  imap :$IMAP_PORT (STARTTLS), imaps :$IMAPS_PORT, maildir $IMAP_MAILDIR"
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

smtp_auth_up() {  # STARTTLS + AUTH on one port, SMTPS + AUTH on another, one process, one Maildir
  local t0 d=$D/smtp-auth
  t0=$(stamp)
  port_free "$SMTP_AUTH_PORT" "aiosmtpd (auth)"
  port_free "$SMTPS_PORT" "aiosmtpd (smtps)"
  mkdir -p "$SMTP_AUTH_MAILDIR/cur" "$SMTP_AUTH_MAILDIR/new" "$SMTP_AUTH_MAILDIR/tmp"
  # aiosmtpd's command line has STARTTLS and SMTPS switches but no way to plug in an
  # authenticator, so the servers run from a small controller script.
  cat >"$d/server.py" <<'PY'
"""SMTP receivers that demand TLS and AUTH; every accepted message goes to one Maildir with headers
saying which listener took it (X-Transport) and who logged in (X-Authenticated-As)."""
import signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

host, starttls_port, smtps_port, cert, key, maildir, user, password = sys.argv[1:]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == user.encode() and auth_data.password == password.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class Recorder(Mailbox):
    def __init__(self, transport):
        super().__init__(maildir)
        self.transport = transport

    def prepare_message(self, session, envelope):
        message = super().prepare_message(session, envelope)
        message["X-Transport"] = self.transport
        login = getattr(session.auth_data, "login", b"")
        message["X-Authenticated-As"] = login.decode("utf-8", "replace")
        return message


def tls():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


# Blocked before the controllers' threads start, so they inherit the mask and sigwait gets them.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
common = dict(hostname=host, server_hostname="localhost", authenticator=authenticator, auth_required=True)
servers = [
    Controller(Recorder("starttls"), port=int(starttls_port), tls_context=tls(), require_starttls=True,
               auth_require_tls=True, **common),
    # auth_require_tls counts only STARTTLS; this connection is TLS from the first byte.
    Controller(Recorder("smtps"), port=int(smtps_port), ssl_context=tls(), auth_require_tls=False, **common),
]
for s in servers:
    s.start()
print(f"listening on {host}:{starttls_port} (STARTTLS) and {host}:{smtps_port} (SMTPS)", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
for s in servers:
    s.stop()
PY
  nohup /usr/bin/python3 "$d/server.py" 127.0.0.1 "$SMTP_AUTH_PORT" "$SMTPS_PORT" "$TLS_DIR/server.pem" \
      "$TLS_DIR/server.key" "$SMTP_AUTH_MAILDIR" "$SMTP_AUTH_USER" "$SMTP_AUTH_PASS" \
      </dev/null >"$d/server.log" 2>&1 &
  echo $! >"$D/smtp-auth.pid"
  wait_banner "$SMTP_AUTH_PORT" "220" "aiosmtpd (auth)"
  wait_tls_banner "$SMTPS_PORT" "220" "aiosmtpd (smtps)"
  log "aiosmtpd with TLS + AUTH up (pid $(cat "$D/smtp-auth.pid")): $(since "$t0")  starttls :$SMTP_AUTH_PORT, smtps :$SMTPS_PORT, maildir $SMTP_AUTH_MAILDIR"
}

tls_check() {     # log in over every TLS path the way a client would, verifying the certificate
  local out
  out=$(/usr/bin/python3 - "$TLS_CA" "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_AUTH_PORT" "$SMTPS_PORT" \
        "$IMAP_USER" "$IMAP_PASS" "$SMTP_AUTH_USER" "$SMTP_AUTH_PASS" 2>&1 <<'PY'
import imaplib, smtplib, ssl, sys
ca, imap, imaps, submission, smtps, iu, ip, su, sp = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)

def imap_starttls():
    c = imaplib.IMAP4("localhost", int(imap), timeout=10)
    c.starttls(ssl_context=ctx); c.login(iu, ip); c.logout()

def imap_tls():
    c = imaplib.IMAP4_SSL("localhost", int(imaps), ssl_context=ctx, timeout=10)
    c.login(iu, ip); c.logout()

def smtp_starttls():
    with smtplib.SMTP("localhost", int(submission), timeout=10) as s:
        s.starttls(context=ctx); s.login(su, sp)

def smtp_tls():
    with smtplib.SMTP_SSL("localhost", int(smtps), context=ctx, timeout=10) as s:
        s.login(su, sp)

for name, probe in [(f"imap STARTTLS :{imap}", imap_starttls), (f"imaps :{imaps}", imap_tls),
                    (f"smtp STARTTLS + AUTH :{submission}", smtp_starttls), (f"smtps + AUTH :{smtps}", smtp_tls)]:
    try:
        probe()
    except Exception as e:
        sys.exit(f"{name}: {e!r}")
PY
  ) || die "tls: $out"
}

check() {        # quick readiness check of every service; fails naming the service
  local t0 out
  t0=$(stamp)
  out=$(cd / && PGPASSWORD=$PG_PASS PGCONNECT_TIMEOUT=10 psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
        -qAt -c 'select 1' </dev/null 2>&1) || die "postgres: 'select 1' as $PG_USER over TCP failed: $out"
  [ "$out" = 1 ] || die "postgres: 'select 1' returned '$out'"
  greets "$IMAP_PORT" "* OK" || die "imap: no '* OK' greeting on 127.0.0.1:$IMAP_PORT"
  greets "$SMTP_PORT" "220" || die "smtp: no '220' greeting on 127.0.0.1:$SMTP_PORT"
  greets "$SMTP_AUTH_PORT" "220" || die "smtp (auth): no '220' greeting on 127.0.0.1:$SMTP_AUTH_PORT"
  tls_check
  out=$(timeout 60 "$CHROMIUM" --version </dev/null 2>&1) || die "chromium: '$CHROMIUM --version' failed: $out"
  out=$(timeout 60 "$CHROMEDRIVER" --version </dev/null 2>&1) || die "chromedriver: '$CHROMEDRIVER --version' failed: $out"
  mountpoint -q "$SMALL_VOLUME" || die "small volume: $SMALL_VOLUME is not mounted"
  log "readiness check ok (postgres, imap + STARTTLS, imaps, smtp, smtp STARTTLS + AUTH, smtps + AUTH, chromium, chromedriver, small volume): $(since "$t0")"
}

small_volume_up() {  # a disk the tests may fill without harming the machine
  mkdir -p "$SMALL_VOLUME"
  mount -t tmpfs -o size=8m,mode=1777 soporte-small-volume "$SMALL_VOLUME" \
    || die "small volume: mount -t tmpfs on $SMALL_VOLUME failed"
  log "small volume up: $SMALL_VOLUME ($(df -h --output=size "$SMALL_VOLUME" | tail -n1 | tr -d ' '))"
}

down() {
  if mountpoint -q "$SMALL_VOLUME" 2>/dev/null; then umount "$SMALL_VOLUME" || umount -l "$SMALL_VOLUME"; fi
  stop_pid "$D/smtp-auth.pid" python3 TERM
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
  save_ports
  install_pkgs
  tls_up; pg_up; imap_up; smtp_up; smtp_auth_up; small_volume_up
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
export TEST_SOPORTE_TLS_CA=$(printf '%q' "$TLS_CA")
export TEST_SOPORTE_IMAPS_ADDR=127.0.0.1:$IMAPS_PORT
export TEST_SOPORTE_SMTP_AUTH_ADDR=127.0.0.1:$SMTP_AUTH_PORT
export TEST_SOPORTE_SMTP_AUTH_USER=$SMTP_AUTH_USER
export TEST_SOPORTE_SMTP_AUTH_PASSWORD=$SMTP_AUTH_PASS
export TEST_SOPORTE_SMTP_AUTH_MAILDIR=$(printf '%q' "$SMTP_AUTH_MAILDIR")
export TEST_SOPORTE_SMTPS_ADDR=127.0.0.1:$SMTPS_PORT
export TEST_SOPORTE_CHROMIUM=$CHROMIUM
export TEST_SOPORTE_CHROMEDRIVER=$CHROMEDRIVER
export TEST_SOPORTE_SMALL_VOLUME=$(printf '%q' "$SMALL_VOLUME")
ENV
}

case "${1:-}" in
  up) check_ports; up ;;
  down) [ -d "$D" ] && down; log "services down" ;;
  env) load_ports; check_ports; env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
