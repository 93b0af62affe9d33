#!/usr/bin/python3
"""Side-by-side SIP load: Parley vs Kamailio on this machine, one server at a time (see bench/sip-load.sh)."""
import argparse, csv, datetime, json, os, platform, re, shutil, signal, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCENARIOS = os.path.join(REPO, "tests", "Parley.Interop.Tests", "Sip", "Scenarios")
DOMAIN = "example.com"
PASSWORD = "bench-password"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    while True:
        t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close(); t.close()


def tree_cpu_seconds(root):
    """utime+stime of root and all its descendants (Kamailio forks workers)."""
    parents, cpu = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents[int(pid)] = int(fields[1])
        cpu[int(pid)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    total, todo = 0.0, [root]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return total


def wait_listening(port, transport, timeout=20):
    """Waits until something listens on 127.0.0.1:port. The load must not start before the UAS does: the first relayed
    MESSAGEs would meet a refused connection (TCP) or ICMP unreachable (UDP), and a slow start on a busy machine then
    looks like lost messages."""
    flag = "-ltnH" if transport == "tcp" else "-lunH"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", flag, f"sport = :{port}"], capture_output=True, text=True).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise SystemExit(f"the load UAS is not listening on {transport} port {port} after {timeout} s")


def rss_kb(root):
    try:
        for line in open(f"/proc/{root}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def sipp(args, timeout, cwd):
    cmd = ["sipp"] + args + ["-nostdin", "-buff_size", "4194304", "-trace_err", "-error_file", os.path.join(cwd, "errors.log")]
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    out = p.stdout + p.stderr

    def last(name):
        m = re.findall(rf"{name}\s*\|[^|]*\|\s*(\d+)", out)
        return int(m[-1]) if m else 0

    return p.returncode, last("Successful call"), last("Failed call"), out


def stop_process(pid, timeout=10.0):
    """SIGTERM, then SIGKILL if the process (a server we started) is still there after timeout seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/{pid}"):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.1)


class Server:
    def __init__(self, name, run_dir):
        self.name, self.run_dir, self.pid, self.port = name, run_dir, None, free_port()

    def stop(self):
        if self.pid:
            stop_process(self.pid)
            self.pid = None


class Kamailio(Server):
    def start(self):
        env = dict(os.environ, KAMAILIO_PASSWORD=PASSWORD, KAMAILIO_DEBUG="-1")
        out = subprocess.run([os.path.join(REPO, "bench", "kamailio", "start-kamailio.sh"), self.run_dir, str(self.port)],
                             env=env, capture_output=True, text=True, check=True)
        self.pid = int(out.stdout.split()[-1])


class Parley(Server):
    def __init__(self, name, run_dir, dll):
        super().__init__(name, run_dir)
        self.dll = dll

    def start(self):
        # A fresh store per phase, as Kamailio's in-memory location table is: Parley keeps registrations across restarts,
        # and the previous phase's UAS (gone now) would stay a contact of bench-uas until its 3,600 s expire.
        data = os.path.join(self.run_dir, "data")
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        logf = open(os.path.join(self.run_dir, "parley.log"), "w")
        xmpp, self.admin_port, self.data = free_port(), free_port(), data
        self.proc = subprocess.Popen(
            ["dotnet", self.dll, "serve", "--data", data, "--domain", DOMAIN, "--bind", "127.0.0.1",
             "--xmpp-port", str(xmpp), "--admin-port", str(self.admin_port), "--sip-port", str(self.port), "--sips-port", "0"],
            stdout=logf, stderr=subprocess.STDOUT, cwd=self.run_dir)
        self.pid = self.proc.pid
        for _ in range(600):
            text = open(os.path.join(self.run_dir, "parley.log")).read()
            if re.search(r"\bready\b", text, re.I):
                break
            if self.proc.poll() is not None:
                raise SystemExit(f"parley serve exited at start:\n{text}")
            time.sleep(0.1)
        else:
            raise SystemExit("parley serve not ready within 60 s")
        for user in ("bench-uas", "bench-sender", "bench-watcher", "bench-presentity"):
            subprocess.run(["dotnet", self.dll, "user", "add", f"{user}@{DOMAIN}", "--password", PASSWORD, "--data", data],
                           capture_output=True, text=True)

    def garbage_collection(self):
        """The admin API's GC figures (counted since start), so a phase can report what share of its CPU was collection."""
        import ssl, urllib.request
        token = open(os.path.join(self.data, "admin", "token")).read().strip()
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the node's own self-signed certificate
        request = urllib.request.Request(f"https://127.0.0.1:{self.admin_port}/api/v1/status", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.load(response)["garbageCollection"]

    def stop(self):
        # Our own child: wait for it (reaping it), rather than for its /proc entry, which a zombie keeps.
        if self.pid:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.pid = None


class Workload:
    """One server under one workload (transport + kind): the UAS it relays to (message) or the published presentity
    (presence), then measured load windows, possibly several, with other servers' windows in between."""

    def __init__(self, server, transport, kind, rate, sockets, work, uas_timeout):
        self.server, self.transport, self.kind, self.rate, self.sockets, self.work = server, transport, kind, rate, sockets, work
        # UDP: many source sockets, as many phones would send; TCP: one connection (sipp reuses closed
        # sockets with -t tn -max_socket, which breaks).
        self.t = {"udp": ("u1", "un", "udp"), "tcp": ("t1", "t1", "tcp")}[transport]
        self.common = ["-i", "127.0.0.1", "-key", "domain", DOMAIN]
        self.uas, self.sent = None, 0
        if kind == "message":
            # The UA registers from the address it then listens on (its Contact), like a phone does.
            uas_port = free_port()
            code, ok, failed, out = sipp([f"127.0.0.1:{server.port}", "-sf", os.path.join(SCENARIOS, "register.xml"), "-t", self.t[0], "-p", str(uas_port),
                                          "-m", "1", "-timeout", "20s", "-au", "bench-uas", "-ap", PASSWORD, "-auth_uri", DOMAIN, "-key", "aor_user", "bench-uas",
                                          "-key", "contact_port", str(uas_port), "-key", "contact_transport", self.t[2], "-key", "expires", "3600"] + self.common, 60, work)
            if code != 0:
                raise SystemExit(f"{server.name}: REGISTER of the load UAS failed:\n{out[-3000:]}")
            self.uas_out = os.path.join(work, "uas.out")
            self.uas = subprocess.Popen(["sipp", "-sf", os.path.join(HERE, "uas.xml"), "-i", "127.0.0.1", "-p", str(uas_port), "-t", self.t[0],
                                         "-nostdin", "-buff_size", "4194304", "-timeout", f"{uas_timeout}s"],
                                        cwd=work, stdout=open(self.uas_out, "w"), stderr=subprocess.STDOUT)
            wait_listening(uas_port, transport)
            self.scenario = os.path.join(SCENARIOS, "message.xml")
            self.extra = ["-au", "bench-sender", "-ap", PASSWORD, "-auth_uri", f"bench-uas@{DOMAIN}", "-s", "bench-uas", "-key", "from_user", "bench-sender", "-key", "body", "Parley load message"]
        else:
            code, ok, failed, out = sipp([f"127.0.0.1:{server.port}", "-sf", os.path.join(SCENARIOS, "publish.xml"), "-t", self.t[0], "-p", str(free_port()),
                                          "-m", "1", "-timeout", "20s", "-au", "bench-presentity", "-ap", PASSWORD, "-auth_uri", f"bench-presentity@{DOMAIN}", "-key", "aor_user", "bench-presentity"] + self.common, 60, work)
            if code != 0:
                raise SystemExit(f"{server.name}: PUBLISH of the presentity failed:\n{out[-3000:]}")
            # A presence fetch (SUBSCRIBE Expires: 0 → 200 + one NOTIFY): sipp computes the digest over one fixed
            # URI per run, so it cannot answer a challenge to an in-dialog un-SUBSCRIBE (Parley challenges those).
            self.scenario = os.path.join(HERE, "subscribe-fetch.xml")
            self.extra = ["-au", "bench-watcher", "-ap", PASSWORD, "-auth_uri", f"bench-presentity@{DOMAIN}", "-s", "bench-presentity", "-key", "from_user", "bench-watcher"]
            # one fetch first, so the watcher is authorised before the measured run (both servers)
            sipp([f"127.0.0.1:{server.port}", "-sf", self.scenario, "-t", self.t[0], "-p", str(free_port()), "-m", "1", "-timeout", "20s"] + self.extra + self.common, 60, work)

    def load(self, seconds):
        """sipp at the workload's rate for the given seconds; returns (exit code, successful, failed, calls, output)."""
        calls = int(self.rate * seconds)
        code, ok, failed, out = sipp([f"127.0.0.1:{self.server.port}", "-sf", self.scenario, "-t", self.t[1], "-max_socket", str(self.sockets), "-p", str(free_port()),
                                      "-r", str(self.rate), "-m", str(calls), "-l", str(max(100, self.rate * 4)), "-timeout", f"{seconds * 3 + 30}s",
                                      "-recv_timeout", "10000"] + self.extra + self.common, seconds * 3 + 90, self.work)
        self.sent += calls
        return code, ok, failed, calls, out

    def warm_up(self, seconds):
        # Same load, not measured: a long-running server is warm (Parley's JIT tiers up over the first tens of seconds).
        if seconds > 0:
            self.load(seconds)

    def measure(self, seconds, round_number):
        """One measured window; returns a result row."""
        server = self.server
        gc0 = server.garbage_collection() if isinstance(server, Parley) else None
        cpu0, t0 = tree_cpu_seconds(server.pid), time.monotonic()
        code, ok, failed, calls, out = self.load(seconds)
        elapsed, cpu1 = time.monotonic() - t0, tree_cpu_seconds(server.pid)
        gc1 = server.garbage_collection() if gc0 else None
        total = ok + failed
        if total < calls:
            failed += calls - total  # calls sipp never finished (it gave up or crashed) count as failures
            total = calls
            log(f"{server.name} {self.kind} {self.transport}: sipp ended after {ok} successful of {calls} calls (exit {code}):\n{out[-1500:]}")
        row = {
            "server": server.name, "transport": self.transport, "kind": self.kind, "round": round_number, "target_rate": self.rate, "calls": total,
            "successful": ok, "failed": failed, "failure_pct": round(100.0 * failed / total, 3) if total else None,
            "per_second": round(ok / elapsed, 1), "elapsed_s": round(elapsed, 1),
            "cpu_us_per_op": round((cpu1 - cpu0) * 1e6 / ok, 1) if ok else None,
            "server_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed, 1), "rss_kb": rss_kb(server.pid),
        }
        if gc0 and ok:
            # Parley: the part of the CPU per operation spent in (blocking, workstation) garbage collection, and the bytes
            # allocated per operation.
            row["gc_pause_us_per_op"] = round((gc1["totalPauseMs"] - gc0["totalPauseMs"]) * 1e3 / ok, 1)
            row["allocated_kb_per_op"] = round((gc1["allocatedBytes"] - gc0["allocatedBytes"]) / 1024 / ok, 1)
            row["collections_gen0_1_2"] = [gc1[f"gen{g}Collections"] - gc0[f"gen{g}Collections"] for g in range(3)]
        log(f"{server.name} {self.kind} {self.transport} round {round_number}: {row['per_second']}/s, {row['failure_pct']}% failed, "
            f"{row['cpu_us_per_op']} CPU-µs/op (server {row['server_cpu_pct']}% CPU)"
            + (f", GC {row['gc_pause_us_per_op']} µs/op, {row['allocated_kb_per_op']} KB/op, collections {row['collections_gen0_1_2']}" if "gc_pause_us_per_op" in row else ""))
        if total == 0:
            log(out[-2000:])
        return row

    def finish(self):
        """Stops the UAS; returns (delivered, sent) for message workloads, where a MESSAGE answered 200 but never relayed
        to the UAS is a failure too, or None."""
        if not self.uas:
            return None
        time.sleep(2)  # let the last relayed MESSAGEs arrive
        self.uas.terminate(); self.uas.wait()
        m = re.findall(r"Successful call\s*\|[^|]*\|\s*(\d+)", open(self.uas_out).read())
        return (int(m[-1]) if m else 0), self.sent


def median(values):
    v = sorted(values)
    return None if not v else (v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=20, help="seconds of each measured window")
    ap.add_argument("--rounds", type=int, default=3, help="measured windows per server and workload, interleaved between the servers")
    ap.add_argument("--message-rate", type=int, default=1500)
    ap.add_argument("--presence-rate", type=int, default=300)
    ap.add_argument("--sockets", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=30, help="seconds of the same load before the first measured window")
    ap.add_argument("--only", choices=["parley", "kamailio"])
    ap.add_argument("--transports", default="udp,tcp")
    ap.add_argument("--kinds", default="message,presence", help="workloads to run: message, presence or both")
    ap.add_argument("--run-dir", default=os.path.join(tempfile.gettempdir(), "parley-sip-load"))
    ap.add_argument("--parley-dll", default=os.environ.get("PARLEY_DLL") or os.path.join(REPO, "src", "Parley", "bin", "Release", "net10.0", "parley.dll"))
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    shutil.rmtree(a.run_dir, ignore_errors=True)
    os.makedirs(a.run_dir)
    rows, deliveries = [], []
    servers = []
    if a.only != "parley":
        servers.append(Kamailio("kamailio", os.path.join(a.run_dir, "kamailio")))
    if a.only != "kamailio":
        servers.append(Parley("parley", os.path.join(a.run_dir, "parley"), a.parley_dll))
    uas_timeout = (a.warmup + a.rounds * len(servers) * a.duration) * 3 + 120
    for transport in a.transports.split(","):
        for kind, rate in (("message", a.message_rate), ("presence", a.presence_rate)):
            if kind not in a.kinds.split(","):
                continue
            # Every server fresh and warmed up; then the measured windows alternate between them (the order flips each
            # round), so a slow spell of this shared machine lands on both and each round gives a paired ratio.
            workloads = []
            try:
                for server in servers:
                    log(f"{server.name}: {kind} over {transport} at {rate}/s (fresh start, {a.warmup} s warm-up)")
                    os.makedirs(server.run_dir, exist_ok=True)
                    server.start()
                    workloads.append(Workload(server, transport, kind, rate, a.sockets, tempfile.mkdtemp(dir=server.run_dir), uas_timeout))
                    workloads[-1].warm_up(a.warmup)
                for r in range(1, a.rounds + 1):
                    for w in (workloads if r % 2 else list(reversed(workloads))):
                        rows.append(w.measure(a.duration, r))
                for w in workloads:
                    result = w.finish()
                    if result:
                        delivered, sent = result
                        deliveries.append({"server": w.server.name, "transport": transport, "kind": kind, "delivered_to_uas": delivered, "sent_to_uas": sent})
                        log(f"{w.server.name} {kind} {transport}: the UAS received {delivered} of {sent} MESSAGEs sent (warm-up included)")
            finally:
                for server in servers:
                    server.stop()
    meta = {"date": datetime.date.today().isoformat(), "machine": f"{platform.node()} {os.cpu_count()} cores {platform.processor() or platform.machine()}",
            "kernel": platform.release(), "warmup_s": a.warmup, "window_s": a.duration, "rounds": a.rounds, "rows": rows, "deliveries": deliveries}
    if a.json:
        json.dump(meta, open(a.json, "w"), indent=1)
    # side by side: the median window of each server, and the median of the per-round ratios
    print()
    print(f"{'CPU-µs per op (median)':28} {'Kamailio':>10} {'Parley':>10}   Parley/Kamailio per round -> median")
    for transport in a.transports.split(","):
        for kind in ("message", "presence"):
            k = [r for r in rows if r["server"] == "kamailio" and r["transport"] == transport and r["kind"] == kind]
            p = [r for r in rows if r["server"] == "parley" and r["transport"] == transport and r["kind"] == kind]
            if not k and not p:
                continue
            km, pm = (median([r["cpu_us_per_op"] for r in rs if r["cpu_us_per_op"]]) for rs in (k, p))
            km, pm = (round(x, 1) if x else None for x in (km, pm))
            ratios = [pr["cpu_us_per_op"] / kr["cpu_us_per_op"] for kr, pr in zip(k, p) if kr["cpu_us_per_op"] and pr["cpu_us_per_op"]]
            failed = max([r["failure_pct"] or 0 for r in k + p] or [0])
            print(f"{kind + ' ' + transport:28} {km or '-':>10} {pm or '-':>10}   {' '.join(f'{x:.2f}' for x in ratios)} -> "
                  f"{(f'{median(ratios):.2f}' if ratios else '-')}   (worst window {failed}% failed)")
    for d in deliveries:
        print(f"{d['server']} {d['kind']} {d['transport']}: UAS received {d['delivered_to_uas']} of {d['sent_to_uas']}")
    print(f"\n{meta['date']}, {meta['machine']}, kernel {meta['kernel']}; warm-up {a.warmup} s, {a.rounds} windows of {a.duration} s per server")
    print("message op = MESSAGE challenged (407) + MESSAGE with credentials relayed to a registered sipp UAS (200);")
    print("presence op = fetch: SUBSCRIBE (407) + SUBSCRIBE Expires: 0 (200) + NOTIFY terminated (200) — 3 transactions")


if __name__ == "__main__":
    main()
