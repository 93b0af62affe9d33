using System.Net;
using System.Net.Security;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Management.Cms;
using Parley.Server.Security;
using Parley.Server.Sessions;

namespace Parley.Server.Admin;

/// <summary>
/// The admin REST API (HTTPS, bearer token): node status, the event store, and the CMS configuration documents
/// (read on any node; replaced with <c>PUT /api/v1/config/{name}</c> on the CMS master only).
/// </summary>
public sealed class AdminApi(NodeOptions node, AdminToken token, ServerTlsContext tls, IDeploymentSettings settings, ICmsStore cms, IEventLog events, SessionRegistry sessions, Func<int> connectionCount) : IAsyncDisposable
{
    private const int MaxEventsPerRequest = 1000;
    private const long MaxRequestBodyBytes = 64 * 1024;
    private static readonly string Version =
        typeof(AdminApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0";

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private WebApplication? _app;

    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Starts listening. Throws IOException (port in use, …) for the caller to explain.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var app = HttpsEndpoint.Build(new IPEndPoint(node.BindAddress, node.AdminPort), MaxRequestBodyBytes, maxConnections: 100,
            () => new SslServerAuthenticationOptions { ServerCertificateContext = tls.Current });
        app.Use(async (context, next) =>
        {
            if (!token.Accepts(context.Request.Headers.Authorization))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"parley-admin\"";
                await context.Response.WriteAsJsonAsync(new { error = $"Send 'Authorization: Bearer <token>' with the token from {token.FilePath}." }).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/api/v1/status", () => Results.Json(new
        {
            node = node.Fqdn,
            version = Version,
            roles = node.Roles.ToString(),
            domains = settings.Current.Domains.Order().ToArray(),
            configurationRevision = settings.Current.Revision,
            onlineUsers = sessions.UserCount,
            connections = connectionCount(),
            memory = new
            {
                workingSetBytes = Environment.WorkingSet,
                managedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                gcCommittedBytes = GC.GetGCMemoryInfo().TotalCommittedBytes,
            },
            // Counted since the process started; an operator (or the load benchmark) diffs two readings to see what
            // share of the time went to garbage collection.
            garbageCollection = new
            {
                gen0Collections = GC.CollectionCount(0),
                gen1Collections = GC.CollectionCount(1),
                gen2Collections = GC.CollectionCount(2),
                totalPauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
                allocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
            },
        }, Json));
        app.MapGet("/api/v1/events", async (int? id, DateTimeOffset? since, int? limit, CancellationToken ct) =>
        {
            var records = await events.QueryAsync(id, since, Math.Clamp(limit ?? 100, 1, MaxEventsPerRequest), ct).ConfigureAwait(false);
            return Results.Json(records, Json);
        });
        app.MapPost("/api/v1/diagnostics/collect-garbage", () =>
        {
            // For memory measurements (benchmarks, leak hunting): what stays after a full, compacting collection.
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return Results.Json(new { managedHeapBytes = GC.GetTotalMemory(forceFullCollection: false), workingSetBytes = Environment.WorkingSet }, Json);
        });
        new AdminConfigEndpoints(cms).Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        EndPoint = new IPEndPoint(node.BindAddress, node.AdminPort);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
