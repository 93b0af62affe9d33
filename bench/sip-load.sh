#!/usr/bin/env bash
# Side-by-side SIP load test: Parley vs Kamailio on this machine, in one run (run by hand, not by
# `dotnet test`). For each transport (UDP, TCP) and each workload, both servers are started fresh
# and warmed up with --warmup seconds of the same load; then --rounds measured windows of
# --duration seconds alternate between them (the order flips each round; only one is loaded at a
# time). In each window sipp drives the server at a fixed rate and the CPU time of the server's
# process tree (utime+stime from /proc, Kamailio's forked workers included) is divided by the
# successful operations; each round gives a paired ratio, and the median of those is the result. Both do the same work: every request is digest-challenged once (407, MD5) and resent
# with credentials; MESSAGE is relayed statefully to a registered sipp UAS, which counts what it
# receives; presence is a fetch (SUBSCRIBE Expires: 0, 200, one NOTIFY).
#
#   bench/sip-load.sh [--duration S] [--rounds N] [--message-rate N] [--presence-rate N] [--only parley|kamailio]
#                     [--transports udp,tcp] [--kinds message,presence] [--sockets N] [--warmup S] [--run-dir DIR] [--json FILE]
#
# Needs: sipp (Debian sip-tester), kamailio + kamailio-presence-modules + kamailio-sqlite-modules,
# dotnet. Kamailio runs as bench/kamailio/start-kamailio.sh starts it (-x tlsf -m 2048).
# sipp spreads UDP load over --sockets source sockets (-t un; TCP uses one connection), as many phones would; Kamailio
# gets the same sockets. (Parley admits 10,000 datagrams/s per UDP source by default, SipTransportLimits.)
# PARLEY_DLL=path/to/parley.dll uses that build of Parley instead of building src/Parley. Results: docs/benchmarks.md,
# "SIP".
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in sipp kamailio; do
    command -v "$tool" >/dev/null || { echo "$tool not found: install Debian packages sip-tester kamailio kamailio-presence-modules kamailio-sqlite-modules" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [[ " $* " != *" --only kamailio "* && -z "${PARLEY_DLL:-}" ]]; then
    echo "building src/Parley (Release)" >&2
    dotnet build "$repo/src/Parley/Parley.csproj" -c Release -nologo -v quiet >&2
fi
exec /usr/bin/python3 "$repo/bench/sip/sip_load.py" "$@"
