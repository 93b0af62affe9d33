using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

/// <summary>The second TLS listener for federation peers: mutual TLS, marked sources, bound and closed while running.</summary>
public sealed class PeerTlsListenerTests : IDisposable
{
    private readonly X509Certificate2 _server = SelfSigned("CN=parley.example.com");
    private readonly X509Certificate2 _peer = SelfSigned("CN=lync.partner.example");

    public void Dispose()
    {
        _server.Dispose();
        _peer.Dispose();
    }

    [Fact]
    public async Task Messages_on_the_peer_listener_are_marked_peer_authenticated_and_those_on_the_client_listener_are_not()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Tls = new IPEndPoint(IPAddress.Loopback, 0);
            o.TlsServer = new SslServerAuthenticationOptions { ServerCertificate = _server };
            o.PeerTls = new IPEndPoint(IPAddress.Loopback, 0);
            o.PeerTlsServer = _ => MutualTls(accept: true);
        });

        await SendOverTlsAsync(f.Host.PeerTlsEndPoint!, 1, _peer);
        await SendOverTlsAsync(f.Host.EndPoint(SipTransportKind.Tls)!, 2, null);

        var received = f.Handler.Received.ToArray();
        Assert.Equal(2, received.Length);
        var peer = Assert.Single(received, r => r.Message.CallId == "call-1@test").Source;
        Assert.True(peer.IsPeerAuthenticated);
        Assert.Equal(_peer.Thumbprint, peer.PeerCertificate?.Thumbprint);
        Assert.False(Assert.Single(received, r => r.Message.CallId == "call-2@test").Source.IsPeerAuthenticated);
    }

    [Fact]
    public async Task Without_a_client_tls_listener_tls_advertises_the_peer_listeners_port_not_the_default()
    {
        await using var f = new TransportFixture(o =>
        {
            o.PeerTls = new IPEndPoint(IPAddress.Loopback, 0);
            o.PeerTlsServer = _ => MutualTls(accept: true);
        });

        Assert.Null(f.Host.EndPoint(SipTransportKind.Tls));
        Assert.Equal(f.Host.PeerTlsEndPoint!.Port, f.Host.LocalPort(SipTransportKind.Tls));
    }

    [Fact]
    public async Task A_certificate_the_callback_refuses_fails_the_handshake_and_nothing_is_received()
    {
        IPEndPoint? seenRemote = null;
        await using var f = new TransportFixture(o =>
        {
            o.PeerTls = new IPEndPoint(IPAddress.Loopback, 0);
            o.PeerTlsServer = remote =>
            {
                seenRemote = remote;
                return MutualTls(accept: false);
            };
        });

        var failure = await Record.ExceptionAsync(() => SendOverTlsAsync(f.Host.PeerTlsEndPoint!, 1, _peer));

        Assert.True(failure is AuthenticationException or IOException, $"expected a failed handshake, got {failure?.GetType().Name ?? "none"}");
        Assert.Empty(f.Handler.Received);
        Assert.Equal(IPAddress.Loopback, seenRemote?.Address);
    }

    [Fact]
    public async Task The_peer_listener_can_be_bound_moved_and_closed_while_the_host_runs()
    {
        await using var f = new TransportFixture();
        Assert.Null(f.Host.PeerTlsEndPoint);

        var first = await f.Host.StartPeerTlsAsync(new IPEndPoint(IPAddress.Loopback, 0), _ => MutualTls(accept: true), default);
        await SendOverTlsAsync(first, 1, _peer);
        var second = await f.Host.StartPeerTlsAsync(new IPEndPoint(IPAddress.Loopback, 0), _ => MutualTls(accept: true), default);
        await SendOverTlsAsync(second, 2, _peer);

        Assert.Equal(second, f.Host.PeerTlsEndPoint);
        Assert.All(f.Handler.Received, r => Assert.True(r.Source.IsPeerAuthenticated));
        await Assert.ThrowsAnyAsync<SocketException>(() => TransportFixture.ConnectAsync(first));

        await f.Host.StopPeerTlsAsync();
        Assert.Null(f.Host.PeerTlsEndPoint);
        await Assert.ThrowsAnyAsync<SocketException>(() => TransportFixture.ConnectAsync(second));
    }

    [Fact]
    public void A_peer_endpoint_without_options_is_refused_at_construction()
    {
        var options = new SipTransportHostOptions { PeerTls = new IPEndPoint(IPAddress.Loopback, 0) };

        Assert.Throws<ArgumentException>(() => new SipTransportHost(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SipTransportHost>.Instance));
    }

    private SslServerAuthenticationOptions MutualTls(bool accept) => new()
    {
        ServerCertificate = _server,
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => accept && certificate is not null,
    };

    /// <summary>Connects, handshakes (presenting <paramref name="clientCertificate"/>), sends request <paramref name="n"/> and reads its answer.</summary>
    private static async Task SendOverTlsAsync(IPEndPoint endPoint, int n, X509Certificate2? clientCertificate)
    {
        using var socket = await TransportFixture.ConnectAsync(endPoint);
        await using var ssl = new SslStream(new NetworkStream(socket), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "parley.example.com",
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        });
        await ssl.WriteAsync(Bytes.Of(TransportFixture.Request("TLS", n)));
        Assert.IsType<SipResponse>(await TransportFixture.ReadMessageAsync(PipeReader.Create(ssl)));
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
