using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Parley.Server.Security;

/// <summary>
/// A Kestrel HTTPS endpoint as Parley's small HTTP services want it (the admin API, the replica agent): no Server
/// header, no logging providers of its own, a body and connection limit, and TLS options chosen per connection so a
/// renewed node certificate is served without a restart.
/// </summary>
public static class HttpsEndpoint
{
    public static WebApplication Build(IPEndPoint endPoint, long maxRequestBodyBytes, int maxConnections, Func<SslServerAuthenticationOptions> tls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = maxConnections;
            kestrel.Listen(endPoint, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(tls()),
            }));
        });
        return builder.Build();
    }
}
