#!/usr/bin/python3
"""Federation benchmarks, Parley vs a Kamailio-only baseline in one run (see bench/federation-load.sh)."""
import argparse, asyncio, datetime, json, multiprocessing, os, platform, shutil, signal, statistics, subprocess, sys, tempfile, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "bench", "sip"))
from sip_load import free_port, log, rss_kb, stop_process, tree_cpu_seconds  # noqa: E402
import change_senders, sip_peer  # noqa: E402

PASSWORD = "bench-password"
PRESENTITY, WATCHER = "alice", "bob"  # alice_i is the server's user, bob_i the watcher on the other side


class Process:
    def __init__(self, name, run_dir):
        self.name, self.run_dir, self.pid = name, run_dir, None
        os.makedirs(run_dir, exist_ok=True)

    def cpu(self):
        return tree_cpu_seconds(self.pid)

    def stop(self):
        if not self.pid:
            return
        stop_process(self.pid)
        if getattr(self, "proc", None):
            self.proc.wait(timeout=10)
        self.pid = None


class Kamailio(Process):
    def start(self):
        self.host, self.port = "127.0.0.1", free_port()
        env = dict(os.environ, KAMAILIO_CFG=os.path.join(HERE, "kamailio-presence.cfg"), KAMAILIO_DEBUG="-1")
        out = subprocess.run([os.path.join(REPO, "bench", "kamailio", "start-kamailio.sh"), self.run_dir, str(self.port)],
                             env=env, capture_output=True, text=True, check=True)
        self.pid = int(out.stdout.split()[-1])


class Parley(Process):
    """parley serve on one loopback address with its own data directory, users alice0..N-1 imported, federation on,
    the incoming ACL trusting the load tool's address (127.0.0.1)."""

    def __init__(self, name, run_dir, dll, host, fqdn):
        super().__init__(name, run_dir)
        self.dll, self.host, self.fqdn, self.proc = dll, host, fqdn, None
        self.port, self.xmpp_port, self.data = free_port(), free_port(), os.path.join(run_dir, "data")

    def cli(self, *args):
        p = subprocess.run(["dotnet", self.dll, *args, "--data", self.data], capture_output=True, text=True, cwd=self.run_dir)
        if p.returncode != 0:
            raise SystemExit(f"{self.name}: parley {' '.join(args)} failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
        return p.stdout

    def start(self, users):
        shutil.rmtree(self.data, ignore_errors=True)
        os.makedirs(self.data)
        log_path = os.path.join(self.run_dir, "parley.log")
        self.proc = subprocess.Popen(
            ["dotnet", self.dll, "serve", "--data", self.data, "--domain", sip_peer.DOMAIN, "--bind", self.host, "--fqdn", self.fqdn,
             "--xmpp-port", str(self.xmpp_port), "--admin-port", "0", "--sip-port", str(self.port), "--sips-port", "0"],
            stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd=self.run_dir)
        self.pid = self.proc.pid
        for _ in range(600):
            if "ready" in open(log_path).read():
                break
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: parley serve exited at start:\n{open(log_path).read()}")
            time.sleep(0.1)
        else:
            raise SystemExit(f"{self.name}: parley serve not ready within 60 s")
        csv = os.path.join(self.run_dir, "users.csv")
        with open(csv, "w") as f:
            f.write("jid,password\n" + "".join(f"{PRESENTITY}{i}@{sip_peer.DOMAIN},{PASSWORD}\n" for i in range(users)))
        self.cli("user", "import", csv)
        self.cli("federation", "set", "--enabled", "true")
        self.cli("federation", "acl", "add", "127.0.0.0/8", "--description", "the load tool (the peer) and the other node")

    def wait_trusted(self, timeout=30):
        """Until a peer user's fetch is answered 2xx (not 407): the node applied the federation settings."""
        deadline, code = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            code = sip_peer.probe_fetch((self.host, self.port), f"{WATCHER}0", f"{PRESENTITY}0")
            if 200 <= code < 300:
                return
            time.sleep(0.5)
        raise SystemExit(f"{self.name}: a fetch from the peer is still answered {code} after {timeout} s; see {self.run_dir}/parley.log")


def peer_process(target, *args):
    parent, child = multiprocessing.Pipe()
    p = multiprocessing.Process(target=target, args=(child, *args), daemon=True)
    p.start()
    return p, parent


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] if sorted_values else None


async def latency_run(server, changer, a, server_procs):
    """Watchers bob_i subscribe to alice_i through a peer process; alice_i's presence changes at a.rate/s; the latency of
    each change is its NOTIFY's arrival minus the send time in its note."""
    peer, conn = peer_process(sip_peer.watch, (server.host, server.port), a.users, WATCHER, PRESENTITY)
    while not conn.poll():
        await asyncio.sleep(0.05)
    _, ready = conn.recv()
    log(f"{server.name}: subscriptions answered {ready['answers']}, initial NOTIFYs {ready['initial_notifies']}/{a.users}")
    start = time.monotonic() + 0.5
    phases = [("warmup", start, a.warmup), ("measured", start + a.warmup, a.duration)]
    cpu = {}

    async def sample(label, at):
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        cpu[label] = {p.name: p.cpu() for p in server_procs}

    samplers = [asyncio.create_task(sample("start", start + a.warmup)), asyncio.create_task(sample("end", start + a.warmup + a.duration))]
    sent = await change_senders.run_changes(changer.change, a.users, a.rate, phases)
    await asyncio.gather(*samplers)
    await asyncio.sleep(3)  # stragglers
    conn.send("stop")
    _, result = conn.recv()
    peer.join(5)
    measured = sent["measured"]
    arrived = {(u, s): lat for u, s, lat in result["marked"]}
    last_arrived = {}
    for u, s in arrived:
        last_arrived[u] = max(last_arrived.get(u, -1), s)
    lat = sorted(arrived[k] / 1e6 for k in measured if k in arrived)
    coalesced = sum(1 for k in measured if k not in arrived and last_arrived.get(k[0], -1) > k[1])
    lost = len(measured) - len(lat) - coalesced
    cpu_s = {n: cpu["end"][n] - cpu["start"][n] for n in cpu["end"]}
    log(f"{server.name}: {len(result['marked'])} NOTIFYs with a note, {result['unmarked']} without; last without: {result['sample']!r}")
    row = {
        "scenario": "latency", "server": server.name, "users": a.users, "target_rate": a.rate, "duration_s": a.duration,
        "changes_sent": len(measured), "achieved_rate": round(len(measured) / a.duration, 1),
        "notified": len(lat), "coalesced": coalesced, "lost": lost,
        "notify_states": result["notify_states"], "notifies_without_note": result["unmarked"], "last_notify_body_without_note": result["sample"],
        "skipped_unanswered_publish": getattr(changer, "skipped", None),
        "p50_ms": round(percentile(lat, 0.5), 2) if lat else None, "p99_ms": round(percentile(lat, 0.99), 2) if lat else None,
        "max_ms": round(lat[-1], 2) if lat else None, "mean_ms": round(statistics.fmean(lat), 2) if lat else None,
        "cpu_us_per_change": {n: round(s * 1e6 / max(1, len(measured)), 1) for n, s in cpu_s.items()},
        "server_cpu_pct": {n: round(100 * s / a.duration, 1) for n, s in cpu_s.items()},
        "rss_kb": {p.name: rss_kb(p.pid) for p in server_procs},
    }
    log(f"{server.name} latency: {row['achieved_rate']}/s sent, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, max {row['max_ms']} ms, "
        f"notified {row['notified']}, coalesced {coalesced}, lost {lost}, CPU-µs/change {row['cpu_us_per_change']}")
    return row


async def parley_latency(a, dll, run_dir):
    parley = Parley("parley", os.path.join(run_dir, "latency-parley"), dll, "127.0.0.1", "parley.example.com")
    parley.start(a.users)
    try:
        # The shared domain's other users live on the peer: a static route to it (the tool's address; not used by this
        # traffic, which the peer starts, but it is what makes the deployment a federated one).
        parley.cli("federation", "route", "add", "--pattern", sip_peer.DOMAIN, "--next-hop", "127.0.0.1", "--port", str(free_port()), "--transport", "tcp")
        parley.wait_trusted()
        clients = [change_senders.XmppPresentity(parley.host, parley.xmpp_port, f"{PRESENTITY}{i}", PASSWORD) for i in range(a.users)]
        gate = asyncio.Semaphore(20)

        async def login(c):
            async with gate:
                await c.login()

        await asyncio.gather(*(login(c) for c in clients))
        log(f"parley: {len(clients)} XMPP presentities logged in")

        class Changer:
            def change(self, index, seq):
                return clients[index].change(index, seq)

        return await latency_run(parley, Changer(), a, [parley])
    finally:
        parley.stop()


async def kamailio_latency(a, run_dir):
    kamailio = Kamailio("kamailio", os.path.join(run_dir, "latency-kamailio"))
    kamailio.start()
    kamailio.host = "127.0.0.1"
    try:
        loop = asyncio.get_running_loop()
        _, publisher = await loop.create_datagram_endpoint(
            lambda: change_senders.PublishingPresentities((kamailio.host, kamailio.port), a.users, PRESENTITY), local_addr=("127.0.0.1", 0))
        for i in range(a.users):  # each presentity's first publication, before its watcher subscribes
            publisher.change(i, -1, note="online")
            await asyncio.sleep(0.002)
        for _ in range(100):
            if not any(publisher.pending):
                break
            await asyncio.sleep(0.1)
        log(f"kamailio: {sum(1 for e in publisher.etag if e)}/{a.users} presentities published, failures {publisher.failures}")
        row = await latency_run(kamailio, publisher, a, [kamailio])
        row["publish_failures"] = publisher.failures
        return row
    finally:
        kamailio.stop()


def fetch_run(label, target, a, rate, server_procs):
    """SUBSCRIBE fetches at rate/s to target for a.warmup + a.duration s; CPU of each server process over the measured part."""
    start = time.monotonic() + 0.5
    peer, conn = peer_process(sip_peer.fetch, target, a.users, WATCHER, PRESENTITY, rate, [("warmup", start, a.warmup), ("measured", start + a.warmup, a.duration)])
    time.sleep(max(0.0, start + a.warmup - time.monotonic()))
    cpu0 = {p.name: p.cpu() for p in server_procs}
    time.sleep(max(0.0, start + a.warmup + a.duration - time.monotonic()))
    cpu1 = {p.name: p.cpu() for p in server_procs}
    _, result = conn.recv()
    peer.join(5)
    m = result["measured"]
    failed = m["sent"] - m["complete"]
    cpu_s = {n: cpu1[n] - cpu0[n] for n in cpu1}
    row = {
        "scenario": "fetch", "path": label, "target_rate": rate, "duration_s": a.duration, "sent": m["sent"], "answered_2xx": m["ok"],
        "notified": m["notified"], "complete": m["complete"], "other_answers": m["other"],
        "failure_pct": round(100.0 * failed / m["sent"], 3) if m["sent"] else None,
        "per_second": round(m["complete"] / a.duration, 1),
        "cpu_us_per_op": {n: round(s * 1e6 / max(1, m["complete"]), 1) for n, s in cpu_s.items()},
        "cpu_us_per_op_total": round(sum(cpu_s.values()) * 1e6 / max(1, m["complete"]), 1),
        "server_cpu_pct": {n: round(100 * s / a.duration, 1) for n, s in cpu_s.items()},
        "warmup": result.get("warmup"), "notify_states": result["notify_states"],
    }
    log(f"{label} fetch at {rate}/s: {row['per_second']}/s complete, {row['failure_pct']}% failed {m['other'] or ''}, "
        f"CPU-µs/op {row['cpu_us_per_op']} (total {row['cpu_us_per_op_total']}), NOTIFYs {result['notify_states']}")
    return row


def parley_fetch(a, dll, run_dir, rates):
    routing = Parley("parley-routing", os.path.join(run_dir, "fetch-routing"), dll, "127.0.0.2", "routing.example.com")
    home = Parley("parley-home", os.path.join(run_dir, "fetch-home"), dll, "127.0.0.3", "fe1.example.com")
    rows = []
    try:
        home.start(a.users)
        routing.start(a.users)  # the same users in its directory, as in a deployment sharing one directory
        routing.cli("topology", "site", "add", "hq")
        for pool in ("routing.example.com", "fe.example.com"):
            routing.cli("topology", "pool", "add", pool, "--site", "hq")
        for node, pool, roles in ((routing, "routing.example.com", "routing,cms"), (home, "fe.example.com", "frontend")):
            routing.cli("topology", "node", "add", "--fqdn", node.fqdn, "--ip", node.host, "--pool", pool, "--roles", roles, "--xmpp-port", str(node.xmpp_port),
                        "--sip-port", str(node.port), "--sips-port", "0", "--replica-port", "0", "--admin-port", "0")
        topology = json.loads(routing.cli("config", "show", "topology"))
        topology["homing"]["defaultPool"] = "fe.example.com"  # every user is homed on the front end
        path = os.path.join(routing.run_dir, "topology.json")
        json.dump(topology, open(path, "w"))
        routing.cli("config", "set", "topology", path)
        routing.cli("federation", "set", "--routing-node", routing.fqdn)
        home.wait_trusted()
        routing.wait_trusted()
        for rate in rates:
            rows.append(fetch_run("parley via routing node", (routing.host, routing.port), a, rate, [routing, home]))
        for rate in rates:
            rows.append(fetch_run("parley home node direct", (home.host, home.port), a, rate, [home]))
    finally:
        routing.stop()
        home.stop()
    return rows


def kamailio_fetch(a, run_dir, rates):
    kamailio = Kamailio("kamailio", os.path.join(run_dir, "fetch-kamailio"))
    kamailio.start()
    try:
        return [fetch_run("kamailio", ("127.0.0.1", kamailio.port), a, rate, [kamailio]) for rate in rates]
    finally:
        kamailio.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=15, help="measured seconds per run")
    ap.add_argument("--warmup", type=int, default=5, help="seconds of the same load before each measured run")
    ap.add_argument("--rate", type=int, default=1000, help="presence changes per second (latency runs)")
    ap.add_argument("--users", type=int, default=200, help="presentity/watcher pairs")
    ap.add_argument("--fetch-rates", default="500,1000", help="SUBSCRIBE fetches per second (throughput runs)")
    ap.add_argument("--only", choices=["latency", "fetch"])
    ap.add_argument("--run-dir", default=os.path.join(tempfile.gettempdir(), "parley-federation-load"))
    ap.add_argument("--parley-dll", default=os.environ.get("PARLEY_DLL") or os.path.join(REPO, "src", "Parley", "bin", "Release", "net10.0", "parley.dll"))
    ap.add_argument("--label", default="", help="recorded with the results, e.g. which build of Parley")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    a.parley_dll = os.path.abspath(a.parley_dll)  # parley runs with its run directory as working directory
    shutil.rmtree(a.run_dir, ignore_errors=True)
    os.makedirs(a.run_dir)
    rates = [int(r) for r in a.fetch_rates.split(",")]
    load_before = os.getloadavg()
    rows = []
    if a.only != "fetch":
        rows.append(asyncio.run(kamailio_latency(a, a.run_dir)))
        rows.append(asyncio.run(parley_latency(a, a.parley_dll, a.run_dir)))
    if a.only != "latency":
        rows += kamailio_fetch(a, a.run_dir, rates)
        rows += parley_fetch(a, a.parley_dll, a.run_dir, rates)
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", REPO, "status", "--porcelain", "src"], capture_output=True, text=True).stdout.strip())
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"), "commit": commit + ("+dirty src" if dirty else ""),
            "machine": f"{platform.node()} nproc {os.cpu_count()} {platform.machine()}", "kernel": platform.release(),
            "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
            "note": "machine shared with other work: upper bounds", "args": vars(a), "rows": rows}
    if a.json:
        json.dump(meta, open(a.json, "w"), indent=1)
    print_summary(meta, rates)


def print_summary(meta, rates):
    rows = meta["rows"]
    print(f"\n{meta['args']['label']} {meta['args']['parley_dll']}")
    print(f"{meta['date']}, {meta['machine']}, kernel {meta['kernel']}, commit {meta['commit']}, load {meta['loadavg_before']} -> {meta['loadavg_after']}")
    k = next((r for r in rows if r["scenario"] == "latency" and r["server"] == "kamailio"), None)
    p = next((r for r in rows if r["scenario"] == "latency" and r["server"] == "parley"), None)
    if k and p:
        print(f"\n{'latency':28} {'Kamailio (PUBLISH)':>20} {'Parley (XMPP)':>20}   Parley/Kamailio")
        for key in ("achieved_rate", "p50_ms", "p99_ms", "max_ms", "notified", "coalesced", "lost"):
            kv, pv = k[key], p[key]
            ratio = f"{pv / kv:.2f}" if key.endswith("_ms") and kv and pv is not None else ""
            print(f"{key:28} {str(kv):>20} {str(pv):>20}   {ratio}")
        kc, pc = k["cpu_us_per_change"]["kamailio"], p["cpu_us_per_change"]["parley"]
        print(f"{'CPU-µs per change':28} {kc:>20} {pc:>20}   {pc / kc:.2f}" if kc else "")
    fetch = [r for r in rows if r["scenario"] == "fetch"]
    if fetch:
        print(f"\n{'fetch (SUBSCRIBE Expires: 0)':34} {'rate':>6} {'ops/s':>8} {'failed %':>9} {'CPU-µs/op (total)':>18}  per process")
        for r in fetch:
            print(f"{r['path']:34} {r['target_rate']:>6} {r['per_second']:>8} {r['failure_pct']:>9} {r['cpu_us_per_op_total']:>18}  {r['cpu_us_per_op']}")


if __name__ == "__main__":
    main()
