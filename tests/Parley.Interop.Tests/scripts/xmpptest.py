"""Shared helpers for Parley's slixmpp interop scenarios.

Each scenario is a self-checking program: it prints its steps, raises
ScenarioFailure with a clear message when the server misbehaves, exits non-zero on
failure and is bounded by a hard overall timeout. Run with /usr/bin/python3 (Debian
python3-slixmpp). The same scripts run against Parley and against Prosody; options
like --auto-approve describe what the server under test is expected to do.
"""

import argparse
import asyncio
import logging
import signal
import sys
import time
import traceback
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

NS_CLIENT = "jabber:client"
NS_ROSTER = "jabber:iq:roster"
DEFAULT_WAIT = 10.0


class ScenarioFailure(Exception):
    """The server under test did not behave as expected."""


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


def step(text):
    print(f"[{time.strftime('%H:%M:%S')}] step: {text}", flush=True)


def parse_args(description, roles, extra=None):
    """Common arguments. roles: names of the accounts the scenario needs, in order."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default="127.0.0.1", help="address to connect to")
    p.add_argument("--port", type=int, required=True, help="XMPP c2s port")
    p.add_argument("--ca", required=True, help="PEM file of the CA that signed the server certificate")
    p.add_argument("--user", nargs=2, action="append", metavar=("JID", "PASSWORD"), default=[],
                   help=f"account, repeat in this order: {', '.join(roles)}")
    p.add_argument("--auto-approve", choices=["on", "off"], default="on",
                   help="whether the server auto-approves subscriptions from its own domain")
    p.add_argument("--timeout", type=float, default=120.0, help="hard limit for the whole scenario (s)")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT, help="limit for each expected stanza (s)")
    p.add_argument("--debug", action="store_true", help="slixmpp debug logging")
    if extra:
        extra(p)
    args = p.parse_args()
    if len(args.user) < len(roles):
        p.error(f"need {len(roles)} --user JID PASSWORD pairs ({', '.join(roles)}), got {len(args.user)}")
    args.accounts = dict(zip(roles, [tuple(u) for u in args.user]))
    return args


def run(main, args):
    """Run main(args) under a hard timeout; exit 0 on success, 1 on failure."""
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Backstop in case the event loop itself is stuck.
    signal.signal(signal.SIGALRM, lambda *_: (print("FAIL: hard timeout (SIGALRM)", file=sys.stderr, flush=True), sys.exit(3)))
    signal.alarm(int(args.timeout) + 15)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    code = 0
    try:
        loop.run_until_complete(asyncio.wait_for(main(args), args.timeout))
        print("PASS", flush=True)
    except ScenarioFailure as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
        code = 1
    except asyncio.TimeoutError:
        print(f"FAIL: scenario did not finish within {args.timeout} s", file=sys.stderr, flush=True)
        traceback.print_exc()
        code = 2
    except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
        print(f"FAIL: unexpected {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        traceback.print_exc()
        code = 1
    finally:
        for c in list(Client.instances):
            c.hard_close()
        try:
            loop.run_until_complete(asyncio.sleep(0.1))
        except Exception:  # noqa: BLE001
            pass
    sys.stdout.flush()
    sys.stderr.flush()
    # slixmpp leaves tasks behind; do not wait for them.
    import os
    os._exit(code)


class Client(slixmpp.ClientXMPP):
    """A slixmpp client that records every message and presence it receives."""

    instances = []

    def __init__(self, args, jid, password, resource=None, stream_management=False, name=None):
        full = jid if resource is None else f"{jid}/{resource}"
        super().__init__(full, password)
        Client.instances.append(self)
        self.args = args
        self.name = name or full
        self.ca_certs = args.ca
        self.use_ipv6 = False
        # The scenarios answer subscription requests themselves.
        self.auto_authorize = None
        self.auto_subscribe = False
        for plugin in ("xep_0030", "xep_0085", "xep_0191", "xep_0199", "xep_0203"):
            self.register_plugin(plugin)
        if stream_management:
            self.register_plugin("xep_0198")
        self.received = []          # (monotonic time, stanza) in arrival order
        self.consumed = set()       # indexes of stanzas matched by expect()
        self._arrived = asyncio.Event()
        self.stream_errors = []
        self.failed_auth = None
        self.register_handler(Callback("record-message", MatchXPath(f"{{{NS_CLIENT}}}message"), self._record))
        self.register_handler(Callback("record-presence", MatchXPath(f"{{{NS_CLIENT}}}presence"), self._record))
        self.add_event_handler("stream_error", lambda e: self.stream_errors.append(e))
        self.add_event_handler("failed_auth", lambda e: setattr(self, "failed_auth", e))

    # slixmpp resolves the JID's domain even when given an address; the tests connect to
    # --host/--port and verify the certificate against the JID's domain.
    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    def _record(self, stanza):
        self.received.append((time.monotonic(), stanza))
        self._arrived.set()

    # ---- connection ---------------------------------------------------------------

    async def login(self, presence=True, show=None, status=None, priority=None, check_security=True):
        step(f"{self.name}: connect to {self.args.host}:{self.args.port} and log in")
        started = asyncio.get_running_loop().create_future()
        self.add_event_handler("session_start", lambda _: started.done() or started.set_result(True), disposable=True)
        self.add_event_handler("failed_all_auth", lambda _: started.done() or started.set_exception(
            ScenarioFailure(f"{self.name}: authentication failed ({self.failed_auth})")), disposable=True)
        self.add_event_handler("ssl_invalid_chain", lambda e: started.done() or started.set_exception(
            ScenarioFailure(f"{self.name}: server certificate not trusted by {self.args.ca} for {self.boundjid.domain}: {e}")), disposable=True)
        self.connect(address=(self.args.host, self.args.port))
        try:
            await asyncio.wait_for(started, self.args.wait * 2)
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"{self.name}: no session within {self.args.wait * 2} s "
                                  f"(stream errors: {self.stream_errors})") from None
        if check_security:
            self.check_security()
        await self.get_roster()
        if presence:
            self.send_presence(pshow=show, pstatus=status, ppriority=priority)
        return self

    def check_security(self):
        ssl_object = self.transport.get_extra_info("ssl_object") if self.transport else None
        check(ssl_object is not None, f"{self.name}: the stream is not encrypted after login")
        mech = self.plugin["feature_mechanisms"].mech
        check(mech is not None and mech.name in ("SCRAM-SHA-256", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"),
              f"{self.name}: expected a SCRAM mechanism, used {mech.name if mech else None}")
        print(f"    {self.name}: TLS {ssl_object.version()}, SASL {mech.name}, bound {self.boundjid.full}", flush=True)

    async def logout(self):
        step(f"{self.name}: log out")
        waiter = self.disconnected
        self.disconnect(wait=2.0)
        try:
            await asyncio.wait_for(waiter, 5)
        except asyncio.TimeoutError:
            self.hard_close()

    def cut(self):
        """Drop the TCP connection abruptly: no </stream:stream>, no TLS close_notify."""
        check(self.transport is not None, f"{self.name}: not connected")
        self.transport.abort()

    def hard_close(self):
        try:
            if self.transport is not None:
                self.transport.abort()
        except Exception:  # noqa: BLE001
            pass

    # ---- expectations --------------------------------------------------------------

    async def expect(self, predicate, what, timeout=None):
        """Wait for the first not yet consumed stanza matching predicate and return it."""
        timeout = self.args.wait if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            for i, (_, st) in enumerate(self.received):
                if i not in self.consumed and predicate(st):
                    self.consumed.add(i)
                    return st
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = "\n      ".join(str(s)[:300] for _, s in self.received[-8:])
                raise ScenarioFailure(f"{self.name}: did not receive {what} within {timeout} s; "
                                      f"last stanzas received:\n      {recent or '(none)'}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def expect_none(self, predicate, what, duration=2.0):
        """Assert that no stanza matching predicate arrives within duration seconds."""
        await asyncio.sleep(duration)
        for i, (_, st) in enumerate(self.received):
            if i not in self.consumed and predicate(st):
                raise ScenarioFailure(f"{self.name}: unexpectedly received {what}: {st}")

    def all_matching(self, predicate):
        return [st for _, st in self.received if predicate(st)]

    # ---- raw helpers ---------------------------------------------------------------

    async def roster_query(self, ver=None):
        iq = self.make_iq_get(queryxmlns=NS_ROSTER)
        if ver is not None:
            iq.xml.find(f"{{{NS_ROSTER}}}query").set("ver", ver)
        resp = await iq.send(timeout=self.args.wait)
        return resp.xml.find(f"{{{NS_ROSTER}}}query")

    async def roster_items(self):
        query = await self.roster_query()
        items = {}
        for item in query.findall(f"{{{NS_ROSTER}}}item"):
            items[item.get("jid")] = {
                "subscription": item.get("subscription", "none"),
                "ask": item.get("ask"),
                "name": item.get("name"),
                "groups": sorted(g.text or "" for g in item.findall(f"{{{NS_ROSTER}}}group")),
            }
        return items


# ---- predicates ---------------------------------------------------------------------

def bare(j):
    return slixmpp.JID(str(j)).bare


def is_presence(frm, ptype=None, show=None, status=None, full=False):
    """Presence from frm (bare JID unless full=True) of the given type ('available' for none)."""
    def pred(st):
        if st.name != "presence":
            return False
        if (str(st["from"]) if full else st["from"].bare) != frm:
            return False
        t = st.xml.get("type") or "available"
        if ptype is not None and t != ptype:
            return False
        if show is not None and (st.xml.findtext(f"{{{NS_CLIENT}}}show") or "") != show:
            return False
        if status is not None and (st.xml.findtext(f"{{{NS_CLIENT}}}status") or "") != status:
            return False
        return True
    return pred


def is_message(frm, body=None, mtype=None):
    def pred(st):
        if st.name != "message" or st["from"].bare != frm:
            return False
        if mtype is not None and (st.xml.get("type") or "normal") != mtype:
            return False
        if body is not None and st.xml.findtext(f"{{{NS_CLIENT}}}body") != body:
            return False
        return True
    return pred


def is_error_from(frm):
    def pred(st):
        return st.xml.get("type") == "error" and st["from"].bare == frm
    return pred


def is_any_error(st):
    return st.xml.get("type") == "error"


# ---- subscriptions ------------------------------------------------------------------

async def wait_for_roster_state(client, contact, subscription, timeout=None):
    """Poll the roster until contact has the given subscription state."""
    deadline = time.monotonic() + (timeout or client.args.wait)
    items = {}
    while time.monotonic() < deadline:
        items = await client.roster_items()
        if items.get(contact, {}).get("subscription") == subscription:
            return items[contact]
        await asyncio.sleep(0.2)
    raise ScenarioFailure(f"{client.name}: roster item {contact} should have subscription='{subscription}', "
                          f"roster is {items.get(contact)}")


async def subscribe(user, contact, auto_approve):
    """user subscribes to contact's presence; contact approves unless the server auto-approves.

    Afterwards user must have subscription 'to' or 'both' to contact, and receive
    contact's current presence.
    """
    u, c = user.boundjid.bare, contact.boundjid.bare
    step(f"{u} subscribes to {c} (auto-approve {'on' if auto_approve else 'off'})")
    user.send_presence(pto=c, ptype="subscribe")
    if auto_approve:
        # The server answers for the contact: no request reaches the contact.
        await user.expect(is_presence(c, "subscribed"), f"auto-approved 'subscribed' from {c}")
        await contact.expect_none(is_presence(u, "subscribe"), f"a subscription request from {u} despite auto-approve", 0.5)
    else:
        await contact.expect(is_presence(u, "subscribe"), f"subscription request from {u}")
        contact.send_presence(pto=u, ptype="subscribed")
        await user.expect(is_presence(c, "subscribed"), f"'subscribed' from {c}")
    items = await user.roster_items()
    check(items.get(c, {}).get("subscription") in ("to", "both"),
          f"{u}: after approval, roster item {c} should be subscription to/both, is {items.get(c)}")


async def make_mutual(a, b, auto_approve):
    await subscribe(a, b, auto_approve)
    await subscribe(b, a, auto_approve)
    await wait_for_roster_state(a, b.boundjid.bare, "both")
    await wait_for_roster_state(b, a.boundjid.bare, "both")
