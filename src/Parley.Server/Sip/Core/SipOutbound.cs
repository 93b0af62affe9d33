using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Sip.Registrar;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Sip.Core;

/// <summary>
/// Requests Parley originates (MESSAGE to a registered contact, NOTIFY to a watcher, BYE ending an IM session): built
/// with fresh From tag, Call-ID and CSeq, sent through the transaction layer (which adds the Via and runs the
/// timers), with an event naming the destination when it times out (408) or cannot be sent.
/// </summary>
public sealed class SipOutbound(SipStack stack, SipServerOptions options, RandomTokens tokens, IEventLog events, ILogger<SipOutbound> logger)
{
    private const int DefaultMaxForwards = 70;

    /// <summary>
    /// Sends <paramref name="request"/> and returns its final response. Never throws for network failures: a timeout is
    /// a 408 and a transport failure a 503 (both also raised as events); cancellation throws.
    /// </summary>
    public async Task<SipResponse> SendAsync(SipRequest request, SipDestination destination, CancellationToken cancellationToken)
    {
        request.MaxForwards ??= DefaultMaxForwards;
        if (!request.Headers.Contains(SipHeaderNames.UserAgent))
        {
            request.Headers.Add(SipHeaderNames.UserAgent, options.ProductToken);
        }

        SipResponse response;
        try
        {
            response = await stack.Transactions.SendRequestAsync(request, destination, null, cancellationToken).ConfigureAwait(false);
        }
        catch (SipTransportException ex)
        {
            RaiseTransportError(destination, request.Method, ex);
            return SipResponse.CreateFor(request, SipStatusCodes.ServiceUnavailable, "Transport Error");
        }

        switch (response.StatusCode)
        {
            case SipStatusCodes.RequestTimeout when response.IsSynthesized:
                events.Raise(ParleyEvents.Sip.RequestTimeout, Describe(destination), request.Method, request.RequestUri.ToString());
                break;
            case SipStatusCodes.ServiceUnavailable when response.IsSynthesized:
                RaiseTransportError(destination, request.Method, response.TransportFailure);
                break;
        }

        return response;
    }

    /// <summary>
    /// Event 3507 for a request that could not be sent, with the cause, unless the transport raised it already (a
    /// refused or failed connect is reported where it happens): one failure, one event.
    /// </summary>
    private void RaiseTransportError(SipDestination destination, string method, Exception? failure)
    {
        if (failure is SipTransportException { ReportedToObserver: true })
        {
            return;
        }

        events.Raise(ParleyEvents.Sip.TransportError, Describe(destination), method, failure?.Message ?? "the transport failed");
    }

    /// <summary>
    /// Where a request to a registered contact goes (RFC 3261 §16.6 step 6: to the Contact URI). Over TCP/TLS the
    /// connection the REGISTER came on is reused while it is open, because a client behind NAT can be reached on nothing
    /// else (RFC 5626 §5.3); otherwise the Contact is resolved and connected to. Over UDP the Contact's address is used;
    /// the REGISTER's source only when the Contact is unusable (not a SIP URI, does not resolve, or names a transport
    /// this node does not run). Null when there is no way to reach it.
    /// </summary>
    public async ValueTask<SipDestination?> ResolveBindingAsync(Binding binding, CancellationToken cancellationToken)
    {
        var flow = binding.Flow;
        if (flow.Transport != SipTransportKind.Udp && flow.Connection is { IsOpen: true } connection && Runs(flow.Transport))
        {
            return new SipDestination(flow.Transport, connection.Remote);
        }

        if (binding.Contact.Scheme is "sip" or "sips" && await ResolveAsync(binding.Contact, cancellationToken).ConfigureAwait(false) is { } contact
            && Runs(contact.Transport))
        {
            return contact;
        }

        // A UDP client's source address is where its REGISTER came from and it listens there in practice (symmetric
        // signalling, RFC 3581); a closed stream connection's source port is an ephemeral one nobody listens on.
        return flow.Transport == SipTransportKind.Udp && Runs(SipTransportKind.Udp) ? new SipDestination(SipTransportKind.Udp, flow.Remote) : null;
    }

    /// <summary>
    /// Where to send a request for <paramref name="target"/> (RFC 3263 without NAPTR/SRV): transport from sips or the
    /// transport parameter (UDP by default), port from the URI or the transport's default, address from A/AAAA.
    /// Null (with an event) when the name does not resolve.
    /// </summary>
    public async Task<SipDestination?> ResolveAsync(SipUri target, CancellationToken cancellationToken)
    {
        var transport = target.Scheme == "sips" ? SipTransportKind.Tls : target.Transport?.ToLowerInvariant() switch
        {
            "tcp" => SipTransportKind.Tcp,
            "tls" => SipTransportKind.Tls,
            _ => SipTransportKind.Udp,
        };
        var port = target.Port ?? transport.DefaultPort();
        if (IPAddress.TryParse(target.Host, out var literal))
        {
            return new SipDestination(transport, new IPEndPoint(literal, port));
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host, cancellationToken).ConfigureAwait(false);
            // IPv4 first: most SIP devices and NATs handle it better; IPv6 only when the name has nothing else.
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (address is not null)
            {
                return new SipDestination(transport, new IPEndPoint(address, port), target.Host);
            }

            SipLog.ResolveFailed(logger, target.Host, null);
        }
        catch (SocketException ex)
        {
            SipLog.ResolveFailed(logger, target.Host, ex);
        }

        events.Raise(ParleyEvents.Sip.TransportError, target.Host, "request", "the name does not resolve to an address (DNS A/AAAA)");
        return null;
    }

    /// <summary>
    /// A new out-of-dialog request: Request-URI, From (with a fresh tag), To, a new Call-ID, CSeq 1, Max-Forwards 70.
    /// The caller adds the body; the transaction layer adds the Via.
    /// </summary>
    public SipRequest CreateRequest(string method, SipUri requestUri, NameAddress from, NameAddress to)
    {
        var request = SipRequest.Create(method, requestUri);
        // The header values are written straight from the caller's addresses (a tag is a header parameter, so it can be
        // appended to the name-addr text): no copies of them for every relayed MESSAGE.
        request.Headers.Set(SipHeaderNames.From, from.Tag is null ? string.Concat(from.ToString(), ";tag=", tokens.NewTag()) : from.ToString());
        request.Headers.Set(SipHeaderNames.To, to.ToString());
        request.CallId = SipIdentifiers.NewCallId(stack.IsRunning ? stack.Transport.LocalHost(SipTransportKind.Udp) : "parley", tokens);
        request.CSeq = new CSeqHeader(1, request.Method);
        request.MaxForwards = DefaultMaxForwards;
        return request;
    }

    /// <summary>A Contact for requests and responses that open a dialog: this node's address on the transport in use.</summary>
    public NameAddress LocalContact(SipTransportKind transport)
    {
        var host = stack.Transport.LocalHost(transport);
        var uri = new SipUri(transport == SipTransportKind.Tls ? "sips" : "sip", null, host, stack.Transport.LocalPort(transport));
        if (transport == SipTransportKind.Tcp)
        {
            uri.Parameters.Set("transport", "tcp");
        }

        return new NameAddress(uri);
    }

    /// <summary>
    /// The Contact for a dialog on a flow whose local end is <paramref name="local"/>: the peer-auth listener when the
    /// flow came in on it (a federation peer or the routing node reaches no other TLS port of ours with its
    /// certificate), else <see cref="LocalContact(SipTransportKind)"/>.
    /// </summary>
    public NameAddress LocalContact(SipTransportKind transport, IPEndPoint? local)
        => transport == SipTransportKind.Tls && local is not null && stack.Transport.PeerTlsEndPoint is { } peer && peer.Port == local.Port
            ? PeerAuthContact(peer)
            : LocalContact(transport);

    /// <summary>The Contact for a dialog Parley opens with the federation peer: over TLS, the peer-auth listener when it runs.</summary>
    public NameAddress PeerContact(SipTransportKind transport)
        => transport == SipTransportKind.Tls && stack.Transport.PeerTlsEndPoint is { } peer ? PeerAuthContact(peer) : LocalContact(transport);

    private NameAddress PeerAuthContact(IPEndPoint peer) => new(new SipUri("sips", null, stack.Transport.LocalHost(SipTransportKind.Tls), peer.Port));

    private bool Runs(SipTransportKind transport) => stack.Transport.EndPoint(transport) is not null;

    private static string Describe(SipDestination destination)
        => string.Create(CultureInfo.InvariantCulture, $"{destination.Transport.ViaToken()} {destination.EndPoint}{(destination.Host is { } host ? $" ({host})" : string.Empty)}");
}
