#!/usr/bin/python3
"""XEP-0191 blocking with polite blocking.

alice and bob have a mutual subscription. alice blocks bob:
- bob receives alice's unavailable presence (she looks offline to him);
- alice's later presence changes do not reach bob, and after bob logs in again he does
  not see alice as available;
- bob's messages to alice get no error (they are dropped) and do not reach alice;
- alice's block list contains bob; carol, not blocked, still sees alice and can chat;
- after alice unblocks bob, he sees her available again and messages flow.
"""
from xmpptest import (Client, check, is_any_error, is_message, is_presence, make_mutual, parse_args, run,
                      step)

ROLES = ["alice", "bob", "carol"]


async def main(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp), (cj, cp) = (args.accounts[r] for r in ROLES)
    alice = await Client(args, aj, ap, "desk", name="alice").login()
    bob = await Client(args, bj, bp, "desk", name="bob").login()
    carol = await Client(args, cj, cp, "desk", name="carol").login()
    await make_mutual(alice, bob, auto)
    await make_mutual(alice, carol, auto)
    await bob.expect(is_presence(alice.boundjid.full, "available", full=True), "alice available before the block")

    step("alice blocks bob (XEP-0191)")
    await alice.plugin["xep_0191"].block([bj])
    blocked = await alice.plugin["xep_0191"].get_blocked()
    items = {str(j) for j in blocked["blocklist"]["items"]}
    check(bj in items, f"alice's block list should contain {bj}: {items}")

    step("bob sees alice go unavailable")
    await bob.expect(is_presence(aj, "unavailable"), "alice's unavailable presence after she blocked bob")

    step("alice's presence changes no longer reach bob; carol still sees them")
    alice.send_presence(pshow="dnd", pstatus="hiding from bob")
    await carol.expect(is_presence(aj, "available", show="dnd"), "alice's dnd presence at carol")
    await bob.expect_none(is_presence(aj, "available"), "alice's presence although she blocked him", 1.5)

    step("bob writes to alice: no error comes back, nothing reaches alice")
    bob.send_message(mto=aj, mbody="are you there?", mtype="chat")
    bob.send_message(mto=alice.boundjid.full, mbody="hello?", mtype="chat")
    if args.blocked_error_ok:
        # Prosody answers like for an account that does not exist (service-unavailable).
        await bob.expect_none(lambda st: is_any_error(st) and "service-unavailable" not in str(st),
                              "an error other than service-unavailable", 2.0)
        bob.consumed.update(i for i, (_, st) in enumerate(bob.received) if is_any_error(st))
    else:
        await bob.expect_none(is_any_error, "an error for a message to a user who blocked him (polite blocking)", 2.0)
    await alice.expect_none(is_message(bj), "a message from blocked bob", 0.1)

    step("bob logs in again: alice still looks offline to him")
    await bob.logout()
    bob = await Client(args, bj, bp, "desk", name="bob (again)").login()
    await bob.expect_none(is_presence(aj, "available"), "alice's presence after re-login", 2.0)
    items = await bob.roster_items()
    check(items.get(aj, {}).get("subscription") in ("both", "to", "from", "none"),
          f"bob's roster item for alice should remain (no error, no removal): {items.get(aj)}")

    step("carol (not blocked) still chats with alice")
    carol.send_message(mto=aj, mbody="hi alice", mtype="chat")
    await alice.expect(is_message(cj, "hi alice"), "carol's message")

    step("alice unblocks bob: he sees her available and they can chat again")
    await alice.plugin["xep_0191"].unblock([bj])
    await bob.expect(is_presence(aj, "available"), "alice's presence after unblock", timeout=args.wait)
    bob.send_message(mto=aj, mbody="welcome back", mtype="chat")
    await alice.expect(is_message(bj, "welcome back"), "bob's message after unblock")
    for c in (alice, bob, carol):
        # XEP-0191 §3.3 lets the server tell the blocker that she blocked the contact.
        errors = [st for i, (_, st) in enumerate(c.received)
                  if i not in c.consumed and is_any_error(st) and not (c is alice and "urn:xmpp:blocking:errors" in str(st))]
        check(not errors, f"{c.name} received errors: {[str(e) for e in errors]}")
        await c.logout()


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES, extra=lambda p: p.add_argument(
        "--blocked-error-ok", action="store_true",
        help="accept a service-unavailable error to the blocked sender (Prosody's behaviour); Parley sends none")))
