#!/usr/bin/env bash
# Side-by-side XMPP load test: Parley vs Prosody on this machine, in one run.
#
#   bench/xmpp-load.sh [--users N] [--messages M] [--presence K] [--run-dir DIR] [--only parley|prosody] [--fresh]
#
# For each server in turn: provision N users with rosters of 20 mutual contacts (once per
# run directory; later runs reuse them), start the server fresh, run bench/Parley.LoadTool
# (parley-load) against it with its PID for RSS/CPU readings, stop it. Then print both
# results side by side with the ratio Parley/Prosody. Only one server runs while measured.
# Needs: dotnet, prosody (Debian package), python3. See docs/benchmarks.md.
# PARLEY_DLL=path/to/parley.dll uses that build of Parley instead of building src/Parley.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
users=200
messages=100
presence=5
only=""
fresh=0
run_dir="${TMPDIR:-/tmp}/parley-xmpp-load"
password="load-password"
prefix="load"
domain="example.com"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --users) users="$2"; shift 2 ;;
        --messages) messages="$2"; shift 2 ;;
        --presence) presence="$2"; shift 2 ;;
        --run-dir) run_dir="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --fresh) fresh=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[[ $fresh -eq 1 ]] && rm -rf "$run_dir"
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

build() { # project
    local out
    if ! out="$(dotnet build "$1" -c Release -nologo -v quiet 2>&1)"; then
        echo "$out" >&2
        echo "build of $1 failed" >&2
        exit 1
    fi
}
log "building (Release)"
build "$repo/bench/Parley.LoadTool/Parley.LoadTool.csproj"
parley_dll="${PARLEY_DLL:-$repo/src/Parley/bin/Release/net10.0/parley.dll}"
if [[ "$only" != "prosody" && -z "${PARLEY_DLL:-}" ]]; then
    build "$repo/src/Parley/Parley.csproj"
fi
load_dll="$repo/bench/Parley.LoadTool/bin/Release/net10.0/parley-load.dll"

server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}

load() { # label port ca pid extra-args...
    local label="$1" port="$2" ca="$3" pid="$4"; shift 4
    dotnet "$load_dll" --host 127.0.0.1 --port "$port" --domain "$domain" --users "$users" \
        --password "$password" --prefix "$prefix" --ca "$ca" --server-pid "$pid" --label "$label" \
        --concurrency 64 "$@"
}

# ---- Prosody -----------------------------------------------------------------------------
start_prosody() {
    local port="$1"
    server_pid="$(PROSODY_LOG_LEVEL=error "$repo/bench/prosody/start-prosody.sh" "$run_dir/prosody" "$port" "$domain")"
}

run_prosody() {
    command -v prosody >/dev/null || { echo "prosody not found: install Debian package prosody" >&2; exit 1; }
    local port marker="$run_dir/prosody/.provisioned-$prefix-$users"
    port="$(free_port)"
    if [[ ! -f "$marker" ]]; then
        log "prosody: provisioning $users users by in-band registration, and their rosters"
        start_prosody "$port"
        load prosody "$port" "$run_dir/prosody/certs/ca.pem" "$server_pid" --register --messages 0 --presence 0 >/dev/null
        stop_server
        touch "$marker"
    fi
    log "prosody: measuring (fresh start)"
    start_prosody "$port"
    load prosody "$port" "$run_dir/prosody/certs/ca.pem" "$server_pid" --messages "$messages" --presence "$presence" \
        --json "$run_dir/prosody.json"
    stop_server
}

# ---- Parley ------------------------------------------------------------------------------
start_parley() {
    local port="$1" log_file="$run_dir/parley.log"
    : > "$log_file"
    dotnet "$parley_dll" serve --data "$run_dir/parley" --domain "$domain" --bind 127.0.0.1 \
        --xmpp-port "$port" --admin-port 0 >"$log_file" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        if grep -qiE '\bready\b' "$log_file"; then return 0; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "parley serve exited at start:" >&2; cat "$log_file" >&2; exit 1
        fi
        sleep 0.1
    done
    echo "parley serve not ready within 60 s:" >&2; cat "$log_file" >&2; exit 1
}

run_parley() {
    local port marker="$run_dir/parley/.provisioned-$prefix-$users"
    port="$(free_port)"
    if [[ ! -f "$marker" ]]; then
        log "parley: provisioning $users users with 'parley user import'"
        mkdir -p "$run_dir/parley"
        start_parley "$port" # first start creates the store, the domain and the CA
        { echo "jid,password"; seq 1 "$users" | sed "s/.*/$prefix&@$domain,$password/"; } \
            | dotnet "$parley_dll" user import - --data "$run_dir/parley" >/dev/null 2>>"$run_dir/provision-errors.log"
        log "parley: setting up rosters"
        load parley "$port" "$run_dir/parley/certs/ca.pem" "$server_pid" --messages 0 --presence 0 >/dev/null
        stop_server
        touch "$marker"
    fi
    log "parley: measuring (fresh start)"
    start_parley "$port"
    load parley "$port" "$run_dir/parley/certs/ca.pem" "$server_pid" --messages "$messages" --presence "$presence" \
        --json "$run_dir/parley.json"
    stop_server
}

rm -f "$run_dir/prosody.json" "$run_dir/parley.json"
[[ "$only" != "parley" ]] && run_prosody
[[ "$only" != "prosody" ]] && run_parley

# ---- side by side ------------------------------------------------------------------------
/usr/bin/python3 - "$run_dir/parley.json" "$run_dir/prosody.json" <<'PY'
import json, os, sys
rows = [
    ("users", "users", None),
    ("login_seconds", "login time (s)", "lower"),
    ("server_rss_per_session_kb", "server RSS per session (KB)", "lower"),
    ("server_rss_after_kb", "server RSS with all sessions (KB)", "lower"),
    ("messages_per_second", "messages/s", "higher"),
    ("message_server_cpu_us", "server CPU per message (µs)", "lower"),
    ("presence_per_second", "presence deliveries/s", "higher"),
    ("presence_server_cpu_us", "server CPU per presence delivery (µs)", "lower"),
    ("messages_delivered", "messages delivered", None),
    ("presence_delivered", "presence deliveries", None),
    ("sessions_lost", "sessions lost", None),
]
res = {}
for name, path in (("parley", sys.argv[1]), ("prosody", sys.argv[2])):
    res[name] = json.load(open(path)) if os.path.exists(path) else {}
print()
print(f"{'':40} {'Parley':>12} {'Prosody':>12}   Parley/Prosody")
for key, label, better in rows:
    a, b = res["parley"].get(key), res["prosody"].get(key)
    ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "-"
    if better and ratio != "-":
        ratio += f" ({better} is better)"
    fmt = lambda v: "-" if v is None else (f"{v:,.1f}" if isinstance(v, float) else f"{v:,}")
    print(f"{label:40} {fmt(a):>12} {fmt(b):>12}   {ratio}")
date = res["parley"].get("date") or res["prosody"].get("date")
machine = res["parley"].get("machine") or res["prosody"].get("machine")
print(f"\n{date}, {machine}")
PY
