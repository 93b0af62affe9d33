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
        super().stop()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            pass


def measure(server, transport, kind, rate, duration, sockets, work, warmup):
    """Runs one load phase; returns a result row."""
    # UDP: many source sockets, as many phones would send; TCP: one connection (sipp reuses closed
    # sockets with -t tn -max_socket, which breaks).
    t = {"udp": ("u1", "un", "udp"), "tcp": ("t1", "t1", "tcp")}[transport]
    common = ["-i", "127.0.0.1", "-key", "domain", DOMAIN]
    uas = None
    if kind == "message":
        # The UA registers from the address it then listens on (its Contact), like a phone does.
        uas_port = free_port()
        code, ok, failed, out = sipp([f"127.0.0.1:{server.port}", "-sf", os.path.join(SCENARIOS, "register.xml"), "-t", t[0], "-p", str(uas_port),
                                      "-m", "1", "-timeout", "20s", "-au", "bench-uas", "-ap", PASSWORD, "-auth_uri", DOMAIN, "-key", "aor_user", "bench-uas",
                                      "-key", "contact_port", str(uas_port), "-key", "contact_transport", t[2], "-key", "expires", "3600"] + common, 60, work)
        if code != 0:
            raise SystemExit(f"{server.name}: REGISTER of the load UAS failed:\n{out[-3000:]}")
        uas_out = open(os.path.join(work, "uas.out"), "w")
        uas = subprocess.Popen(["sipp", "-sf", os.path.join(HERE, "uas.xml"), "-i", "127.0.0.1", "-p", str(uas_port), "-t", t[0],
                                "-nostdin", "-buff_size", "4194304", "-timeout", f"{duration * 3 + 60}s"],
                               cwd=work, stdout=uas_out, stderr=subprocess.STDOUT)
        wait_listening(uas_port, transport)
        scenario = os.path.join(SCENARIOS, "message.xml")
        extra = ["-au", "bench-sender", "-ap", PASSWORD, "-auth_uri", f"bench-uas@{DOMAIN}", "-s", "bench-uas", "-key", "from_user", "bench-sender", "-key", "body", "Parley load message"]
    else:
        code, ok, failed, out = sipp([f"127.0.0.1:{server.port}", "-sf", os.path.join(SCENARIOS, "publish.xml"), "-t", t[0], "-p", str(free_port()),
                                      "-m", "1", "-timeout", "20s", "-au", "bench-presentity", "-ap", PASSWORD, "-auth_uri", f"bench-presentity@{DOMAIN}", "-key", "aor_user", "bench-presentity"] + common, 60, work)
        if code != 0:
            raise SystemExit(f"{server.name}: PUBLISH of the presentity failed:\n{out[-3000:]}")
        # A presence fetch (SUBSCRIBE Expires: 0 → 200 + one NOTIFY): sipp computes the digest over one fixed
        # URI per run, so it cannot answer a challenge to an in-dialog un-SUBSCRIBE (Parley challenges those).
        scenario = os.path.join(HERE, "subscribe-fetch.xml")
        extra = ["-au", "bench-watcher", "-ap", PASSWORD, "-auth_uri", f"bench-presentity@{DOMAIN}", "-s", "bench-presentity", "-key", "from_user", "bench-watcher"]
        # one fetch first, so the watcher is authorised before the measured run (both servers)
        sipp([f"127.0.0.1:{server.port}", "-sf", scenario, "-t", t[0], "-p", str(free_port()), "-m", "1", "-timeout", "20s"] + extra + common, 60, work)
    warm_calls = int(rate * warmup) if warmup > 0 else 0
    if warmup > 0:
        # Same load, not measured: a long-running server is warm (Parley's JIT tiers up in the first seconds).
        sipp([f"127.0.0.1:{server.port}", "-sf", scenario, "-t", t[1], "-max_socket", str(sockets), "-p", str(free_port()),
              "-r", str(rate), "-m", str(int(rate * warmup)), "-l", str(max(100, rate * 4)), "-timeout", f"{warmup * 3 + 30}s",
              "-recv_timeout", "10000"] + extra + common, warmup * 3 + 90, work)
    calls = int(rate * duration)
    gc0 = server.garbage_collection() if isinstance(server, Parley) else None
    cpu0, t0 = tree_cpu_seconds(server.pid), time.monotonic()
    code, ok, failed, out = sipp([f"127.0.0.1:{server.port}", "-sf", scenario, "-t", t[1], "-max_socket", str(sockets), "-p", str(free_port()),
                                  "-r", str(rate), "-m", str(calls), "-l", str(max(100, rate * 4)), "-timeout", f"{duration * 3 + 30}s",
                                  "-recv_timeout", "10000"] + extra + common, duration * 3 + 90, work)
    elapsed, cpu1 = time.monotonic() - t0, tree_cpu_seconds(server.pid)
    gc1 = server.garbage_collection() if gc0 else None
    delivered = None
    if uas:
        time.sleep(2)  # let the last relayed MESSAGEs arrive
        uas.terminate(); uas.wait()
        text = open(os.path.join(work, "uas.out")).read()
        m = re.findall(r"Successful call\s*\|[^|]*\|\s*(\d+)", text)
        delivered = int(m[-1]) if m else None
    total = ok + failed
    if total < calls:
        failed += calls - total  # calls sipp never finished (it gave up or crashed) count as failures
        total = calls
        log(f"{server.name} {kind} {transport}: sipp ended after {ok} successful of {calls} calls (exit {code}):\n{out[-1500:]}")
    row = {
        "server": server.name, "transport": transport, "kind": kind, "target_rate": rate, "calls": total,
        # delivered: what the UAS received over warm-up and measured run together (one UAS throughout)
        "successful": ok, "failed": failed, "delivered_to_uas": delivered, "sent_to_uas": (warm_calls + total) if uas else None,
        # a MESSAGE answered 200 but never relayed to the UAS is a failure too
        "failure_pct": (round(100.0 * (failed + max(0, warm_calls + ok - delivered)) / (warm_calls + total), 3) if delivered is not None
                        else round(100.0 * failed / total, 3)) if total else None,
        "per_second": round(ok / elapsed, 1), "elapsed_s": round(elapsed, 1),
        "cpu_us_per_op": round((cpu1 - cpu0) * 1e6 / ok, 1) if ok else None,
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed, 1), "rss_kb": rss_kb(server.pid),
    }
    if gc0 and ok:
        # Parley: the part of the CPU per operation spent in (blocking, workstation) garbage collection, and the bytes
        # allocated per operation (the warm-up's last collections may fall in the window).
        row["gc_pause_us_per_op"] = round((gc1["totalPauseMs"] - gc0["totalPauseMs"]) * 1e3 / ok, 1)
        row["allocated_kb_per_op"] = round((gc1["allocatedBytes"] - gc0["allocatedBytes"]) / 1024 / ok, 1)
        row["collections_gen0_1_2"] = [gc1[f"gen{g}Collections"] - gc0[f"gen{g}Collections"] for g in range(3)]
    log(f"{server.name} {kind} {transport}: {row['per_second']}/s, {row['failure_pct']}% failed, delivered {delivered}/{row['sent_to_uas']}, "
        f"{row['cpu_us_per_op']} CPU-µs/op (server {row['server_cpu_pct']}% CPU)"
        + (f", GC {row['gc_pause_us_per_op']} µs/op, {row['allocated_kb_per_op']} KB/op, collections {row['collections_gen0_1_2']}" if "gc_pause_us_per_op" in row else ""))
    if total == 0:
        log(out[-2000:])
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--message-rate", type=int, default=1500)
    ap.add_argument("--presence-rate", type=int, default=300)
    ap.add_argument("--sockets", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5, help="seconds of the same load before each measured run")
    ap.add_argument("--only", choices=["parley", "kamailio"])
    ap.add_argument("--transports", default="udp,tcp")
    ap.add_argument("--kinds", default="message,presence", help="workloads to run: message, presence or both")
    ap.add_argument("--run-dir", default=os.path.join(tempfile.gettempdir(), "parley-sip-load"))
    ap.add_argument("--parley-dll", default=os.environ.get("PARLEY_DLL") or os.path.join(REPO, "src", "Parley", "bin", "Release", "net10.0", "parley.dll"))
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    shutil.rmtree(a.run_dir, ignore_errors=True)
    os.makedirs(a.run_dir)
    rows = []
    servers = []
    if a.only != "parley":
        servers.append(Kamailio("kamailio", os.path.join(a.run_dir, "kamailio")))
    if a.only != "kamailio":
        servers.append(Parley("parley", os.path.join(a.run_dir, "parley"), a.parley_dll))
    for server in servers:
        os.makedirs(server.run_dir, exist_ok=True)
        for transport in a.transports.split(","):
            for kind, rate in (("message", a.message_rate), ("presence", a.presence_rate)):
                if kind not in a.kinds.split(","):
                    continue
                log(f"{server.name}: {kind} over {transport} at {rate}/s for {a.duration} s (fresh start)")
                server.start()
                try:
                    work = tempfile.mkdtemp(dir=server.run_dir)
                    rows.append(measure(server, transport, kind, rate, a.duration, a.sockets, work, a.warmup))
                finally:
                    server.stop()
    meta = {"date": datetime.date.today().isoformat(), "machine": f"{platform.node()} {os.cpu_count()} cores {platform.processor() or platform.machine()}",
            "kernel": platform.release(), "rows": rows}
    if a.json:
        json.dump(meta, open(a.json, "w"), indent=1)
    # side by side
    print()
    print(f"{'':28} {'Kamailio':>22} {'Parley':>22}   Parley/Kamailio")
    for transport in a.transports.split(","):
        for kind in ("message", "presence"):
            k = next((r for r in rows if r["server"] == "kamailio" and r["transport"] == transport and r["kind"] == kind), None)
            p = next((r for r in rows if r["server"] == "parley" and r["transport"] == transport and r["kind"] == kind), None)
            label = f"{kind} {transport}"
            for key, what in (("per_second", "ops/s"), ("cpu_us_per_op", "CPU-µs/op"), ("failure_pct", "failed %"), ("delivered_to_uas", "delivered")):
                if kind == "presence" and key == "delivered_to_uas":
                    continue
                kv, pv = (k or {}).get(key), (p or {}).get(key)
                ratio = f"{pv / kv:.2f}" if isinstance(kv, (int, float)) and isinstance(pv, (int, float)) and kv else "-"
                print(f"{label + ' ' + what:28} {str(kv if kv is not None else '-'):>22} {str(pv if pv is not None else '-'):>22}   {ratio}")
    print(f"\n{meta['date']}, {meta['machine']}, kernel {meta['kernel']}")
    print("message op = MESSAGE challenged (407) + MESSAGE with credentials relayed to a registered sipp UAS (200);")
    print("presence op = fetch: SUBSCRIBE (407) + SUBSCRIBE Expires: 0 (200) + NOTIFY terminated (200) — 3 transactions")


if __name__ == "__main__":
    main()
