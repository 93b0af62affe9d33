using System.Security.Cryptography;
using Parley.Server.Diagnostics;
using Parley.Server.Sessions;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.C2s;

/// <summary>Resource binding (RFC 6120 §7), stream management (XEP-0198) and stanza dispatch once bound.</summary>
internal sealed partial class C2sConnection
{
    private async ValueTask<NextStep> BindOrResumeAsync(Element element)
    {
        if (element.Is("resume", XmppNamespaces.StreamManagement))
        {
            Resume(element);
            return NextStep.Continue;
        }

        if (element.Is("enable", XmppNamespaces.StreamManagement))
        {
            Send(SmFailed(StanzaErrorCondition.UnexpectedRequest));
            return NextStep.Continue;
        }

        if (element.Name == "iq" && element.Namespace == XmppNamespaces.Client && element.Child("bind", XmppNamespaces.Bind) is { } bind && Stanza.Type(element) == "set")
        {
            await BindAsync(element, bind).ConfigureAwait(false);
            return NextStep.Continue;
        }

        if (element.Name == "iq" && element.Namespace == XmppNamespaces.Client && !Stanza.IsError(element))
        {
            Send(StanzaError.CreateReply(element, StanzaErrorCondition.NotAuthorized, "Bind a resource first."));
            return NextStep.Continue;
        }

        throw new XmppStreamException(XmppStreamErrorReason.NotAuthorized, "Bind a resource before sending stanzas.");
    }

    private async Task BindAsync(Element iq, Element bind)
    {
        var requested = bind.ChildText("resource", XmppNamespaces.Bind);
        var resource = string.IsNullOrWhiteSpace(requested) ? Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant() : requested;
        var bare = _authenticated!;
        if (!Jid.TryCreate(bare.Local, bare.Domain, resource, out var full, out _))
        {
            Send(StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, "The resource is not a valid JID resourcepart."));
            return;
        }

        var registry = _services.Registry;
        XmppSession session;
        while (true)
        {
            var user = await registry.GetOrLoadAsync(bare, _abort.Token).ConfigureAwait(false);
            XmppSession? replaced;
            using (await registry.Locks.AcquireAsync(bare, _abort.Token).ConfigureAwait(false))
            {
                if (user.Retired)
                {
                    continue;
                }

                replaced = user.FindSession(full.Resource!);
                if (replaced is null && user.Sessions.Count >= Options.MaxResourcesPerUser)
                {
                    Send(StanzaError.CreateReply(iq, StanzaErrorCondition.ResourceConstraint, $"At most {Options.MaxResourcesPerUser} resources per account."));
                    return;
                }

                session = new XmppSession(user, full, this);
                user.AddSession(session);
                if (replaced is not null)
                {
                    user.RemoveSession(replaced);
                }
            }

            if (replaced is not null)
            {
                // RFC 6120 §7.7.2.2: the newer connection wins; the old one is told why it goes.
                replaced.Transport?.Close(XmppStreamErrorReason.Conflict, "Replaced by a new connection with the same resource.");
                _ = TerminateSession(replaced); // tracked
            }

            break;
        }

        _session = session;
        _state = ConnectionState.Established;
        var result = Stanza.Result(iq, null);
        result.AddChild("bind", XmppNamespaces.Bind).AddChild("jid", XmppNamespaces.Bind).AddText(full.ToString());
        Send(result);
    }

    private void Resume(Element resume)
    {
        var previous = resume.GetAttribute("previd");
        var session = previous is null ? null : _services.Registry.FindResumable(previous);
        if (session is null || session.User.BareJid != _authenticated || !uint.TryParse(resume.GetAttribute("h"), out var handled))
        {
            Send(SmFailed(StanzaErrorCondition.ItemNotFound));
            return;
        }

        var resumed = new Element("resumed", XmppNamespaces.StreamManagement);
        resumed.SetAttribute("previd", previous);
        resumed.SetAttribute("h", session.StreamManagement!.InboundHandled.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!session.Resume(this, handled, resumed, out var old))
        {
            Send(SmFailed(StanzaErrorCondition.UnexpectedRequest));
            return;
        }

        old?.Close(XmppStreamErrorReason.Conflict, "The session was resumed on another connection.");
        _session = session;
        _state = ConnectionState.Established;
        Log.Resumed(Logger, RemoteEndPoint, session.StreamManagement.UnackedCount);
    }

    private async ValueTask<NextStep> HandleEstablishedAsync(Element element)
    {
        var session = _session!;
        if (element.Namespace == XmppNamespaces.StreamManagement)
        {
            HandleStreamManagement(session, element);
            return NextStep.Continue;
        }

        if (element.Namespace != XmppNamespaces.Client || element.Name is not ("message" or "presence" or "iq"))
        {
            throw new XmppStreamException(XmppStreamErrorReason.UnsupportedStanzaType, "Only message, presence and iq stanzas are accepted.");
        }

        if (element.Name == "iq" && _pinged && Stanza.Type(element) is "result" or "error" && element.GetAttribute("id") == IdlePingId)
        {
            return NextStep.Continue;
        }

        await _services.Router.HandleAsync(session, element, _abort.Token).ConfigureAwait(false);
        if (session.StreamManagement is { } sm)
        {
            sm.InboundHandled++;
        }

        return NextStep.Continue;
    }

    private void HandleStreamManagement(XmppSession session, Element element)
    {
        if (session.StreamManagement is null && element.Name is "r" or "a")
        {
            Send(SmFailed(StanzaErrorCondition.UnexpectedRequest));
            return;
        }

        switch (element.Name)
        {
            case "enable":
                if (session.StreamManagement is not null)
                {
                    Send(SmFailed(StanzaErrorCondition.UnexpectedRequest));
                    return;
                }

                var resume = element.GetAttribute("resume") is "true" or "1";
                var sm = session.EnableStreamManagement(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)), resume);
                var enabled = new Element("enabled", XmppNamespaces.StreamManagement);
                enabled.SetAttribute("id", sm.Id);
                if (resume)
                {
                    enabled.SetAttribute("resume", "true");
                    enabled.SetAttribute("max", ((int)Options.ResumptionTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    _services.Registry.RegisterResumable(session);
                }

                session.SendControl(enabled);
                break;
            case "r":
                var ack = new Element("a", XmppNamespaces.StreamManagement);
                ack.SetAttribute("h", (session.StreamManagement?.InboundHandled ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
                session.SendControl(ack);
                break;
            case "a":
                OnAckReceived();
                if (!uint.TryParse(element.GetAttribute("h"), out var handled) || !session.Acknowledge(handled))
                {
                    throw new XmppStreamException(XmppStreamErrorReason.UndefinedCondition, "The acknowledged count is higher than the number of stanzas sent.");
                }

                break;
            default:
                throw new XmppStreamException(XmppStreamErrorReason.UnsupportedStanzaType, "Unknown stream management element.");
        }
    }

    private const string IdlePingId = "parley-idle-ping";

    private Element IdlePing()
    {
        if (_session?.StreamManagement is not null)
        {
            return _ackRequest;
        }

        var ping = Stanza.Iq("get", IdlePingId, null, _session?.FullJid);
        ping.AddChild("ping", XmppNamespaces.Ping);
        return ping;
    }

    private static Element SmFailed(StanzaErrorCondition condition)
    {
        var failed = new Element("failed", XmppNamespaces.StreamManagement);
        failed.AddChild(StanzaError.ConditionName(condition), XmppNamespaces.Stanzas);
        return failed;
    }

    /// <summary>
    /// The connection is gone, or the client closed its stream. A resumable session waits for its client; any other
    /// session ends now, and the returned task completes once it is gone (the stream-close path waits for that before
    /// sending its closing tag).
    /// </summary>
    private Task EndSession()
    {
        var session = _session;
        if (session is null)
        {
            return Task.CompletedTask;
        }

        _session = null;
        switch (session.Detach(this))
        {
            case DetachOutcome.NotCurrent:
                return Task.CompletedTask;
            case DetachOutcome.AwaitResumption when !_services.Terminations.Stopping && !_closedCleanly:
                _ = ExpireResumptionAsync(session);
                return Task.CompletedTask;
            default:
                return TerminateSession(session);
        }
    }

    private async Task ExpireResumptionAsync(XmppSession session)
    {
        await Task.Delay(Options.ResumptionTimeout, _services.Time).ConfigureAwait(false);
        if (session.IsDetached && !session.IsTerminated)
        {
            _ = TerminateSession(session); // tracked
        }
    }

    /// <summary>Ends a session for good: unavailable presence out, and what the client never acknowledged rerouted.</summary>
    private Task TerminateSession(XmppSession session)
    {
        var ending = TerminateSessionAsync(_services, session);
        _services.Terminations.Track(ending);
        return ending;
    }

    internal static async Task TerminateSessionAsync(C2sServices services, XmppSession session)
    {
        try
        {
            var unacked = session.Terminate();
            using (await services.Registry.Locks.AcquireAsync(session.User.BareJid, CancellationToken.None).ConfigureAwait(false))
            {
                services.Registry.Remove(session);
            }

            services.Presence.SessionEnded(session);
            foreach (var stanza in unacked)
            {
                // XEP-0198 §5: stanzas the client never acknowledged go to its other resources or offline storage.
                if (stanza.Name == "message" && !Stanza.IsError(stanza) && Jid.TryParse(stanza.GetAttribute("from"), out var from))
                {
                    await services.Messages.DeliverAsync(Stanza.Readdress(stanza, from, session.User.BareJid), from, session.User.BareJid, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Log.UnexpectedError(services.Logger, session.FullJid.ToString(), ex);
        }
    }
}
