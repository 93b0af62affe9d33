"""The load tool's sending side: presentities whose presence changes at a fixed total rate, each change carrying
"fb USER SEQ SEND_TIME_NS" in its note. Parley: XMPP clients (STARTTLS, SASL PLAIN, bind) sending <presence> with the
note in <status> (Parley maps <status> to the PIDF note). Kamailio: PUBLISH of a PIDF document with the note, refreshing
the user's publication by its entity tag (SIP-If-Match), as a presence client does."""
import asyncio, base64, re, socket, ssl, time, uuid

from sip_peer import DOMAIN, parse


class XmppPresentity:
    def __init__(self, host, port, user, password):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.reader = self.writer = None

    async def _until(self, pattern):
        text = ""
        while not re.search(pattern, text):
            chunk = await asyncio.wait_for(self.reader.read(65536), 30)
            if not chunk:
                raise ConnectionError(f"{self.user}: server closed the stream; received {text!r}")
            text += chunk.decode("utf-8", "replace")
            if "<stream:error" in text:
                raise ConnectionError(f"{self.user}: stream error {text!r}")
        return text

    def _header(self):
        self.writer.write(f"<?xml version='1.0'?><stream:stream to='{DOMAIN}' xmlns='jabber:client' "
                          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".encode())

    async def login(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._header()
        await self._until(r"</stream:features>")
        self.writer.write(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await self._until(r"<proceed")
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the node's own test CA; loopback only
        await self.writer.start_tls(context)
        self._header()
        await self._until(r"</stream:features>")
        token = base64.b64encode(f"\0{self.user}\0{self.password}".encode()).decode()
        self.writer.write(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>".encode())
        if "<success" not in await self._until(r"<success|</failure>"):
            raise ConnectionError(f"{self.user}: SASL PLAIN failed")
        self._header()
        await self._until(r"</stream:features>")
        self.writer.write(b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench</resource></bind></iq>")
        await self._until(r"id=['\"]b1['\"]")
        self.writer.write(b"<presence><status>online</status></presence>")
        asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self):
        """Reads and drops whatever the server sends (its own presence echo), so its send buffers never fill."""
        while await self.reader.read(65536):
            pass

    def change(self, index, seq):
        self.writer.write(f"<presence><status>fb {index} {seq} {time.monotonic_ns()}</status></presence>".encode())
        return True


class PublishingPresentities(asyncio.DatagramProtocol):
    """Every presentity's PUBLISHes from one UDP socket. A change for a user whose previous PUBLISH is unanswered is
    skipped (the entity tag to refresh is not known yet) and counted."""

    def __init__(self, server, users, prefix):
        self.server, self.prefix = server, prefix
        self.etag, self.cseq, self.pending = [None] * users, [0] * users, [False] * users
        self.call_ids = [uuid.uuid4().hex for _ in range(users)]
        self.index = {c: i for i, c in enumerate(self.call_ids)}
        self.skipped, self.failures, self.transport = 0, {}, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        first, headers, _ = parse(data)
        i = self.index.get(headers.get("call-id", [""])[0])
        if i is None or not first.startswith("SIP/2.0 "):
            return
        code = int(first.split()[1])
        if code < 200:
            return
        self.pending[i] = False
        if code < 300:
            self.etag[i] = headers.get("sip-etag", [None])[0]
        else:
            self.etag[i] = None
            self.failures[code] = self.failures.get(code, 0) + 1

    def change(self, index, seq, note=None):
        if self.pending[index]:
            self.skipped += 1
            return False
        user = f"{self.prefix}{index}"
        note = note or f"fb {index} {seq} {time.monotonic_ns()}"
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:{user}@{DOMAIN}">'
                f'<tuple id="t1"><status><basic>open</basic></status></tuple><note>{note}</note></presence>').encode()
        self.cseq[index] += 1
        port = self.transport.get_extra_info("sockname")[1]
        match = f"SIP-If-Match: {self.etag[index]}\r\n" if self.etag[index] else ""
        head = (f"PUBLISH sip:{user}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{uuid.uuid4().hex[:16]};rport\r\n"
                f"Max-Forwards: 70\r\nFrom: <sip:{user}@{DOMAIN}>;tag={self.call_ids[index][:8]}\r\nTo: <sip:{user}@{DOMAIN}>\r\n"
                f"Call-ID: {self.call_ids[index]}\r\nCSeq: {self.cseq[index]} PUBLISH\r\nEvent: presence\r\nExpires: 3600\r\n{match}"
                f"Content-Type: application/pidf+xml\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.pending[index] = True
        self.transport.sendto(head + body, self.server)
        return True


async def run_changes(change, users, rate, phases):
    """Calls change(user, seq) at rate per second, users round-robin (each user changes every users/rate s), in phases
    [(name, start monotonic s, seconds)]. Returns {phase: [(user, seq)]} of the changes actually sent."""
    sent, seq = {}, 0
    for name, start, seconds in phases:
        done, total, mine = 0, int(rate * seconds), sent.setdefault(name, [])
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        while done < total:
            due = min(total, int((time.monotonic() - start) * rate) + 1)
            while done < due:
                user = seq % users
                if change(user, seq):
                    mine.append((user, seq))
                seq += 1
                done += 1
            await asyncio.sleep(0.001)
    return sent
