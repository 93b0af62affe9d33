#!/usr/bin/python3
"""Login, roster, subscriptions and presence for three users.

alice, bob and carol log in over STARTTLS + SCRAM; alice adds bob and carol to her
roster with groups (roster push, versioning); subscriptions are approved (by the server
when --auto-approve on, by the contact otherwise); a pre-approval is honoured; presence
changes (away/dnd/xa/chat with status text) arrive with the right show/status at each
contact; a second resource of bob receives presence too; unavailable is broadcast.
"""
import asyncio

from xmpptest import (Client, check, is_presence, make_mutual, parse_args, run, step, subscribe,
                      wait_for_roster_state)

ROLES = ["alice", "bob", "carol"]


async def main(args):
    auto = args.auto_approve == "on"
    (aj, ap), (bj, bp), (cj, cp) = (args.accounts[r] for r in ROLES)
    alice = await Client(args, aj, ap, "desk", name="alice").login()
    bob = await Client(args, bj, bp, "desk", name="bob/desk").login()
    carol = await Client(args, cj, cp, "phone", name="carol").login()

    step("alice adds bob (group Friends) and carol (groups Work, Friends) to her roster")
    await alice.update_roster(bj, name="Bob", groups=["Friends"])
    await alice.update_roster(cj, name="Carol", groups=["Work", "Friends"])
    items = await alice.roster_items()
    check(items.get(bj, {}).get("groups") == ["Friends"], f"alice's roster item for bob should have group Friends: {items.get(bj)}")
    check(items.get(cj, {}).get("groups") == ["Friends", "Work"], f"alice's roster item for carol should have groups Friends, Work: {items.get(cj)}")
    check(items.get(bj, {}).get("name") == "Bob", f"alice's roster item for bob should be named Bob: {items.get(bj)}")
    check(items[bj]["subscription"] == "none", f"before subscribing, bob's item should be subscription none: {items[bj]}")

    step("roster versioning: a roster get carries ver, and a get with the current ver returns no full roster")
    if "rosterver" in alice.features:
        query = await alice.roster_query(ver="")
        ver = query.get("ver")
        check(ver, "server advertises roster versioning but the roster result has no ver attribute")
        again = await alice.roster_query(ver=ver)
        count = 0 if again is None else len(again)
        check(count == 0, f"roster get with the current ver {ver!r} should return an empty result, got {count} items")
    else:
        print("    (server does not advertise roster versioning)")

    step("a second resource of bob logs in")
    bob2 = await Client(args, bj, bp, "laptop", name="bob/laptop").login()

    # Mutual subscriptions alice<->bob and alice<->carol.
    await make_mutual(alice, bob, auto)

    step("the group set by alice survives the subscription")
    items = await alice.roster_items()
    check(items[bj]["groups"] == ["Friends"], f"alice's roster item for bob lost its group: {items[bj]}")

    step("pre-approval: carol pre-approves alice, then alice subscribes and is approved at once")
    carol.send_presence(pto=aj, ptype="subscribed")
    await asyncio.sleep(0.5)
    alice.send_presence(pto=cj, ptype="subscribe")
    await alice.expect(is_presence(cj, "subscribed"), "'subscribed' from carol (pre-approved)")
    await carol.expect_none(is_presence(aj, "subscribe"), "a subscription request from alice despite pre-approval", 1.0)
    await wait_for_roster_state(alice, cj, "to")
    await subscribe(carol, alice, auto)
    await wait_for_roster_state(alice, cj, "both")
    await wait_for_roster_state(carol, aj, "both")

    step("each contact sees the others as available")
    alice_full = alice.boundjid.full
    for watcher in (bob, bob2, carol):
        await watcher.expect(is_presence(alice_full, "available", full=True), f"available presence from {alice_full}")

    for show, status in (("away", "at lunch"), ("dnd", "in a meeting"), ("xa", "on holiday"), ("chat", "free to talk")):
        step(f"alice changes presence: show={show} status={status!r}")
        alice.send_presence(pshow=show, pstatus=status)
        for watcher in (bob, bob2, carol):
            await watcher.expect(is_presence(aj, "available", show=show, status=status),
                                 f"alice's presence show={show} status={status!r}")

    step("bob (desk) changes presence: both alice and bob's other resource see it")
    bob.send_presence(pshow="away", pstatus="back soon")
    await alice.expect(is_presence(bob.boundjid.full, "available", show="away", status="back soon", full=True),
                       "bob/desk's presence show=away")
    await bob2.expect(is_presence(bob.boundjid.full, "available", show="away", status="back soon", full=True),
                      "bob/desk's presence at bob/laptop")

    step("bob/laptop goes unavailable: alice sees only that resource go")
    await bob2.logout()
    await alice.expect(is_presence(bob2.boundjid.full, "unavailable", full=True), "unavailable from bob/laptop")

    step("carol logs out: alice sees carol unavailable")
    await carol.logout()
    await alice.expect(is_presence(cj, "unavailable"), "unavailable from carol")

    step("carol logs in again: alice sees her available, carol gets alice's current presence (probe)")
    carol2 = await Client(args, cj, cp, "phone", name="carol (again)").login(show="dnd", status="busy")
    await alice.expect(is_presence(cj, "available", show="dnd", status="busy"), "carol available again, show=dnd")
    await carol2.expect(is_presence(aj, "available", show="chat", status="free to talk"),
                        "alice's current presence (show=chat) after login")

    for c in (alice, bob, carol2):
        await c.logout()


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES))
