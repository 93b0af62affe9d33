#!/usr/bin/python3
"""An XMPP user of Parley (slixmpp) driven line by line by a federation test.

The user logs in (STARTTLS + SCRAM, checked as in every scenario) and prints "XMPP READY". Then it reads one
JSON command per line on stdin and prints "XMPP DONE <op>" after acting on it:
  {"op": "subscribe"|"unsubscribe"|"approve"|"deny", "to": JID}
  {"op": "presence", "show": "away"|"dnd"|"xa"|"chat"|null, "status": TEXT|null}
  {"op": "unavailable"}
  {"op": "message", "to": JID, "body": TEXT}                       (type chat, with <active/>)
  {"op": "chatstate", "to": JID, "state": "composing"|"paused"|"active"}
  {"op": "quit"}
Every presence and message it receives is printed on one line, for the test to wait on:
  XMPP PRESENCE from=BARE type=available|unavailable|subscribe|subscribed|unsubscribe|unsubscribed|error show=S status=T
  XMPP MESSAGE from=BARE type=T body=B chatstate=S error=CONDITION
(absent values print as "none"). The test, not this script, decides what is expected.
"""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from slixmpp.xmlstream.handler import Callback  # noqa: E402
from slixmpp.xmlstream.matcher import MatchXPath  # noqa: E402
from xmpptest import Client, parse_args, run, step  # noqa: E402

ROLES = ["user"]
NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_CLIENT = "jabber:client"


def emit(text):
    print(text, flush=True)


def one_line(text):
    return "none" if text is None or text == "" else " ".join(text.split())


def describe_presence(stanza):
    xml = stanza.xml
    return (f"XMPP PRESENCE from={stanza['from'].bare} type={xml.get('type') or 'available'} "
            f"show={one_line(xml.findtext(f'{{{NS_CLIENT}}}show'))} status={one_line(xml.findtext(f'{{{NS_CLIENT}}}status'))}")


def describe_message(stanza):
    xml = stanza.xml
    chatstate = next((child.tag.split('}')[1] for child in xml if child.tag.startswith(f"{{{NS_CHATSTATES}}}")), None)
    error = xml.find(f"{{{NS_CLIENT}}}error")
    condition = None
    if error is not None:
        condition = next((child.tag.split('}')[1] for child in error if child.tag.startswith(f"{{{NS_STANZAS}}}")
                          and not child.tag.endswith("}text")), "unknown")
    return (f"XMPP MESSAGE from={stanza['from'].bare} type={xml.get('type') or 'normal'} "
            f"body={one_line(xml.findtext(f'{{{NS_CLIENT}}}body'))} chatstate={one_line(chatstate)} error={one_line(condition)}")


async def main(args):
    jid, password = args.accounts["user"]
    user = Client(args, jid, password, "desk", name=jid)
    # Raw handlers: slixmpp's "message" event skips messages without a body (chat states, some errors).
    user.register_handler(Callback("agent-presence", MatchXPath(f"{{{NS_CLIENT}}}presence"), lambda st: emit(describe_presence(st))))
    user.register_handler(Callback("agent-message", MatchXPath(f"{{{NS_CLIENT}}}message"), lambda st: emit(describe_message(st))))
    await user.login()
    emit(f"XMPP READY jid={user.boundjid.full}")

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            step("stdin closed: done")
            return
        command = json.loads(line)
        op = command["op"]
        to = command.get("to")
        if op == "subscribe":
            user.send_presence(pto=to, ptype="subscribe")
        elif op == "unsubscribe":
            user.send_presence(pto=to, ptype="unsubscribe")
        elif op == "approve":
            user.send_presence(pto=to, ptype="subscribed")
        elif op == "deny":
            user.send_presence(pto=to, ptype="unsubscribed")
        elif op == "presence":
            user.send_presence(pshow=command.get("show"), pstatus=command.get("status"))
        elif op == "unavailable":
            user.send_presence(ptype="unavailable")
        elif op == "message":
            message = user.make_message(mto=to, mbody=command["body"], mtype="chat")
            message["chat_state"] = "active"
            message.send()
        elif op == "chatstate":
            message = user.make_message(mto=to, mtype="chat")
            message["chat_state"] = command["state"]
            message.send()
        elif op == "quit":
            await user.logout()
            emit("XMPP DONE quit")
            return
        else:
            raise ValueError(f"unknown command {op}")
        emit(f"XMPP DONE {op}")


if __name__ == "__main__":
    run(main, parse_args(__doc__, ROLES))
