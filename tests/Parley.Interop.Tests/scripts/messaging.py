#!/usr/bin/python3
"""Messages, chat states, two resources and offline delivery.

alice and bob (mutual subscription), bob with two resources:
- chat messages both ways between full JIDs, with XEP-0085 chat states
  (composing, paused, active) arriving as chat-state elements;
- a message to bob's bare JID reaches both of bob's resources (same priority);
- carol is offline; alice sends her two messages to her bare JID; at her next login
  carol receives both, in order, each with a XEP-0203 delay stamp from the server.
"""
import asyncio

from xmpptest import (Client, check, is_any_error, is_message, is_presence, make_mutual, parse_args, run,
                      step)

ROLES = ["alice", "bob", "carol"]
NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_DELAY = "urn:xmpp:delay"


def chat_state(st):
    for el in st.xml:
        if el.tag.startswith("{" + NS_CHATSTATES + "}"):
            return el.tag.split("}", 1)[1]
    return None


def body(st):
    return st.xml.findtext("{jabber:client}body")


async def main(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp), (cj, cp) = (args.accounts[r] for r in ROLES)
    alice = await Client(args, aj, ap, "desk", name="alice").login()
    bob = await Client(args, bj, bp, "desk", name="bob/desk").login(priority=5)
    await make_mutual(alice, bob, auto)
    await alice.expect(is_presence(bob.boundjid.full, "available", full=True), "bob's available presence")

    step("messages both ways between full JIDs")
    for i in range(3):
        alice.send_message(mto=bob.boundjid.full, mbody=f"hello bob {i}", mtype="chat")
        await bob.expect(is_message(aj, f"hello bob {i}", "chat"), f"alice's message {i}")
        bob.send_message(mto=alice.boundjid.full, mbody=f"hello alice {i}", mtype="chat")
        await alice.expect(is_message(bj, f"hello alice {i}", "chat"), f"bob's message {i}")
    got = bob.all_matching(is_message(aj, None, "chat"))
    check(str(got[0]["to"]) == bob.boundjid.full, f"message 'to' should be bob's full JID, is {got[0]['to']}")

    step("a message with unicode, markup-like text and a long body arrives unchanged")
    text = "naïve <tag> & 'quotes' \"double\" — 日本語 " + "x" * 4000
    alice.send_message(mto=bj, mbody=text, mtype="chat")
    st = await bob.expect(is_message(aj, None, "chat"), "the unicode message")
    check(body(st) == text, f"body changed in transit: {body(st)[:80]!r}...")

    step("chat states: composing, paused, active (XEP-0085)")
    for state in ("active", "composing", "paused"):
        m = alice.make_message(mto=bob.boundjid.full, mtype="chat")
        m["chat_state"] = state
        m.send()
        st = await bob.expect(lambda s, st_=state: s.name == "message" and s["from"].bare == aj and chat_state(s) == st_,
                              f"chat state <{state}/> from alice")
        check(body(st) is None, f"a standalone <{state}/> should have no body, has {body(st)!r}")
    m = alice.make_message(mto=bob.boundjid.full, mbody="done typing", mtype="chat")
    m["chat_state"] = "active"
    m.send()
    st = await bob.expect(is_message(aj, "done typing", "chat"), "message with <active/>")
    check(chat_state(st) == "active", f"message should carry <active/>, has {chat_state(st)}")
    m = bob.make_message(mto=alice.boundjid.full, mtype="chat")
    m["chat_state"] = "composing"
    m.send()
    await alice.expect(lambda s: s.name == "message" and s["from"].bare == bj and chat_state(s) == "composing",
                       "composing from bob")

    step("bob's second resource (same priority): both receive presence and a message to the bare JID")
    bob2 = await Client(args, bj, bp, "laptop", name="bob/laptop").login(priority=5)
    await alice.expect(is_presence(bob2.boundjid.full, "available", full=True), "bob/laptop available")
    await bob2.expect(is_presence(alice.boundjid.full, "available", full=True), "alice's presence at bob/laptop")
    alice.send_presence(pshow="away", pstatus="coffee")
    for r in (bob, bob2):
        await r.expect(is_presence(aj, "available", show="away", status="coffee"), "alice's away presence")
    alice.send_message(mto=bj, mbody="to both of you", mtype="chat")
    for r in (bob, bob2):
        await r.expect(is_message(aj, "to both of you"), "the message to bob's bare JID")
    step("a message to one full JID reaches only that resource")
    alice.send_message(mto=bob2.boundjid.full, mbody="laptop only", mtype="chat")
    await bob2.expect(is_message(aj, "laptop only"), "the message to bob/laptop")
    await bob.expect_none(is_message(aj, "laptop only"), "the message meant for bob/laptop", 1.0)

    step("offline messages: carol is offline, alice writes to her bare JID")
    carol = await Client(args, cj, cp, "phone", name="carol").login()
    await make_mutual(alice, carol, auto)
    await carol.logout()
    await alice.expect(is_presence(cj, "unavailable"), "carol unavailable")
    await asyncio.sleep(0.5)
    alice.send_message(mto=cj, mbody="while you were out 1", mtype="chat")
    alice.send_message(mto=cj, mbody="while you were out 2", mtype="chat")
    await alice.expect_none(is_any_error, "an error for a message to an offline contact", 1.0)
    carol2 = await Client(args, cj, cp, "phone", name="carol (next login)").login()
    first = await carol2.expect(is_message(aj, "while you were out 1"), "offline message 1")
    second = await carol2.expect(is_message(aj, "while you were out 2"), "offline message 2")
    for st in (first, second):
        delay = st.xml.find(f"{{{NS_DELAY}}}delay")
        check(delay is not None and delay.get("stamp"), f"offline message should carry a XEP-0203 delay stamp: {st}")
    msgs = carol2.all_matching(is_message(aj))
    order = [body(m) for m in msgs]
    check(order.index("while you were out 1") < order.index("while you were out 2"), f"offline messages out of order: {order}")
    check(order.count("while you were out 1") == 1, f"offline message delivered more than once: {order}")
    await carol2.logout()

    step("no errors were received by anyone")
    for c in (alice, bob, bob2):
        errors = c.all_matching(is_any_error)
        check(not errors, f"{c.name} received errors: {[str(e) for e in errors]}")
        await c.logout()


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES))
