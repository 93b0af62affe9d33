using System.Net;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// Lets the server turn transport happenings into its own events; the library itself only logs and counts. Every
/// method is called on a transport thread and must return quickly.
/// </summary>
public interface ISipTransportObserver
{
    /// <summary>A source sent something unparseable or over a limit.</summary>
    void OnMalformed(SipParseException error, SipSource source)
    {
    }

    /// <summary>A stream connection closed (whatever the reason).</summary>
    void OnConnectionClosed(ISipConnection connection, SipConnectionCloseReason reason)
    {
    }

    /// <summary>A UDP source went over its rate and its datagrams are being dropped; called once per episode.</summary>
    void OnSourceThrottled(IPEndPoint source)
    {
    }

    /// <summary>A socket failed outside any one connection (listener, UDP send).</summary>
    void OnTransportError(SipTransportKind transport, IPEndPoint? remote, Exception error)
    {
    }
}

/// <summary>The observer used when the caller supplies none.</summary>
public sealed class NullSipTransportObserver : ISipTransportObserver
{
}
