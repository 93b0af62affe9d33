namespace Parley.Sip.Transport;

/// <summary>Why a stream connection ended.</summary>
public enum SipConnectionCloseReason
{
    /// <summary>The peer closed or reset it.</summary>
    RemoteClosed,

    /// <summary>Nothing, not even a keep-alive, arrived within the idle timeout.</summary>
    Idle,

    /// <summary>A message started but did not complete in time (slowloris, half-sent request): the 408 of streams, reported not sent.</summary>
    IncompleteMessage,

    /// <summary>The peer sent something unparseable or over a limit; it was answered (when possible) and dropped.</summary>
    Malformed,

    /// <summary>The peer did not read what we sent: pending outbound bytes or a stalled write went over the limit.</summary>
    SlowReader,

    /// <summary>The TLS handshake failed or timed out.</summary>
    TlsHandshakeFailed,

    /// <summary>The connection limit was reached at accept.</summary>
    TooManyConnections,

    /// <summary>The transport host is stopping.</summary>
    Shutdown,

    /// <summary>A socket or I/O error.</summary>
    Error,
}
