using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// The replica replicator agent's HTTPS listener (every node; <c>listeners.replicaAgent</c>, default 4443). Requires a
/// client certificate chaining to the deployment CA whose subject CN or DNS SAN is the master this node expects;
/// anything else gets 403 and event 1024. <c>PUT /replication/v1/snapshot</c> applies a snapshot,
/// <c>GET /replication/v1/status</c> reports what is held. Both count as contact with the master.
/// </summary>
public sealed class ReplicaAgentListener(
    IPAddress bindAddress,
    int port,
    ServerTlsContext tls,
    DeploymentTrust trust,
    CmsMasterLocator master,
    IReplicaApplier applier,
    IEventLog events,
    TimeProvider time,
    ILogger<ReplicaAgentListener> logger) : IAsyncDisposable
{
    private WebApplication? _app;

    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Starts listening. Throws IOException (port in use, …) for the caller to explain.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The certificate is required at the handshake but judged per request, so a refusal is a 403 with a reason and
        // an event instead of a bare handshake failure the sender cannot explain.
        var app = HttpsEndpoint.Build(new IPEndPoint(bindAddress, port), ReplicaAgentProtocol.MaxSnapshotBytes, maxConnections: 16,
            () => new SslServerAuthenticationOptions
            {
                ServerCertificateContext = tls.Current,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
        app.Use(AuthoriseAsync);
        app.MapPut(ReplicaAgentProtocol.SnapshotPath, (Delegate)ApplyAsync);
        app.MapGet(ReplicaAgentProtocol.StatusPath, () => Results.Json(applier.Status, ReplicaAgentProtocol.Json));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        EndPoint = new IPEndPoint(bindAddress, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task AuthoriseAsync(HttpContext context, RequestDelegate next)
    {
        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var expected = master.Current;
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false);
        var refusal = certificate is null
            ? "no client certificate"
            : trust.ChainProblem(certificate) is { } problem
                ? problem
                : DeploymentTrust.Names(certificate, expected) ? null : $"the certificate does not name {expected}";
        if (refusal is not null)
        {
            events.Raise(ParleyEvents.Management.ReplicaAgentSenderRefused, remote, certificate is null ? "no certificate" : DeploymentTrust.Describe(certificate), expected, refusal);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new SenderRefusedBody($"Only the CMS master {expected} may replicate to this node: {refusal}.", expected),
                ReplicaAgentProtocol.Json, context.RequestAborted).ConfigureAwait(false);
            TransferLog.AgentRequest(logger, context.Request.Method, context.Request.Path, remote, 403);
            return;
        }

        applier.RecordMasterContact(time.GetUtcNow());
        await next(context).ConfigureAwait(false);
        TransferLog.AgentRequest(logger, context.Request.Method, context.Request.Path, remote, context.Response.StatusCode);
    }

    private async Task<IResult> ApplyAsync(HttpContext context)
    {
        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            events.Raise(ParleyEvents.Management.ReplicaAgentRequestRejected, remote, $"snapshot over {ReplicaAgentProtocol.MaxSnapshotBytes} bytes", e.Message);
            return Results.Json(new SnapshotRejectionBody(SnapshotRejection.Truncated, $"larger than {ReplicaAgentProtocol.MaxSnapshotBytes} bytes"),
                ReplicaAgentProtocol.Json, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var sender = context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? remote;
        try
        {
            var report = await applier.ApplyAsync(body, sender, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(report, ReplicaAgentProtocol.Json);
        }
        catch (SnapshotRejectedException e)
        {
            return Results.Json(new SnapshotRejectionBody(e.Reason, e.Detail), ReplicaAgentProtocol.Json, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (ReplicaStoreAccessDeniedException e)
        {
            return Results.Json(new StoreAccessDeniedBody(e.Path, e.Account, e.MissingPermission), ReplicaAgentProtocol.Json, statusCode: StatusCodes.Status507InsufficientStorage);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var capacity = request.ContentLength is { } length and <= ReplicaAgentProtocol.MaxSnapshotBytes ? (int)length : 64 * 1024;
        using var buffer = new MemoryStream(capacity);
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
