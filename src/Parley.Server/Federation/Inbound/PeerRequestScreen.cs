using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Federation.RoutingNode;
using Parley.Server.Management;
using Parley.Server.Sip.Core;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.Inbound;

/// <summary>What the dispatcher does with a new out-of-dialog request after <see cref="PeerRequestScreen"/>.</summary>
public readonly record struct PeerScreening(SipServerRequest? PeerRequest, bool Answered)
{
    /// <summary>Not the peer's: authenticate as usual.</summary>
    public static PeerScreening Continue => default;

    /// <summary>Refused (403, 404): the response is sent.</summary>
    public static PeerScreening Refused => new(null, true);
}

/// <summary>
/// The dispatcher rules for requests from the federation peer (docs/design/federation.md, "Inbound", rules 1–3), for
/// new requests outside a dialog while federation is enabled: a peer request for a user of a hosted domain who is not
/// a provisioned, enabled user here is a loop (404, counted); a peer request from a non-local user of a hosted or SIP
/// federation domain is that peer user's, with no challenge, except REGISTER and PUBLISH, which are refused (403). A
/// peer request from a local user is challenged as usual (the peer's address may also carry Parley users). On the
/// routing node a peer request for a user homed on another node is forwarded there (<see cref="RoutingNodeProxy"/>). A
/// request from any other source whose From is such a user is challenged as usual, and said so in an event, because
/// it is most likely the peer missing from the incoming ACL.
/// </summary>
public sealed class PeerRequestScreen(
    PeerTrust trust,
    IDeploymentSettings settings,
    IUserDirectory directory,
    SourceEventThrottle throttle,
    FederationCounters counters,
    RoutingNodeProxy routing,
    ILogger<PeerRequestScreen> logger)
{
    /// <summary>Federation is enabled: the only check on the hot path while it is not.</summary>
    public bool IsActive => settings.Current.Configuration.Federation.Enabled;

    public async ValueTask<PeerScreening> ScreenAsync(SipServerRequest transaction, CancellationToken cancellationToken)
    {
        var request = transaction.Request;
        var source = transaction.Source;
        var snapshot = settings.Current;
        var recipient = request.RequestUri.User is not null && SipAddressMapping.TryToJid(request.RequestUri, out var target) && snapshot.HostsDomain(target.Domain)
            ? target.Bare
            : null;
        // The routing node holds no users (their data is on their home pool): the peer's requests go to the home node
        // by the topology first, and that node decides (404 for nobody, the loop's end).
        if (recipient is not null && routing.HomeElsewhere(recipient) is { } home && await trust.IsPeerAsync(source).ConfigureAwait(false))
        {
            await routing.ForwardToHomeAsync(transaction, recipient, home, cancellationToken).ConfigureAwait(false);
            return PeerScreening.Refused; // Answered by the user's home node, relayed.
        }

        var fromPeerUser = SipAddressMapping.TryToJid(request.From.Uri, out var from) && IsSharedOrFederated(snapshot, from.Domain)
            && await directory.FindUserAsync(from.Bare, cancellationToken).ConfigureAwait(false) is null;
        var forNobodyHere = recipient is not null && await directory.FindUserAsync(recipient, cancellationToken).ConfigureAwait(false) is not { Enabled: true };
        if (!fromPeerUser && !forNobodyHere)
        {
            return PeerScreening.Continue; // Local users' own traffic: no ACL check, so no DNS wait for SIP clients.
        }

        if (!await trust.IsPeerAsync(source).ConfigureAwait(false))
        {
            if (fromPeerUser && snapshot.HostsDomain(from!.Domain))
            {
                throttle.Raise(source.Remote.Address, ParleyEvents.Federation.UpstreamNotTrusted, source.Remote.Address, from.Bare, request.Method);
            }

            return PeerScreening.Continue;
        }

        if (forNobodyHere)
        {
            var total = counters.LoopRejected();
            InboundLog.LoopRejected(logger, request.RequestUri.ToString(), source.ToString(), total);
            throttle.Raise(source.Remote.Address, ParleyEvents.Federation.LoopRejected, request.RequestUri, source.Remote, total);
            await transaction.RespondAsync(SipStatusCodes.NotFound, "No such user here", cancellationToken: cancellationToken).ConfigureAwait(false);
            return PeerScreening.Refused;
        }

        if (request.Method is SipMethods.Register or SipMethods.Publish)
        {
            throttle.Raise(source.Remote.Address, ParleyEvents.Federation.PeerRegistrationRefused, request.Method, source.Remote, from!.Bare);
            await transaction.RespondAsync(SipStatusCodes.Forbidden, "Not accepted from the federation peer", cancellationToken: cancellationToken).ConfigureAwait(false);
            return PeerScreening.Refused;
        }

        InboundLog.PeerRequest(logger, request.Method, source.ToString(), from!.Bare.ToString());
        return new PeerScreening(transaction.WithPeer(from.Bare), false);
    }

    /// <summary>
    /// The request names a domain Parley does not host: when it came from the federation peer, the domain is configured
    /// on the peer only (seed 003 R1.3), which gets its own event before the usual 404.
    /// </summary>
    public async ValueTask ReportUnhostedDomainAsync(SipServerRequest transaction, string domain)
    {
        if (await trust.IsPeerAsync(transaction.Source).ConfigureAwait(false))
        {
            throttle.Raise(transaction.Source.Remote.Address, ParleyEvents.Federation.DomainOnPeerOnly, domain, transaction.Source.Remote, transaction.Request.Method);
        }
    }

    /// <summary>
    /// On the routing node, relays a request whose top Route is this node (in a dialog that passes through it) and
    /// returns true; false for any other request.
    /// </summary>
    public async ValueTask<bool> TryRelayRoutedAsync(SipServerRequest transaction, CancellationToken cancellationToken)
    {
        if (!routing.IsRoutedHere(transaction.Request))
        {
            return false;
        }

        await routing.ForwardByRouteAsync(transaction, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>As <see cref="TryRelayRoutedAsync"/> for an ACK of a 2xx (no transaction).</summary>
    public async ValueTask<bool> TryRelayRoutedAckAsync(SipRequest ack, SipSource source, CancellationToken cancellationToken)
    {
        if (!routing.IsRoutedHere(ack))
        {
            return false;
        }

        await routing.ForwardAckAsync(ack, source, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A CANCEL matched an INVITE: on the routing node it follows a forwarded INVITE to the next hop.</summary>
    public CancelHandling Cancel(ServerTransaction cancelled) => routing.Cancel(cancelled);

    private static bool IsSharedOrFederated(DeploymentSnapshot snapshot, string domain)
        => snapshot.HostsDomain(domain) || snapshot.Configuration.SipFederationDomains.Any(d => string.Equals(d.Domain, domain, StringComparison.OrdinalIgnoreCase));
}
