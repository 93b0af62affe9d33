using System.Reflection;
using Parley.Server.Management;
using Parley.Server.Messaging;
using Parley.Server.Presence;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Server.Sessions;
using Parley.Server.Xmpp.Services;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.Routing;

/// <summary>
/// Where each stanza from an authenticated client goes: the feature services for what the server answers itself,
/// local delivery for other users (RFC 6120 §10, RFC 6121 §8).
/// </summary>
public sealed class ClientStanzaRouter(
    PresenceService presence,
    SubscriptionService subscriptions,
    RosterService roster,
    BlockingService blocking,
    MessageRouter messages,
    OfflineMessages offline,
    SessionRegistry registry,
    IDeploymentSettings settings)
{
    private static readonly string ServerVersion =
        typeof(ClientStanzaRouter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0";

    public async Task HandleAsync(XmppSession session, Element stanza, CancellationToken cancellationToken)
    {
        if (!Stanza.TryGetTo(stanza, out var to))
        {
            Reply(session, stanza, StanzaErrorCondition.JidMalformed, "The 'to' address is not a valid JID.");
            return;
        }

        switch (stanza.Name)
        {
            case "message":
                Send(session, await messages.RouteFromClientAsync(session, stanza, to, cancellationToken).ConfigureAwait(false));
                break;
            case "presence":
                await HandlePresenceAsync(session, stanza, to, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await HandleIqAsync(session, stanza, to, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task HandlePresenceAsync(XmppSession session, Element stanza, Jid? to, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(stanza);
        switch (type)
        {
            case null or "unavailable" when to is null || to == session.User.BareJid:
                if (presence.Broadcast(session, stanza))
                {
                    subscriptions.DeliverPendingRequests(session);
                    await offline.DeliverAsync(session, cancellationToken).ConfigureAwait(false);
                }

                break;
            case null or "unavailable" or "error":
                presence.SendDirected(session, stanza, to!);
                break;
            case "subscribe" or "subscribed" or "unsubscribe" or "unsubscribed" when to is not null:
                Send(session, await subscriptions.HandleOutboundAsync(session, stanza, type, to, cancellationToken).ConfigureAwait(false));
                break;
            default:
                break; // Probes from clients and malformed types are ignored (RFC 6121 §4.3, §4.7.1).
        }
    }

    private async Task HandleIqAsync(XmppSession session, Element iq, Jid? to, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(iq);
        var isRequest = type is "get" or "set";
        if (!isRequest && type is not ("result" or "error"))
        {
            Reply(session, iq, StanzaErrorCondition.BadRequest, "An IQ has type get, set, result or error.");
            return;
        }

        var payload = iq.FirstChild();
        if (isRequest && (payload is null || iq.Elements().Skip(1).Any()))
        {
            Reply(session, iq, StanzaErrorCondition.BadRequest, "An IQ get or set carries exactly one payload element.");
            return;
        }

        var forServer = to is null || (to.Local is null && settings.Current.HostsDomain(to.Domain) && to.Resource is null);
        var forOwnAccount = to is not null && to == session.User.BareJid;
        if (forServer || forOwnAccount)
        {
            if (isRequest)
            {
                Send(session, await AnswerAsync(session, iq, payload!, forServer, cancellationToken).ConfigureAwait(false));
            }

            return;
        }

        RouteIq(session, iq, to!, isRequest);
    }

    private async Task<Element> AnswerAsync(XmppSession session, Element iq, Element payload, bool forServer, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(iq);
        return (payload.Namespace, payload.Name) switch
        {
            (XmppNamespaces.Roster, "query") => await roster.HandleAsync(session, iq, payload, cancellationToken).ConfigureAwait(false),
            (XmppNamespaces.Blocking, _) => await blocking.HandleAsync(session, iq, payload, cancellationToken).ConfigureAwait(false),
            (XmppNamespaces.DiscoInfo, "query") when type == "get" => forServer ? ServiceDiscovery.ServerInfo(iq) : ServiceDiscovery.AccountInfo(iq),
            (XmppNamespaces.DiscoItems, "query") when type == "get" => ServiceDiscovery.EmptyItems(iq),
            (XmppNamespaces.Ping, "ping") when type == "get" => Stanza.Result(iq, null),
            (XmppNamespaces.Session, "session") when type == "set" => Stanza.Result(iq, null),
            (XmppNamespaces.Version, "query") when type == "get" && forServer => VersionResult(iq),
            _ => StanzaError.CreateReply(iq, StanzaErrorCondition.ServiceUnavailable, null),
        };
    }

    private void RouteIq(XmppSession session, Element iq, Jid to, bool isRequest)
    {
        var recipient = registry.Find(to.Bare);
        var target = to.Resource is null ? null : recipient?.FindSession(to.Resource);
        var blocked = recipient?.IsBlocking(session.FullJid) ?? false;
        if (target is not null && !blocked && !session.User.IsBlocking(to))
        {
            target.Deliver(Stanza.Readdress(iq, session.FullJid, to));
            return;
        }

        if (!isRequest)
        {
            return;
        }

        if (to.Resource is null && to.Local is not null && recipient is not null && !blocked && iq.FirstChild() is { } payload
            && payload.Is("query", XmppNamespaces.DiscoInfo) && recipient.FindItem(session.User.BareJid) is { IsWatcher: true })
        {
            Send(session, ServiceDiscovery.AccountInfo(iq).SetAttribute("from", to.ToString()));
            return;
        }

        var condition = settings.Current.HostsDomain(to.Domain) ? StanzaErrorCondition.ServiceUnavailable : StanzaErrorCondition.RemoteServerNotFound;
        Reply(session, iq, condition, null);
    }

    private static Element VersionResult(Element iq)
    {
        var result = Stanza.Result(iq, null);
        var query = result.AddChild("query", XmppNamespaces.Version);
        query.AddChild("name", XmppNamespaces.Version).AddText("Parley");
        query.AddChild("version", XmppNamespaces.Version).AddText(ServerVersion);
        return result;
    }

    private static void Reply(XmppSession session, Element stanza, StanzaErrorCondition condition, string? text)
    {
        if (!Stanza.IsError(stanza))
        {
            session.Deliver(StanzaError.CreateReply(stanza, condition, text));
        }
    }

    private static void Send(XmppSession session, Element? reply)
    {
        if (reply is not null)
        {
            session.Deliver(reply);
        }
    }
}
