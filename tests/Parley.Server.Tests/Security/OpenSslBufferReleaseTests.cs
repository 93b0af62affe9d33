using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Security;

namespace Parley.Server.Tests.Security;

/// <summary>
/// The memory target per session depends on OpenSSL releasing idle buffers, reached through .NET internals:
/// this fails loudly when a runtime update changes them, instead of memory quietly growing.
/// </summary>
public sealed class OpenSslBufferReleaseTests
{
    [Fact]
    public async Task Buffer_release_is_enabled_on_an_authenticated_server_stream()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx), null);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var client = new TcpClient();
        var connect = client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptTcpClientAsync();
        await connect;
        await using var server = new SslStream(accepted.GetStream());
        await using var clientTls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token));

        Assert.True(OpenSslBufferRelease.IsSupported, "SslStream no longer has the field that holds its OpenSSL handle.");
        Assert.True(OpenSslBufferRelease.TryEnable(server), "SSL_MODE_RELEASE_BUFFERS could not be set on the server stream.");
    }

    [Fact]
    public void An_unauthenticated_stream_is_left_alone()
    {
        using var stream = new MemoryStream();
        using var tls = new SslStream(stream);

        Assert.False(OpenSslBufferRelease.TryEnable(tls));
    }
}
