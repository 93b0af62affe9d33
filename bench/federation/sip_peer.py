"""The load tool's SIP side: it plays the federation peer (or, for the Kamailio baseline, the watchers' server) on one UDP
socket in its own process, so that answering NOTIFYs never waits on the XMPP sender. Timestamps are
time.monotonic_ns(), which is one clock for every process of the machine, so a send time written by the sender
process into a presence note can be subtracted from this process's arrival time."""
import re, select, socket, time, uuid

DOMAIN = "example.com"
NOTE = re.compile(rb"fb (\d+) (\d+) (\d+)")
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "l": "content-length", "m": "contact", "o": "event"}


def parse(data):
    """(first line, {lower-case name: [values]}, body) of one datagram."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        headers.setdefault(COMPACT.get(name, name), []).append(value.strip())
    return lines[0], headers, body


def ok_response(headers):
    """200 OK to a request: its Vias (all, in order), From, To, Call-ID, CSeq."""
    lines = ["SIP/2.0 200 OK"] + [f"Via: {v}" for v in headers.get("via", [])]
    for name in ("from", "to", "call-id", "cseq"):
        lines.append(f"{name.title()}: {headers[name][0]}")
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def subscribe(local_port, watcher, presentity, expires, call_id):
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    return (f"SUBSCRIBE sip:{presentity}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local_port};branch={branch};rport\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:{watcher}@{DOMAIN}>;tag={call_id[:8]}\r\nTo: <sip:{presentity}@{DOMAIN}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:{watcher}@127.0.0.1:{local_port}>\r\nEvent: presence\r\n"
            f"Accept: application/pidf+xml\r\nExpires: {expires}\r\nContent-Length: 0\r\n\r\n").encode()


class Endpoint:
    """One UDP socket on 127.0.0.1: answers every NOTIFY 200 (once per transaction counted), tracks SUBSCRIBE answers."""

    def __init__(self, server):
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.setblocking(False)
        self.seen = set()  # (call-id, cseq) of NOTIFYs already counted: retransmissions are answered, not counted again
        self.answers = {}  # call-id -> final status of our SUBSCRIBE
        self.notifies = {}  # call-id -> NOTIFYs received
        self.marked = []  # (user, seq, latency ns) of each first NOTIFY carrying a benchmark note
        self.unmarked = 0
        self.states = {}  # "Subscription-State, with/without body" -> NOTIFYs: shows a rejected or bodiless answer
        self.sample = None  # the last NOTIFY body without a note, to show what the server sent

    def send(self, data):
        self.sock.sendto(data, self.server)

    def pump(self, timeout):
        """Handles what arrives within timeout seconds (at least one select)."""
        ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        while ready:
            try:
                data, source = self.sock.recvfrom(65535)
            except BlockingIOError:
                return
            now = time.monotonic_ns()
            first, headers, body = parse(data)
            call_id = headers.get("call-id", [""])[0]
            if first.startswith("SIP/2.0 "):
                code = int(first.split()[1])
                if code >= 200:
                    self.answers[call_id] = code
                continue
            self.sock.sendto(ok_response(headers), source)
            if not first.startswith("NOTIFY "):
                continue
            key = (call_id, headers.get("cseq", [""])[0])
            if key in self.seen:
                continue
            self.seen.add(key)
            self.notifies[call_id] = self.notifies.get(call_id, 0) + 1
            state = headers.get("subscription-state", ["?"])[0].split(";expires")[0] + (", body" if body.strip() else ", no body")
            self.states[state] = self.states.get(state, 0) + 1
            m = NOTE.search(body)
            if m:
                self.marked.append((int(m[1]), int(m[2]), now - int(m[3])))
            else:
                self.unmarked += 1
                self.sample = body.decode("utf-8", "replace")


def watch(conn, server, users, watcher_prefix, presentity_prefix):
    """Latency mode: subscribes watcher_i to presentity_i (i < users), reports ('ready', answers), answers NOTIFYs until
    told 'stop', then sends back the marked NOTIFYs."""
    ep = Endpoint(server)
    call_ids = []
    for i in range(users):
        call_id = uuid.uuid4().hex
        call_ids.append(call_id)
        ep.send(subscribe(ep.port, f"{watcher_prefix}{i}", f"{presentity_prefix}{i}", 3600, call_id))
        ep.pump(0.002)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (len(ep.answers) < users or sum(1 for c in call_ids if ep.notifies.get(c)) < users):
        ep.pump(0.05)
    codes = {}
    for c in call_ids:
        codes[ep.answers.get(c, 0)] = codes.get(ep.answers.get(c, 0), 0) + 1
    conn.send(("ready", {"answers": codes, "initial_notifies": sum(1 for c in call_ids if ep.notifies.get(c))}))
    while not conn.poll():
        ep.pump(0.01)
    conn.recv()
    conn.send(("done", {"marked": ep.marked, "unmarked": ep.unmarked, "sample": ep.sample, "notify_states": ep.states}))


def fetch(conn, server, users, watcher_prefix, presentity_prefix, rate, phases):
    """Throughput mode: SUBSCRIBE fetches (Expires: 0 → 200 + one NOTIFY) at rate per second, user pairs round-robin, in
    phases [(name, start monotonic s, seconds)]; waits 3 s for stragglers, then sends back per phase: sent, answered
    200, NOTIFYs, complete (both), other answers."""
    ep = Endpoint(server)
    sent = []  # (phase, call-id)
    for name, start, seconds in phases:
        k, total = 0, int(rate * seconds)
        while time.monotonic() < start:
            ep.pump(start - time.monotonic())
        while k < total:
            due = min(total, int((time.monotonic() - start) * rate) + 1)
            while k < due:
                call_id = uuid.uuid4().hex
                i = len(sent) % users
                ep.send(subscribe(ep.port, f"{watcher_prefix}{i}", f"{presentity_prefix}{i}", 0, call_id))
                sent.append((name, call_id))
                k += 1
            ep.pump(0.001)
    end = time.monotonic() + 3
    while time.monotonic() < end:
        ep.pump(end - time.monotonic())
    result = {}
    for name, call_id in sent:
        r = result.setdefault(name, {"sent": 0, "ok": 0, "notified": 0, "complete": 0, "other": {}})
        r["sent"] += 1
        code = ep.answers.get(call_id)
        if code is not None and 200 <= code < 300:
            r["ok"] += 1
        elif code is not None:
            r["other"][str(code)] = r["other"].get(str(code), 0) + 1
        if ep.notifies.get(call_id):
            r["notified"] += 1
        if code is not None and 200 <= code < 300 and ep.notifies.get(call_id):
            r["complete"] += 1
    result["notify_states"] = ep.states
    conn.send(("done", result))


def probe_fetch(server, watcher, presentity, timeout=1.0):
    """One SUBSCRIBE fetch; the final status code (0: no answer). The load must not start before the node applied the
    federation settings the CLI wrote (its CMS notices a CLI change within a poll interval)."""
    ep = Endpoint(server)
    call_id = uuid.uuid4().hex
    ep.send(subscribe(ep.port, watcher, presentity, 0, call_id))
    end = time.monotonic() + timeout
    while call_id not in ep.answers and time.monotonic() < end:
        ep.pump(end - time.monotonic())
    ep.sock.close()
    return ep.answers.get(call_id, 0)
