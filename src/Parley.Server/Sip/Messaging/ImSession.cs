using Parley.Sip.Dialogs;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// One session-mode IM conversation (Lync style): the INVITE dialog Parley answered as UAS between a SIP user and a
/// peer (any user of the engine). Requests Parley sends in it go back over the flow the INVITE came on.
/// </summary>
public sealed class ImSession(Dialog dialog, Jid user, Jid peer, SipDestination destination, DateTimeOffset created)
{
    /// <summary>Guards the dialog's local CSeq: requests in one dialog are built one at a time.</summary>
    public object Gate { get; } = new();

    public Dialog Dialog { get; } = dialog;

    /// <summary>The SIP user (the caller).</summary>
    public Jid User { get; } = user;

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
