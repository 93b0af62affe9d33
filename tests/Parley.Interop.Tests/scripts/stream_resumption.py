#!/usr/bin/python3
"""XEP-0198 stream management: acks and resumption after a cut connection.

alice enables stream management with resumption. bob sends her some messages, which
she receives. Her TCP connection is then cut abruptly (no </stream:stream>, no TLS
close). While she is away bob sends more messages to her bare and full JID. alice
reconnects and resumes the stream: every message arrives exactly once, none is lost.
"""
import asyncio

from xmpptest import Client, ScenarioFailure, check, is_message, make_mutual, parse_args, run, step

ROLES = ["alice", "bob"]
NS_SM = "urn:xmpp:sm:3"


def bodies(client, frm):
    return [st.xml.findtext("{jabber:client}body") for st in client.all_matching(is_message(frm)) if
            st.xml.findtext("{jabber:client}body")]


def wait_event(client, event, what, timeout):
    """Arm a handler for event now; the returned coroutine waits for it."""
    fut = asyncio.get_running_loop().create_future()
    client.add_event_handler(event, lambda e: fut.done() or fut.set_result(e), disposable=True)

    async def wait():
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"{client.name}: no {what} within {timeout} s") from None
    return wait()


async def main(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp) = (args.accounts[r] for r in ROLES)
    alice = Client(args, aj, ap, "phone", stream_management=True, name="alice")
    enabled = wait_event(alice, "sm_enabled", "<enabled/> (XEP-0198)", args.wait * 2)
    await alice.login()
    enabled_stanza = await enabled
    check(enabled_stanza.xml.get("resume") in ("true", "1"), f"server did not allow resumption: {enabled_stanza}")
    bob = await Client(args, bj, bp, "desk", name="bob").login()
    await make_mutual(alice, bob, auto)

    step("acks: alice requests an ack and the server answers with <a h=.../>")
    acked = wait_event(alice, "stanza_acked", "ack for alice's stanzas", args.wait)
    alice.send_message(mto=bj, mbody="ack me", mtype="chat")
    alice.plugin["xep_0198"].request_ack()
    await acked
    await bob.expect(is_message(aj, "ack me"), "alice's message")

    step("bob sends 5 messages, alice receives them (not necessarily acked yet)")
    for i in range(5):
        bob.send_message(mto=aj, mbody=f"before cut {i}", mtype="chat")
    for i in range(5):
        await alice.expect(is_message(bj, f"before cut {i}"), f"message 'before cut {i}'")

    step("alice's TCP connection is cut abruptly")
    full = alice.boundjid.full
    disconnected = wait_event(alice, "disconnected", "disconnect after the cut", 5)
    alice.cut()
    await disconnected
    await asyncio.sleep(0.5)

    step("while alice is away, bob sends 10 messages (to her bare and full JID)")
    for i in range(10):
        bob.send_message(mto=aj if i % 2 == 0 else full, mbody=f"during cut {i}", mtype="chat")
    await asyncio.sleep(1.0)
    errors = bob.all_matching(lambda st: st.xml.get("type") == "error")
    check(not errors, f"bob got errors while alice's session was hibernating: {[str(e) for e in errors]}")

    step("alice reconnects and resumes the stream")
    resumed = wait_event(alice, "session_resumed", "<resumed/> (stream resumption)", args.wait * 2)
    failed = asyncio.get_running_loop().create_future()
    alice.add_event_handler("sm_failed", lambda e: failed.done() or failed.set_result(e), disposable=True)
    alice.connect(address=(args.host, args.port))
    done, _ = await asyncio.wait([asyncio.ensure_future(resumed), failed], return_when=asyncio.FIRST_COMPLETED)
    check(not failed.done(), f"resumption failed: {failed.result() if failed.done() else ''}")
    await list(done)[0]
    check(alice.boundjid.full == full, f"resumed session should keep the full JID {full}, has {alice.boundjid.full}")

    step("every message arrives exactly once")
    expected = [f"before cut {i}" for i in range(5)] + [f"during cut {i}" for i in range(10)]
    for text in expected[5:]:
        await alice.expect(is_message(bj, text), f"message '{text}' after resumption", timeout=args.wait)
    await asyncio.sleep(1.0)
    got = bodies(alice, bj)
    for text in expected:
        check(got.count(text) == 1, f"message '{text}' arrived {got.count(text)} times; all received: {got}")
    check([g for g in got if g in expected] == expected, f"messages out of order: {got}")

    step("the resumed stream works both ways")
    alice.send_message(mto=bj, mbody="I'm back", mtype="chat")
    await bob.expect(is_message(aj, "I'm back"), "alice's message after resumption")
    bob.send_message(mto=aj, mbody="welcome back", mtype="chat")
    await alice.expect(is_message(bj, "welcome back"), "bob's message after resumption")
    await alice.logout()
    await bob.logout()


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES))
