using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

public sealed class TlsTransportTests : IDisposable
{
    private readonly X509Certificate2 _server = Certificate("CN=sip.example.com", "sip.example.com");
    private readonly X509Certificate2 _client = Certificate("CN=alice.example.com", null);

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task A_tls_client_is_answered_and_its_source_is_secure()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Tls = new IPEndPoint(IPAddress.Loopback, 0);
            o.TlsServer = new SslServerAuthenticationOptions { ServerCertificate = _server };
        });
        using var socket = await TransportFixture.ConnectAsync(f.Host.EndPoint(SipTransportKind.Tls)!);
        await using var ssl = new SslStream(new NetworkStream(socket), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "sip.example.com" });

        await ssl.WriteAsync(Bytes.Of(TransportFixture.Request("TLS", 1)));

        var response = Assert.IsType<SipResponse>(await TransportFixture.ReadMessageAsync(PipeReader.Create(ssl)));
        Assert.Equal(200, response.StatusCode);
        var (_, source) = Assert.Single(f.Handler.Received);
        Assert.True(source.IsSecure);
        Assert.Equal(SipTransportKind.Tls, source.Transport);
        Assert.Null(source.PeerCertificate);
    }

    [Fact]
    public async Task Mutual_tls_exposes_the_peer_certificate_on_the_source()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Tls = new IPEndPoint(IPAddress.Loopback, 0);
            o.TlsServer = new SslServerAuthenticationOptions
            {
                ServerCertificate = _server,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            };
        });
        using var socket = await TransportFixture.ConnectAsync(f.Host.EndPoint(SipTransportKind.Tls)!);
        await using var ssl = new SslStream(new NetworkStream(socket), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "sip.example.com",
            ClientCertificates = [_client],
        });

        await ssl.WriteAsync(Bytes.Of(TransportFixture.Request("TLS", 1)));

        await TransportFixture.ReadMessageAsync(PipeReader.Create(ssl));
        var (_, source) = Assert.Single(f.Handler.Received);
        Assert.Equal(_client.Thumbprint, source.PeerCertificate?.Thumbprint);
    }

    [Fact]
    public async Task Outbound_tls_connects_verifies_through_the_callback_and_is_reused()
    {
        await using var server = new TransportFixture(o =>
        {
            o.Tls = new IPEndPoint(IPAddress.Loopback, 0);
            o.TlsServer = new SslServerAuthenticationOptions { ServerCertificate = _server };
        });
        string? verifiedName = null;
        await using var client = new TransportFixture(o => o.TlsClient = destination => new SslClientAuthenticationOptions
        {
            TargetHost = destination.Host,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                verifiedName = (certificate as X509Certificate2)?.GetNameInfo(X509NameType.DnsName, false);
                return true;
            },
        });
        var destination = new SipDestination(SipTransportKind.Tls, server.Host.EndPoint(SipTransportKind.Tls)!, "sip.example.com");

        await client.Host.SendAsync(TcpTransportTests.Outgoing("tls-1"), destination, default);
        await client.Host.SendAsync(TcpTransportTests.Outgoing("tls-2"), destination, default);

        await TcpTransportTests.Eventually(() => client.Handler.Received.Count == 2);
        Assert.Equal("sip.example.com", verifiedName);
        Assert.Equal(1, client.Host.Counters.ConnectionsOpened);
        Assert.All(server.Handler.Received, r => Assert.True(r.Source.IsSecure));
    }

    [Fact]
    public async Task A_client_that_never_finishes_the_handshake_is_dropped()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Tls = new IPEndPoint(IPAddress.Loopback, 0);
            o.TlsServer = new SslServerAuthenticationOptions { ServerCertificate = _server };
            o.Limits.TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300);
        });
        using var socket = await TransportFixture.ConnectAsync(f.Host.EndPoint(SipTransportKind.Tls)!);

        await socket.SendAsync(Bytes.Of("\x16\x03\x01"), SocketFlags.None); // a TLS record header, then silence

        Assert.True(await TransportFixture.ClosedByServerAsync(socket, TransportFixture.Patience));
    }

    [Fact]
    public void A_tls_endpoint_without_a_certificate_is_refused_at_construction()
    {
        var options = new SipTransportHostOptions { Tls = new IPEndPoint(IPAddress.Loopback, 0) };

        Assert.Throws<ArgumentException>(() => new SipTransportHost(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SipTransportHost>.Instance));
    }

    private static X509Certificate2 Certificate(string subject, string? dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // A PKCS#12 round trip gives OpenSSL a certificate whose private key it can use for the handshake.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
