#!/usr/bin/python3
"""State that must survive a server restart (run --phase setup, restart, --phase verify).

setup:  alice<->bob and alice<->carol mutual subscriptions, bob in alice's roster with
        group Team; alice blocks dave; (with --auto-approve off) dave's subscription
        request to alice stays pending; carol is offline and alice sends her a message.
verify: rosters (items, groups, subscription states), the block, the pending request and
        the offline message are all still there and in effect.
"""
import asyncio

from xmpptest import (Client, check, is_any_error, is_message, is_presence, make_mutual, parse_args, run,
                      step, wait_for_roster_state)

ROLES = ["alice", "bob", "carol", "dave"]
OFFLINE_TEXT = "this must survive the restart"


async def setup(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp), (cj, cp), (dj, dp) = (args.accounts[r] for r in ROLES)
    alice = await Client(args, aj, ap, "desk", name="alice").login()
    bob = await Client(args, bj, bp, "desk", name="bob").login()
    carol = await Client(args, cj, cp, "desk", name="carol").login()
    dave = await Client(args, dj, dp, "desk", name="dave").login()
    await alice.update_roster(bj, name="Bob", groups=["Team"])
    await make_mutual(alice, bob, auto)
    await make_mutual(alice, carol, auto)
    step("alice blocks dave")
    await alice.plugin["xep_0191"].block([dj])
    if not auto:
        step("dave asks carol for a subscription; she does not answer (pending)")
        dave.send_presence(pto=cj, ptype="subscribe")
        await carol.expect(is_presence(dj, "subscribe"), "dave's subscription request")
    step("carol logs out; alice sends her an offline message")
    await carol.logout()
    await alice.expect(is_presence(cj, "unavailable"), "carol unavailable")
    alice.send_message(mto=cj, mbody=OFFLINE_TEXT, mtype="chat")
    await asyncio.sleep(1.0)
    for c in (alice, bob, dave):
        await c.logout()


async def verify(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp), (cj, cp), (dj, dp) = (args.accounts[r] for r in ROLES)
    step("alice's roster survived")
    alice = await Client(args, aj, ap, "desk", name="alice").login()
    items = await alice.roster_items()
    check(items.get(bj, {}).get("subscription") == "both", f"alice's item for bob should be 'both': {items.get(bj)}")
    check(items.get(bj, {}).get("groups") == ["Team"], f"alice's item for bob should be in group Team: {items.get(bj)}")
    check(items.get(bj, {}).get("name") == "Bob", f"alice's item for bob should be named Bob: {items.get(bj)}")
    check(items.get(cj, {}).get("subscription") == "both", f"alice's item for carol should be 'both': {items.get(cj)}")
    step("alice's block list survived")
    blocked = await alice.plugin["xep_0191"].get_blocked()
    check(dj in {str(j) for j in blocked["blocklist"]["items"]}, f"alice's block list lost dave: {blocked}")

    step("subscriptions are in effect: bob logs in and sees alice, alice sees bob")
    bob = await Client(args, bj, bp, "desk", name="bob").login()
    await bob.expect(is_presence(aj, "available"), "alice's presence after the restart")
    await alice.expect(is_presence(bj, "available"), "bob's presence after the restart")
    await wait_for_roster_state(bob, aj, "both")

    step("the offline message survived and is delivered once, with a delay stamp")
    carol = await Client(args, cj, cp, "desk", name="carol").login()
    st = await carol.expect(is_message(aj, OFFLINE_TEXT), "the offline message sent before the restart")
    check(st.xml.find("{urn:xmpp:delay}delay") is not None, f"offline message lacks a delay stamp: {st}")
    await carol.expect_none(is_message(aj, OFFLINE_TEXT), "the offline message a second time", 1.0)
    if not auto:
        step("carol gets dave's pending subscription request again at login")
        await carol.expect(is_presence(dj, "subscribe"), "dave's pending subscription request")

    step("the block is in effect: dave does not see alice, and gets no error writing to her")
    dave = await Client(args, dj, dp, "desk", name="dave").login()
    await dave.expect_none(is_presence(aj, "available"), "alice's presence (he is blocked)", 1.5)
    dave.send_message(mto=aj, mbody="blocked?", mtype="chat")
    if args.blocked_error_ok:
        await dave.expect_none(lambda s: is_any_error(s) and "service-unavailable" not in str(s),
                               "an error other than service-unavailable", 1.5)
    else:
        await dave.expect_none(is_any_error, "an error for a message to alice who blocked him", 1.5)
    await alice.expect_none(is_message(dj), "dave's message (he is blocked)", 0.1)
    for c in (alice, bob, carol, dave):
        await c.logout()


async def main(args):
    await (setup(args) if args.phase == "setup" else verify(args))


if __name__ == "__main__":
    def extra(p):
        p.add_argument("--phase", choices=["setup", "verify"], required=True)
        p.add_argument("--blocked-error-ok", action="store_true",
                       help="accept service-unavailable to a blocked sender (Prosody); Parley sends none")
    run(main, parse_args(__doc__, ROLES, extra))
