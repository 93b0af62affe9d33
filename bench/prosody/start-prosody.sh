#!/usr/bin/env bash
# Start a private Prosody on 127.0.0.1 for Parley's interop checks and benchmarks.
#
#   bench/prosody/start-prosody.sh RUN_DIR PORT [DOMAIN]
#
# Creates RUN_DIR/{certs,data}, a test CA (RUN_DIR/certs/ca.pem — clients trust this)
# and a server certificate for DOMAIN (default example.com), writes
# RUN_DIR/prosody.cfg.lua from prosody.cfg.lua.in, starts Prosody in the
# background and waits until PORT accepts connections. Prints Prosody's PID.
# Environment: PROSODY_LOG_LEVEL (default warn), PROSODY_ALLOW_REGISTRATION (default true),
# PROSODY_NOFILE (ulimit -n, default 65536).
# Stop it with: kill "$(cat RUN_DIR/prosody.pid)"
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 RUN_DIR PORT [DOMAIN]" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="$(mkdir -p "$1" && cd "$1" && pwd)"
port="$2"
domain="${3:-example.com}"

command -v prosody >/dev/null || { echo "prosody not found: install Debian package prosody" >&2; exit 1; }

mkdir -p "$run_dir/certs" "$run_dir/data"
if [[ ! -f "$run_dir/certs/server.pem" ]]; then
    (
        cd "$run_dir/certs"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
            -subj "/CN=Parley bench test CA" -keyout ca.key -out ca.pem \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -subj "/CN=$domain" -keyout server.key -out server.csr 2>/dev/null
        printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n' "$domain" > ext.cnf
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
            -extfile ext.cnf -out server.pem 2>/dev/null
        rm -f server.csr ext.cnf
    )
fi

sed -e "s|@RUN_DIR@|$run_dir|g" -e "s|@PORT@|$port|g" -e "s|@DOMAIN@|$domain|g" \
    -e "s|@LOG_LEVEL@|${PROSODY_LOG_LEVEL:-warn}|g" \
    -e "s|@ALLOW_REGISTRATION@|${PROSODY_ALLOW_REGISTRATION:-true}|g" \
    "$here/prosody.cfg.lua.in" > "$run_dir/prosody.cfg.lua"

# Prosody drops privileges to the prosody user: its data, certificates and log must be its own.
if [[ $(id -u) -eq 0 ]]; then
    chown -R prosody:prosody "$run_dir/data" "$run_dir/certs"
    touch "$run_dir/prosody.log" && chown prosody:prosody "$run_dir/prosody.log"
    chmod 755 "$run_dir"
fi
rm -f "$run_dir/prosody.pid" "$run_dir/data/prosody.pid"
: > "$run_dir/prosody.log"

ulimit -n "${PROSODY_NOFILE:-65536}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
launch=(prosody --config "$run_dir/prosody.cfg.lua" -F)
if [[ $(id -u) -eq 0 ]]; then
    # Prosody refuses to run as root; drop to its own user as its init script does.
    launch=(setpriv --reuid=prosody --regid=prosody --init-groups -- "${launch[@]}")
fi
nohup "${launch[@]}" >"$run_dir/prosody.out" 2>&1 &
pid=$!
echo "$pid" > "$run_dir/prosody.pid"

for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "prosody exited at start; output:" >&2
        cat "$run_dir/prosody.out" "$run_dir/prosody.log" >&2 || true
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "$pid"
        exit 0
    fi
    sleep 0.1
done
echo "prosody did not listen on 127.0.0.1:$port within 10 s" >&2
cat "$run_dir/prosody.out" "$run_dir/prosody.log" >&2 || true
kill "$pid" 2>/dev/null || true
exit 1
