#!/usr/bin/env bash
# Federation benchmarks, Parley vs a Kamailio-only baseline, in one run (run by hand, not by `dotnet test`):
#  - latency: the load tool is the peer; its watchers bob_i SUBSCRIBE (UDP, trusted by the incoming ACL, no challenge)
#    to Parley users alice_i, whose XMPP clients change presence at --rate per second in total; latency = NOTIFY
#    arrival at the peer minus the send time carried in <status> (the PIDF note). Baseline: the same watchers subscribed
#    to alice_i hosted on Kamailio, the changes PUBLISHed to it.
#  - throughput: SUBSCRIBE fetches (Expires: 0 → 200 + one NOTIFY) from the peer through a Parley routing node
#    (127.0.0.2) to the users' home front end (127.0.0.3), the front end alone, and Kamailio for its own users.
# CPU time per operation of each server's process tree from /proc (as bench/sip-load.sh). One server set runs at a time.
#
#   bench/federation-load.sh [--duration S] [--warmup S] [--rate N] [--users N] [--fetch-rates N,N]
#                            [--only latency|fetch] [--run-dir DIR] [--json FILE]
#
# Needs: kamailio + kamailio-presence-modules + kamailio-sqlite-modules, sipsak (start-kamailio.sh), dotnet.
# PARLEY_DLL=path/to/parley.dll uses that build of Parley instead of building src/Parley.
# Results: docs/benchmarks.md, "Federation"; raw JSON in bench/results/federation/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in kamailio sipsak; do
    command -v "$tool" >/dev/null || { echo "$tool not found: install Debian packages kamailio kamailio-presence-modules kamailio-sqlite-modules sipsak" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [[ -z "${PARLEY_DLL:-}" ]]; then
    echo "building src/Parley (Release)" >&2
    dotnet build "$repo/src/Parley/Parley.csproj" -c Release -nologo -v quiet >&2
fi
exec /usr/bin/python3 "$repo/bench/federation/fed_load.py" "$@"
