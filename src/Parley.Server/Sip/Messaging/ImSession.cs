using Parley.Sip.Dialogs;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// One session-mode IM conversation (Lync style): an INVITE dialog between a SIP user and a peer (any user of the
/// engine) — one Parley answered as UAS (requests Parley sends in it go back over the flow the INVITE came on), or
/// one Parley opened to a user of the federation peer (requests go to the next hop that took the INVITE).
/// </summary>
public sealed class ImSession(Dialog dialog, Jid user, Jid peer, SipDestination destination, DateTimeOffset created, bool isPeer = false)
{
    /// <summary>Guards the dialog's local CSeq: requests in one dialog are built one at a time.</summary>
    public object Gate { get; } = new();

    public Dialog Dialog { get; } = dialog;

    /// <summary>The SIP user (the remote party of the dialog).</summary>
    public Jid User { get; } = user;

    /// <summary><see cref="User"/> is a user of the federation peer (no account here): in-dialog requests skip the account check.</summary>
    public bool IsPeer { get; } = isPeer;

    /// <summary>Whom they talk to (bare JID).</summary>
    public Jid Peer { get; } = peer;

    public SipDestination Destination { get; } = destination;

    public DateTimeOffset LastActivity { get; private set; } = created;

    public bool IsEnded { get; private set; }

    public void Touch(DateTimeOffset now) => LastActivity = now;

    /// <summary>Marks the session ended; true only for the first caller (so BYE is sent once).</summary>
    public bool End()
    {
        lock (Gate)
        {
            if (IsEnded)
            {
                return false;
            }

            IsEnded = true;
            return true;
        }
    }
}
