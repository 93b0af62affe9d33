#!/usr/bin/python3
"""The XMPP side of the baresip interop test: xana (slixmpp) and a SIP user (baresip).

xana logs in available and prints XMPP-READY. Then, driven by the SIP user's messages:
- "Parley interop message from baresip": xana replies "Parley interop reply from slixmpp";
- "please go busy": xana sends <show>dnd</show> and prints XMPP-BUSY;
- "please go offline": xana logs out and prints XMPP-OFFLINE.
The test checks on the baresip side that each presence change and the reply arrive.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))

from xmpptest import Client, is_message, parse_args, run, step  # noqa: E402

ROLES = ["xana"]


async def main(args):
    xj, xp = args.accounts["xana"]
    sip_user = args.sip_user
    xana = await Client(args, xj, xp, "desk", name="xana").login()
    print("XMPP-READY", flush=True)

    await xana.expect(is_message(sip_user, body="Parley interop message from baresip"), "baresip's message", timeout=args.wait * 3)
    step("got baresip's message; replying")
    xana.send_message(mto=sip_user, mbody="Parley interop reply from slixmpp", mtype="chat")

    await xana.expect(is_message(sip_user, body="please go busy"), "the request to go busy", timeout=args.wait * 3)
    xana.send_presence(pshow="dnd", pstatus="In a Parley interop meeting")
    print("XMPP-BUSY", flush=True)

    await xana.expect(is_message(sip_user, body="please go offline"), "the request to go offline", timeout=args.wait * 3)
    await xana.logout()
    print("XMPP-OFFLINE", flush=True)


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES, lambda p: p.add_argument("--sip-user", required=True, help="bare JID of the SIP user")))
