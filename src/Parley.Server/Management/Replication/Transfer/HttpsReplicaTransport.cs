using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// HTTPS with mutual TLS to one node's replica agent at its topology address. The master presents its node
/// certificate and accepts the node's only when it chains to the deployment CA and names the node's FQDN from the
/// topology (not the address dialled): a mismatch is 1015 with both names.
/// </summary>
public sealed class HttpsReplicaTransport : IReplicaTransport
{
    private readonly string _fqdn;
    private readonly DeploymentTrust _trust;
    private readonly HttpClient _client;
    private readonly Uri _baseAddress;

    // The last handshake's refusal, read right after the request failed; one request at a time per node.
    private volatile TransferException? _certificateFault;

    public HttpsReplicaTransport(string fqdn, IPAddress address, int port, SslStreamCertificateContext clientCertificate, DeploymentTrust trust, TransferOptions options)
    {
        _fqdn = fqdn;
        _trust = trust;
        Address = new IPEndPoint(address, port).ToString();
        _baseAddress = new Uri($"https://{Address}");
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = options.StatusPollInterval * 2,
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = fqdn,
                ClientCertificateContext = clientCertificate,
                RemoteCertificateValidationCallback = ValidateServer,
            },
        };
        _client = new HttpClient(handler) { Timeout = options.RequestTimeout };
    }

    public string Address { get; }

    public async Task<ReplicaStatusReport> PushAsync(SignedSnapshot snapshot, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(snapshot.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(ReplicaAgentProtocol.SnapshotMediaType);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_baseAddress, ReplicaAgentProtocol.SnapshotPath)) { Content = content };
        return await SendAsync(request, snapshot.Revision, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ReplicaStatusReport> StatusAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, ReplicaAgentProtocol.StatusPath));
        return await SendAsync(request, null, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    private async Task<ReplicaStatusReport> SendAsync(HttpRequestMessage request, long? revision, CancellationToken cancellationToken)
    {
        _certificateFault = null;
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw _certificateFault ?? Unreachable(Reason(e), e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable($"no answer within {_client.Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            return await ReadAsync(response, revision, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReplicaStatusReport> ReadAsync(HttpResponseMessage response, long? revision, CancellationToken cancellationToken)
    {
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return await response.Content.ReadFromJsonAsync<ReplicaStatusReport>(ReplicaAgentProtocol.Json, cancellationToken).ConfigureAwait(false)
                        ?? throw Protocol("200", "empty status report");
                case HttpStatusCode.UnprocessableEntity:
                    var rejection = await response.Content.ReadFromJsonAsync<SnapshotRejectionBody>(ReplicaAgentProtocol.Json, cancellationToken).ConfigureAwait(false)
                        ?? throw Protocol("422", "empty body");
                    throw new TransferException(TransferFaultKind.SnapshotRejected, $"{_fqdn} rejected the snapshot: {rejection.Reason}: {rejection.Detail}",
                        [_fqdn, revision, rejection.Reason, rejection.Detail]);
                case HttpStatusCode.InsufficientStorage:
                    var denied = await response.Content.ReadFromJsonAsync<StoreAccessDeniedBody>(ReplicaAgentProtocol.Json, cancellationToken).ConfigureAwait(false)
                        ?? throw Protocol("507", "empty body");
                    throw new TransferException(TransferFaultKind.StoreAccessDenied, $"{_fqdn}: access denied on {denied.Path} for {denied.Account} ({denied.MissingPermission})",
                        [denied.Path, denied.Account, denied.MissingPermission, $"reported by {_fqdn} to the file transfer agent (HTTP 507)"]);
                case HttpStatusCode.Forbidden:
                    var refused = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new TransferException(TransferFaultKind.SenderRefused, $"{_fqdn} refused this master: {refused}", [_fqdn, Address, refused]);
                default:
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw Protocol($"HTTP {(int)response.StatusCode}", body.Length > 300 ? body[..300] : body);
            }
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Protocol($"HTTP {(int)response.StatusCode}", $"unreadable body: {e.Message}");
        }
    }

    private bool ValidateServer(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
    {
        if (presented is null)
        {
            _certificateFault = Unreachable("the replica agent presented no certificate", null);
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        if (_trust.ChainProblem(certificate) is { } problem)
        {
            _certificateFault = new TransferException(TransferFaultKind.CertificateUntrusted, $"{_fqdn} presented {certificate.Subject}: {problem}",
                [_fqdn, Address, DeploymentTrust.Describe(certificate), certificate.Issuer, problem]);
            return false;
        }

        // The name the topology gives the node, not the address dialled nor .NET's own name check (which uses TargetHost/SNI rules).
        if (!DeploymentTrust.Names(certificate, _fqdn))
        {
            _certificateFault = new TransferException(TransferFaultKind.CertificateMismatch,
                $"Unable to match host/cluster against certificate, host={_fqdn}, subject={certificate.Subject}, SANs={string.Join(", ", DeploymentTrust.DnsNames(certificate))}",
                [_fqdn, certificate.Subject, string.Join(", ", DeploymentTrust.DnsNames(certificate)), Address]);
            return false;
        }

        return true;
    }

    private TransferException Unreachable(string reason, Exception? inner)
        => new(TransferFaultKind.Unreachable, $"{_fqdn} ({Address}): {reason}", [_fqdn, Address, reason], inner);

    private TransferException Protocol(string status, string detail)
        => new(TransferFaultKind.ProtocolError, $"{_fqdn}: {status}: {detail}", [_fqdn, status, detail]);

    private static string Reason(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused (replica agent not running or another port)",
                        SocketError.TimedOut => "connection timed out (firewall or routing)",
                        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "no route to host",
                        _ => socket.Message,
                    };
                case AuthenticationException auth:
                    return $"TLS handshake failed: {auth.Message} (the replica agent may refuse this master's client certificate)";
                case TimeoutException:
                    return "connection timed out (firewall or routing)";
            }
        }

        return e.HttpRequestError == HttpRequestError.ConnectionError ? $"connection failed: {e.Message}" : e.Message;
    }
}
