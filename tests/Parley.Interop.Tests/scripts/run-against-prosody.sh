#!/usr/bin/env bash
# Runs every slixmpp scenario against a real Prosody (Debian package), as a check that the
# scenarios themselves are right. Prosody differs from Parley in two documented ways, passed
# as options: it does not auto-approve subscriptions (--auto-approve off) and it answers a
# blocked contact's message with service-unavailable (--blocked-error-ok).
#   tests/Parley.Interop.Tests/scripts/run-against-prosody.sh [RUN_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
run_dir="${1:-${TMPDIR:-/tmp}/parley-scenarios-prosody}"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

pid="$("$repo/bench/prosody/start-prosody.sh" "$run_dir" "$port")"
trap 'kill "$(cat "$run_dir/prosody.pid")" 2>/dev/null || true' EXIT
config="$run_dir/prosody.cfg.lua"

register() { # name → "--user JID PASSWORD"
    local user="$1-$RANDOM$RANDOM"
    if [[ $(id -u) -eq 0 ]]; then
        setpriv --reuid=prosody --regid=prosody --init-groups -- prosodyctl --config "$config" register "$user" example.com pw >/dev/null
    else
        prosodyctl --config "$config" register "$user" example.com pw >/dev/null
    fi
    echo "--user $user@example.com pw"
}

common=(--port "$port" --ca "$run_dir/certs/ca.pem" --auto-approve off --timeout 90)
failed=0
run() { # script args...
    local script="$1"; shift
    echo "=== $script $*"
    if ! /usr/bin/python3 "$here/$script" "${common[@]}" "$@"; then
        failed=$((failed + 1))
    fi
}

# shellcheck disable=SC2046
run presence_roster.py $(register alice) $(register bob) $(register carol)
# shellcheck disable=SC2046
run messaging.py $(register alice) $(register bob) $(register carol)
# shellcheck disable=SC2046
run blocking.py --blocked-error-ok $(register alice) $(register bob) $(register carol)
# shellcheck disable=SC2046
run stream_resumption.py $(register alice) $(register bob)
users="$(register alice) $(register bob) $(register carol) $(register dave)"
# shellcheck disable=SC2086
run persistence.py --phase setup --blocked-error-ok $users
kill "$(cat "$run_dir/prosody.pid")"; sleep 1
pid="$("$repo/bench/prosody/start-prosody.sh" "$run_dir" "$port")"
# shellcheck disable=SC2086
run persistence.py --phase verify --blocked-error-ok $users

echo
echo "prosody (pid $pid): $failed scenario(s) failed"
exit $(( failed > 0 ))
