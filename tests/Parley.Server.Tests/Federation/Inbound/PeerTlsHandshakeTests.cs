using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management.Documents;
using Parley.Server.Security;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>
/// TLS peer authentication with real handshakes on 127.0.0.1: the peer-auth listener of a transport host configured by
/// <see cref="PeerTlsOptions"/>, and outbound TLS to a static route's next hop. Each failed check has its own event.
/// </summary>
public sealed class PeerTlsHandshakeTests : IAsyncLifetime
{
    private const string PeerName = "lync.partner.example";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();
    private readonly PeerCertificates _trusted = new("trusted-peers");
    private readonly PeerCertificates _other = new("someone-else");
    private readonly RecordingEventLog _events = new();
    private readonly RecordingHandler _received = new();
    private readonly FixedDeploymentSettings _settings = new(new DeploymentConfiguration
    {
        Federation = new FederationOptions { Enabled = true },
        TlsPeerSubjects = [new TlsPeerSubject("LYNC.partner.example"), new TlsPeerSubject("ocs.partner.example")],
        StaticRoutes = [new StaticRoute(".example.partner.*", PeerName, 5061)],
    });

    private X509Certificate2 _node = null!;
    private PeerTlsOptions _peerTls = null!;
    private SipTransportHost _parley = null!;

    public Task InitializeAsync()
    {
        _node = _trusted.Issue("parley.example.com");
        var context = new ServerTlsContext();
        context.Use(new NodeCertificate(_node, [], NodeCertificateOrigin.Configured, "node.pem", null));
        var anchors = new PeerTrustAnchors(new SipServerOptions { TrustedPeerCaPath = _trusted.WriteCa(_temp.Combine("peer-ca.pem")) },
            new ParleyStoreOptions { DataDirectory = _temp.Path }, _events);
        var throttle = new SourceEventThrottle(_events, new SipServerOptions(), TimeProvider.System);
        var policy = new PeerCertificatePolicy(anchors, _settings, throttle, TimeProvider.System, NullLogger<PeerCertificatePolicy>.Instance);
        _peerTls = new PeerTlsOptions(policy, context, _settings);
        _parley = new SipTransportHost(new SipTransportHostOptions
        {
            PeerTls = new IPEndPoint(IPAddress.Loopback, 0),
            PeerTlsServer = _peerTls.ForPeerClient,
            TlsClient = _peerTls.ForDestination,
        }, TimeProvider.System, NullLogger<SipTransportHost>.Instance);
        _parley.Start(_received);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _parley.DisposeAsync();
        _trusted.Dispose();
        _other.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_peer_with_a_listed_cn_both_usages_and_a_trusted_ca_is_accepted_as_peer_authenticated()
    {
        await ConnectAndSendAsync(_trusted.Issue(PeerName)); // the list has LYNC.partner.example: CN compared without case

        var (_, source) = await _received.NextAsync();
        Assert.True(source.IsPeerAuthenticated);
        Assert.Empty(_events.Raised);
    }

    [Fact]
    public async Task A_node_of_the_topology_is_a_peer_by_its_cn_without_a_peer_subject_entry()
    {
        _settings.Configuration = _settings.Configuration with
        {
            Topology = new Topology { Nodes = [new TopologyNode { Fqdn = "routing1.example.com", Ip = "127.0.0.2", Pool = "pool.example.com" }] },
        };
        await _settings.RefreshAsync(CancellationToken.None);

        await ConnectAndSendAsync(_trusted.Issue("ROUTING1.example.com"));

        var (_, source) = await _received.NextAsync();
        Assert.True(source.IsPeerAuthenticated);
        Assert.Empty(_events.Raised);
    }

    [Fact]
    public async Task A_cn_not_in_the_subject_list_is_rejected_naming_the_cn_and_the_list_even_when_a_san_matches()
    {
        await ConnectAndSendAsync(_trusted.Issue("intruder.partner.example", dnsName: PeerName));

        var message = await RejectedWithAsync(ParleyEvents.Federation.PeerSubjectNotAllowed);
        Assert.Contains("'intruder.partner.example'", message, StringComparison.Ordinal);
        Assert.Contains("LYNC.partner.example, ocs.partner.example", message, StringComparison.Ordinal);
        Assert.Contains("peer-auth listener", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_with_server_auth_only_is_rejected_naming_the_usages_present()
    {
        await ConnectAndSendAsync(_trusted.Issue(PeerName, usages: [PrivateCertificateAuthority.ServerAuth]));

        var message = await RejectedWithAsync(ParleyEvents.Federation.PeerCertificateUsage);
        Assert.Contains("1.3.6.1.5.5.7.3.1", message, StringComparison.Ordinal);
        Assert.DoesNotContain("1.3.6.1.5.5.7.3.2", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_is_rejected_naming_its_validity_window()
    {
        var expiredAt = DateTimeOffset.UtcNow.AddDays(-1);
        await ConnectAndSendAsync(_trusted.Issue(PeerName, notBefore: expiredAt.AddDays(-30), notAfter: expiredAt));

        var message = await RejectedWithAsync(ParleyEvents.Federation.PeerCertificateOutOfDate);
        Assert.Contains(expiredAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_rejected_naming_its_issuer_and_the_trusted_ca()
    {
        await ConnectAndSendAsync(_other.Issue(PeerName));

        var message = await RejectedWithAsync(ParleyEvents.Federation.PeerCertificateUntrusted);
        Assert.Contains("someone-else", message, StringComparison.Ordinal);
        Assert.Contains("trusted-peers", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_rejected()
    {
        await ConnectAndSendAsync(null);

        await RejectedWithAsync(ParleyEvents.Federation.PeerCertificateMissing);
    }

    [Fact]
    public async Task Outbound_tls_to_a_static_route_next_hop_presents_the_node_certificate_and_accepts_a_good_peer()
    {
        await using var peer = new PeerServer(_trusted.Issue(PeerName));

        await _parley.SendAsync(Request(), new SipDestination(SipTransportKind.Tls, peer.EndPoint, PeerName), default);

        var (_, source) = await peer.Received.NextAsync();
        Assert.Equal(_node.Thumbprint, source.PeerCertificate?.Thumbprint);
        Assert.Empty(_events.Raised);
    }

    [Fact]
    public async Task Outbound_tls_to_a_peer_whose_cn_is_not_listed_fails_with_the_subject_event()
    {
        await using var peer = new PeerServer(_trusted.Issue("other.partner.example", dnsName: PeerName));

        await Assert.ThrowsAsync<SipTransportException>(async () =>
            await _parley.SendAsync(Request(), new SipDestination(SipTransportKind.Tls, peer.EndPoint, PeerName), default));

        var (definition, args) = Assert.Single(_events.Raised);
        Assert.Same(ParleyEvents.Federation.PeerSubjectNotAllowed, definition);
        Assert.StartsWith("server ", (string)args[0]!, StringComparison.Ordinal);
    }

    private async Task<string> RejectedWithAsync(EventDefinition expected)
    {
        await Task.Delay(300);
        Assert.True(_received.IsEmpty, "a rejected peer's request reached the SIP layer");
        var (definition, args) = Assert.Single(_events.Raised);
        Assert.Same(expected, definition);
        return EventTemplate.Format(definition.MessageTemplate, args);
    }

    /// <summary>Handshakes with the peer-auth listener presenting <paramref name="certificate"/> and sends one request; a refused handshake is not an error here.</summary>
    private async Task ConnectAndSendAsync(X509Certificate2? certificate)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_parley.PeerTlsEndPoint!);
        await using var ssl = new SslStream(new NetworkStream(socket), false);
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "parley.example.com",
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, timeout.Token);
            await ssl.WriteAsync(SipMessageWriter.ToBytes(Request()), timeout.Token);
            await ssl.FlushAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // With TLS 1.3 the server's refusal may only show after the client's side of the handshake.
        }
    }

    private static SipRequest Request()
    {
        var request = SipRequest.Create(SipMethods.Options, SipUri.Parse("sip:parley.example.com"));
        request.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK{Guid.NewGuid():N}");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "<sip:bob@partner.example>;tag=1");
        request.Headers.Add(SipHeaderNames.To, "<sip:parley.example.com>");
        request.Headers.Add(SipHeaderNames.CallId, Guid.NewGuid().ToString("N"));
        request.Headers.Add(SipHeaderNames.CSeq, "1 OPTIONS");
        return request;
    }

    /// <summary>The peer's SIP server: TLS with its certificate, asking for (and accepting any) client certificate.</summary>
    private sealed class PeerServer : IAsyncDisposable
    {
        private readonly SipTransportHost _host;

        public PeerServer(X509Certificate2 certificate)
        {
            _host = new SipTransportHost(new SipTransportHostOptions
            {
                Tls = new IPEndPoint(IPAddress.Loopback, 0),
                TlsServer = new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                },
            }, TimeProvider.System, NullLogger<SipTransportHost>.Instance);
            _host.Start(Received);
        }

        public RecordingHandler Received { get; } = new();

        public IPEndPoint EndPoint => _host.EndPoint(SipTransportKind.Tls)!;

        public ValueTask DisposeAsync() => _host.DisposeAsync();
    }

    /// <summary>Keeps what arrives; answers nothing.</summary>
    private sealed class RecordingHandler : ISipMessageHandler
    {
        private readonly ConcurrentQueue<(SipMessage, SipSource)> _messages = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public bool IsEmpty => _messages.IsEmpty;

        public ValueTask OnMessageAsync(SipMessage message, SipSource source, CancellationToken ct)
        {
            _messages.Enqueue((message, source));
            _arrived.Release();
            return ValueTask.CompletedTask;
        }

        public void OnMalformed(SipParseException error, SipSource source)
        {
        }

        public async Task<(SipMessage Message, SipSource Source)> NextAsync()
        {
            Assert.True(await _arrived.WaitAsync(Patience), "nothing arrived");
            Assert.True(_messages.TryDequeue(out var next));
            return next;
        }
    }
}
