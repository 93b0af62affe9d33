using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using Parley.Server.Federation.Inbound;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Server.Sip.Messaging;
using Parley.Server.Sip.Presence;
using Parley.Server.Sip.Registrar;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Sip;

/// <summary>
/// Runs the SIP service of a node: loads the persisted registrations, binds UDP+TCP (<see cref="SipServerOptions.Port"/>)
/// and TLS (<see cref="SipServerOptions.TlsPort"/>, node certificate, server authentication only) and the federation peer-auth
/// TLS listener when the configuration names one for this node (<see cref="PeerAuthListener"/>), starts the transaction
/// layer with the <see cref="SipRequestDispatcher"/>, brings back the sessions of registered users and the SIP presence
/// server's subscriptions, and stops in order.
/// </summary>
public sealed class SipNode(
    SipServerOptions options,
    SipStack stack,
    SipRequestDispatcher dispatcher,
    LocationService locations,
    SipUserSessions sessions,
    SessionRegistry registry,
    ImSessions imSessions,
    SipPresenceService presence,
    IEnumerable<ISipNodeService> services,
    ServerTlsContext tls,
    PeerTlsOptions peerTls,
    PeerAuthListener peerListener,
    SipTransportEvents observer,
    RandomTokens tokens,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private SipTransportHost? _host;
    private TransactionLayer? _transactions;
    private int _stopped;

    /// <summary>The bound endpoint of a transport, or null when it is disabled (or not started).</summary>
    public IPEndPoint? EndPoint(SipTransportKind transport) => _host?.EndPoint(transport);

    /// <summary>Open TCP/TLS connections.</summary>
    public int ConnectionCount => _host?.ConnectionCount ?? 0;

    /// <summary>
    /// Starts listening on <paramref name="bindAddress"/>. Throws <see cref="System.Net.Sockets.SocketException"/> when a
    /// port is taken (nothing is left running then). <paramref name="advertisedHost"/> goes in Via and Contact.
    /// </summary>
    public async Task StartAsync(IPAddress bindAddress, string? advertisedHost, CancellationToken cancellationToken)
    {
        options.Validate();
        var registered = await locations.StartAsync(cancellationToken).ConfigureAwait(false);
        var hostOptions = new SipTransportHostOptions
        {
            Udp = options.Port == 0 ? null : new IPEndPoint(bindAddress, options.Port),
            Tcp = options.Port == 0 ? null : new IPEndPoint(bindAddress, options.Port),
            Tls = options.TlsPort == 0 ? null : new IPEndPoint(bindAddress, options.TlsPort),
            TlsServer = options.TlsPort == 0 ? null : new SslServerAuthenticationOptions { ServerCertificateContext = tls.Current, ClientCertificateRequired = false },
            TlsClient = peerTls.ForDestination,
            AdvertisedHost = advertisedHost ?? (bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any) ? null : bindAddress.ToString()),
            Limits = options.TransportLimits,
            ParserLimits = options.Limits,
        };
        var host = new SipTransportHost(hostOptions, time, loggerFactory.CreateLogger<SipTransportHost>(), observer);
        var transactions = new TransactionLayer(host, dispatcher, options.Timers, time, loggerFactory.CreateLogger<TransactionLayer>(), tokens);
        try
        {
            host.Start(transactions);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            await locations.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _host = host;
        _transactions = transactions;
        stack.Attach(host, transactions);
        await peerListener.StartAsync(bindAddress, cancellationToken).ConfigureAwait(false);
        await sessions.RestoreAsync(registered, cancellationToken).ConfigureAwait(false);
        await presence.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var service in services)
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops taking requests, lets the SIP user sessions finish their queued messages, ends IM sessions with BYE,
    /// closes the listeners and the expiry timer. Registrations stay stored: the sessions come back at the next start.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        dispatcher.Stop();
        CompleteSipUserSessions();
        if (_host is { } host)
        {
            foreach (var service in services)
            {
                await service.StopAsync().ConfigureAwait(false);
            }

            await presence.DisposeAsync().ConfigureAwait(false);
            await imSessions.DisposeAsync().ConfigureAwait(false);
            await peerListener.DisposeAsync().ConfigureAwait(false);
            await host.DisposeAsync().ConfigureAwait(false);
        }

        _transactions?.Dispose();
        await locations.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Each SIP user session's deliveries are tracked with the session terminations the XMPP listener waits for at
    /// shutdown, and they count as finished only once the session's transport is completed. Nothing else completes it while the user stays
    /// registered, so without this every stop after a REGISTER waited out the listener's whole 5 s deadline
    /// (`parley serve` then exited 143 on SIGTERM without "Parley stopped."). Completing the queues before the transport closes still sends what is queued (or stores
    /// it offline); messages routed to these sessions from now on go straight to offline storage.
    /// </summary>
    private void CompleteSipUserSessions()
    {
        foreach (var session in registry.AllSessions)
        {
            if (session.Transport is SipStanzaTransport transport)
            {
                transport.Complete();
            }
        }
    }
}
