using System.Globalization;
using Microsoft.Extensions.Logging;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management;
using Parley.Server.Sip.Core;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.RoutingNode;

/// <summary>
/// The routing node's proxy (docs/design/federation.md, "Routing node"): a new request from the peer for a user homed
/// on another node is forwarded statefully to that node with Record-Route (RFC 3261 §16.6; two entries when the two
/// legs use different transports, RFC 5658), so in-dialog requests in both directions come back here; those arrive
/// with this node as their top Route, which is removed (loose routing, §16.4) before forwarding to the next Route or
/// the Request-URI. Responses return the same way (our Via is removed). Only requests from the trusted peer or from a
/// topology node are relayed: this is not an open proxy.
/// </summary>
public sealed class RoutingNodeProxy(
    HomeNodeLocator homes, PeerTrust trust, SipStack stack, SipOutbound outbound, ForwardedInvites invites, IDeploymentSettings settings,
    ILogger<RoutingNodeProxy> logger)
{
    /// <summary>Where <paramref name="recipient"/> lives when this is the routing node and the home is another node; else null (cheap: configuration only).</summary>
    public SipDestination? HomeElsewhere(Jid recipient)
    {
        var configuration = settings.Current.Configuration;
        return homes.IsRoutingNode(configuration) ? homes.HomeOf(recipient, configuration) : null;
    }

    /// <summary>Forwards a peer request for <paramref name="recipient"/> to its <paramref name="home"/> node (<see cref="HomeElsewhere"/>), Record-Routed.</summary>
    public async ValueTask ForwardToHomeAsync(SipServerRequest transaction, Jid recipient, SipDestination home, CancellationToken cancellationToken)
    {
        var outgoing = Forwardable(transaction.Request);
        AddRecordRoute(outgoing, transaction.Source, home.Transport);
        RoutingLog.ForwardingToHome(logger, transaction.Request.Method, recipient.ToString(), home.EndPoint.ToString());
        await RelayAsync(transaction, outgoing, home, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// This is the routing node and the request is in a dialog (To tag) with this node as its top Route: a dialog it
    /// record-routed. An out-of-dialog request with a preloaded Route to us is served here as usual.
    /// </summary>
    public bool IsRoutedHere(SipRequest request)
        => request.To.Tag is not null && request.Headers.Contains(SipHeaderNames.Route)
           && IsOwn(request.Headers.GetValues(SipHeaderNames.Route)[0]) && homes.IsRoutingNode(settings.Current.Configuration);

    /// <summary>
    /// Relays a request routed through this node to its next hop, when it comes from the peer or a topology node;
    /// otherwise answers 403. ACKs (for 2xx) are forwarded without a transaction.
    /// </summary>
    public async ValueTask ForwardByRouteAsync(SipServerRequest transaction, CancellationToken cancellationToken)
    {
        if (!await IsRelayAllowedAsync(transaction.Source).ConfigureAwait(false))
        {
            await transaction.RespondAsync(SipStatusCodes.Forbidden, "Not relayed for this source", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var outgoing = Forwardable(transaction.Request);
        PopOwnRoutes(outgoing);
        if (await NextHopAsync(outgoing, cancellationToken).ConfigureAwait(false) is not { } next)
        {
            await transaction.RespondAsync(SipStatusCodes.NotFound, "Next hop not resolvable", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        await RelayAsync(transaction, outgoing, next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forwards an ACK for a 2xx routed through this node (stateless, §16.11), from the peer or a topology node only.</summary>
    public async ValueTask ForwardAckAsync(SipRequest ack, SipSource source, CancellationToken cancellationToken)
    {
        if (!await IsRelayAllowedAsync(source).ConfigureAwait(false))
        {
            return;
        }

        var outgoing = Forwardable(ack);
        PopOwnRoutes(outgoing);
        if (await NextHopAsync(outgoing, cancellationToken).ConfigureAwait(false) is { } next)
        {
            outgoing.Headers.AddFirst(SipHeaderNames.Via, stack.Transactions.NewVia(next.Transport));
            await stack.Transactions.SendStatelessAsync(outgoing, next, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> IsRelayAllowedAsync(SipSource source)
    {
        var configuration = settings.Current.Configuration;
        return homes.IsRoutingNode(configuration)
            && (HomeNodeLocator.IsTopologyNode(configuration, source.Remote.Address) || await trust.IsPeerAsync(source).ConfigureAwait(false));
    }

    private async Task RelayAsync(SipServerRequest transaction, SipRequest outgoing, SipDestination destination, CancellationToken cancellationToken)
    {
        if (transaction.Transaction.HasFinalResponse)
        {
            return; // Cancelled (answered 487) before it could be forwarded.
        }

        using var invite = outgoing.Method == SipMethods.Invite ? invites.Track(transaction.Transaction, outgoing, destination) : null;
        using var giveUp = invite is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, invite.GiveUp);
        SipResponse final;
        try
        {
            final = await stack.Transactions.SendRequestAsync(outgoing, destination, provisional =>
            {
                invite?.OnProvisional();
                if (provisional.StatusCode > SipStatusCodes.Trying)
                {
                    // Not awaited (this runs on the receiving thread); a failure is only observed, the final response still follows.
                    _ = transaction.RespondAsync(Upstream(provisional), CancellationToken.None).AsTask()
                        .ContinueWith(static sent => _ = sent.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }, giveUp?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (invite is not null && invite.GiveUp.IsCancellationRequested)
        {
            // A CANCEL was forwarded and the next hop never answered the INVITE (RFC 3261 §16.10): it ends here.
            await transaction.RespondAsync(SipStatusCodes.RequestTerminated, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await transaction.RespondAsync(Upstream(final), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (transaction.Transaction.State == TransactionState.Terminated || transaction.Transaction.HasFinalResponse)
        {
            // The upstream side gave up first (its own timer F fires with ours, the node stopping, a CANCEL that came
            // before the forward): a late answer has nobody to go to.
            RoutingLog.AnswerTooLate(logger, final.StatusCode, outgoing.Method);
        }
    }

    /// <summary>A CANCEL matched an INVITE: when this node forwarded it, the CANCEL follows it to the next hop.</summary>
    public CancelHandling Cancel(ServerTransaction cancelled) => invites.Cancel(cancelled);

    /// <summary>A copy to forward: Max-Forwards decremented (the dispatcher answered 483 at zero already).</summary>
    private static SipRequest Forwardable(SipRequest request)
    {
        var copy = request.Clone();
        copy.Headers.Set(SipHeaderNames.MaxForwards, ((request.MaxForwards ?? 70) - 1).ToString(CultureInfo.InvariantCulture));
        return copy;
    }

    /// <summary>The response for the previous hop: without our Via (§16.7 step 3).</summary>
    private static SipResponse Upstream(SipResponse response)
    {
        response.Headers.RemoveFirstValue(SipHeaderNames.Via);
        return response;
    }

    private void AddRecordRoute(SipRequest request, SipSource incoming, SipTransportKind outgoing)
    {
        // Top: the entry the home node (UAS) routes through; below it, the one the peer (UAC) uses.
        var towardsPeer = OwnUri(incoming.Transport, incoming.Local.Port);
        var towardsHome = TowardsHomeUri(outgoing);
        if (towardsPeer != towardsHome)
        {
            request.Headers.AddFirst(SipHeaderNames.RecordRoute, towardsPeer);
        }

        request.Headers.AddFirst(SipHeaderNames.RecordRoute, towardsHome);
    }

    /// <summary>
    /// Our Record-Route entry on the home node's side: a listener the home node can connect back to once the connection
    /// we opened is gone (restart of either node). Over TLS that is the peer-auth listener (the home node's certificate
    /// passes as a deployment node's), else the server-auth one, else our TCP port; never the default 5061 of a TLS
    /// listener that does not run.
    /// </summary>
    private string TowardsHomeUri(SipTransportKind outgoing)
    {
        var transport = stack.Transport;
        if (outgoing != SipTransportKind.Tls)
        {
            return OwnUri(outgoing, transport.LocalPort(outgoing));
        }

        return transport.PeerTlsEndPoint is { } peer ? OwnUri(SipTransportKind.Tls, peer.Port)
            : transport.EndPoint(SipTransportKind.Tls) is { } tls ? OwnUri(SipTransportKind.Tls, tls.Port)
            : OwnUri(SipTransportKind.Tcp, transport.LocalPort(SipTransportKind.Tcp));
    }

    private string OwnUri(SipTransportKind transport, int port)
        => $"<sip:{stack.Transport.LocalHost(transport)}:{port};transport={transport.ViaToken().ToLowerInvariant()};lr>";

    private void PopOwnRoutes(SipRequest request)
    {
        while (request.Headers.Contains(SipHeaderNames.Route) && IsOwn(request.Headers.GetValues(SipHeaderNames.Route)[0]))
        {
            request.Headers.RemoveFirstValue(SipHeaderNames.Route);
        }
    }

    private bool IsOwn(string route)
    {
        if (!NameAddress.TryParse(route, out var address))
        {
            return false;
        }

        var transport = stack.Transport;
        var uri = address.Uri;
        return string.Equals(uri.Host, transport.LocalHost(SipTransportKind.Tcp), StringComparison.OrdinalIgnoreCase)
               && uri.Port is { } port
               && (port == transport.LocalPort(SipTransportKind.Tcp) || port == transport.LocalPort(SipTransportKind.Udp)
                   || port == transport.LocalPort(SipTransportKind.Tls) || port == transport.PeerTlsEndPoint?.Port);
    }

    private async ValueTask<SipDestination?> NextHopAsync(SipRequest request, CancellationToken cancellationToken)
    {
        var target = request.Headers.Contains(SipHeaderNames.Route) && NameAddress.TryParse(request.Headers.GetValues(SipHeaderNames.Route)[0], out var route)
            ? route.Uri
            : request.RequestUri;
        return await outbound.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
    }
}
