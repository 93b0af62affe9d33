#!/usr/bin/env bash
# Start a private Kamailio on 127.0.0.1 as Parley's SIP peer (interop checks and bench/sip-load.sh).
#
#   bench/kamailio/start-kamailio.sh RUN_DIR PORT [TLS_PORT]
#
# Listens on UDP and TCP PORT (and TLS_PORT when given, with a test CA in RUN_DIR/certs/ca.pem),
# creates RUN_DIR/presence.sqlite from Debian's schema in WAL mode, starts Kamailio in the
# background with -x tlsf -m 2048 (see docs/benchmarks.md) and waits until it answers OPTIONS (sipsak).
# Prints the PID of Kamailio's main process. Every out-of-dialog request is challenged; the
# password of every user is $KAMAILIO_PASSWORD (default bench-password).
# Environment: KAMAILIO_SHM_MB (default 2048), KAMAILIO_PKG_MB (default 64), KAMAILIO_DEBUG (-1..3, default 1),
# KAMAILIO_CFG (default kamailio.cfg here; bench/federation uses its own presence-only configuration).
# Stop it with: kill "$(cat RUN_DIR/kamailio.pid)"
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 RUN_DIR PORT [TLS_PORT]" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="$(mkdir -p "$1" && cd "$1" && pwd)"
port="$2"
tls_port="${3:-}"
password="${KAMAILIO_PASSWORD:-bench-password}"
schema=/usr/share/kamailio/db_sqlite/presence-create.sql

command -v kamailio >/dev/null || { echo "kamailio not found: install Debian package kamailio" >&2; exit 1; }
[[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so ]] || { echo "presence module missing: install Debian package kamailio-presence-modules" >&2; exit 1; }
[[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so && -f $schema ]] || { echo "db_sqlite missing: install Debian package kamailio-sqlite-modules" >&2; exit 1; }

db="$run_dir/presence.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
/usr/bin/python3 - "$db" /usr/share/kamailio/db_sqlite/standard-create.sql "$schema" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
for path in sys.argv[2:]:
    db.executescript(open(path).read())
db.commit()
PY

defines=(-A "AUTH_PASSWORD=\"$password\"" -A "DB_URL=\"sqlite:///$db\"")
listen=(-l "udp:127.0.0.1:$port" -l "tcp:127.0.0.1:$port")
if [[ -n "$tls_port" ]]; then
    [[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ]] || { echo "tls module missing: install Debian package kamailio-tls-modules" >&2; exit 1; }
    mkdir -p "$run_dir/certs"
    if [[ ! -f "$run_dir/certs/server.pem" ]]; then
        (
            cd "$run_dir/certs"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
                -subj "/CN=Parley bench test CA" -keyout ca.key -out ca.pem \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                -subj "/CN=example.com" -keyout server.key -out server.csr 2>/dev/null
            printf 'subjectAltName=DNS:example.com,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
                -extfile ext.cnf -out server.pem 2>/dev/null
            rm -f server.csr ext.cnf
        )
    fi
    cat > "$run_dir/tls.cfg" <<TLS
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $run_dir/certs/server.key
certificate = $run_dir/certs/server.pem

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
TLS
    defines+=(-A WITH_TLS -A "TLS_CONFIG=\"$run_dir/tls.cfg\"")
    listen+=(-l "tls:127.0.0.1:$tls_port")
fi

rm -f "$run_dir/kamailio.pid"
: > "$run_dir/kamailio.log"
# -DD: stay in the foreground (children still fork) so this script's caller owns the process.
nohup kamailio -f "${KAMAILIO_CFG:-$here/kamailio.cfg}" -DD -E -x tlsf -m "${KAMAILIO_SHM_MB:-2048}" -M "${KAMAILIO_PKG_MB:-64}" \
    --debug="${KAMAILIO_DEBUG:-1}" -Y "$run_dir" -w "$run_dir" "${defines[@]}" "${listen[@]}" \
    >"$run_dir/kamailio.log" 2>&1 &
pid=$!
echo "$pid" > "$run_dir/kamailio.pid"

for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "kamailio exited at start; output:" >&2
        cat "$run_dir/kamailio.log" >&2 || true
        exit 1
    fi
    if sipsak -s sip:127.0.0.1 -r "$port" >/dev/null 2>&1; then
        echo "$pid"
        exit 0
    fi
    sleep 0.1
done
echo "kamailio did not answer OPTIONS on 127.0.0.1:$port within 10 s" >&2
cat "$run_dir/kamailio.log" >&2 || true
kill "$pid" 2>/dev/null || true
exit 1
