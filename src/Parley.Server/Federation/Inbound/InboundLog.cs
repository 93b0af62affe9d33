using Microsoft.Extensions.Logging;

namespace Parley.Server.Federation.Inbound;

/// <summary>Log messages of inbound federation (log event IDs 5400–5449; the event catalogue uses 3600–3629).</summary>
internal static partial class InboundLog
{
    [LoggerMessage(5400, LogLevel.Debug, "SIP {Method} from the federation peer {Source} taken as {User}")]
    public static partial void PeerRequest(ILogger logger, string method, string source, string user);

    [LoggerMessage(5401, LogLevel.Information, "Loop rejected: {RequestUri} from the federation peer {Source} is no user here (404); {Total} rejected since start")]
    public static partial void LoopRejected(ILogger logger, string requestUri, string source, long total);

    [LoggerMessage(5402, LogLevel.Debug, "TLS peer {Peer} accepted: certificate CN {Subject}")]
    public static partial void PeerCertificateAccepted(ILogger logger, string peer, string subject);

    [LoggerMessage(5403, LogLevel.Warning, "TLS peer {Peer} rejected: {Reason}")]
    public static partial void PeerCertificateRejected(ILogger logger, string peer, string reason);

    [LoggerMessage(5404, LogLevel.Error, "Binding the peer-auth TLS listener on {EndPoint} failed")]
    public static partial void PeerListenerFailed(ILogger logger, string endPoint, Exception error);
}
