using Parley.Xmpp.Streams;

namespace Parley.Server.Xmpp;

/// <summary>Bounds and timeouts of the XMPP client service. Defaults are chosen for hostile networks.</summary>
public sealed record XmppServerOptions
{
    public XmppLimits Limits { get; init; } = new();

    /// <summary>From TCP accept to a bound resource: a client slower than this is cut (slowloris).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A stanza whose first byte has arrived must be complete within this time.</summary>
    public TimeSpan StanzaCompletionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Silence after which the server pings (XEP-0199/0198); twice this closes the stream.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A write the client does not take within this time marks the connection stuck; it is closed.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stream-managed session waits for resumption after its connection drops.</summary>
    public TimeSpan ResumptionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Unacknowledged stanzas kept per session; beyond it the session is closed (the peer does not ack).</summary>
    public int MaxUnackedStanzas { get; init; } = 5000;

    /// <summary>Outbound stanzas queued for one connection before it is considered stuck and closed (a reader that never reads).</summary>
    public int MaxQueuedStanzas { get; init; } = 10_000;

    /// <summary>Unacknowledged stanzas after which the server asks the client for an XEP-0198 ack.</summary>
    public int AckRequestThreshold { get; init; } = 5;

    public int MaxOfflineMessagesPerUser { get; init; } = 100;

    public int MaxResourcesPerUser { get; init; } = 10;

    public int MaxConnections { get; init; } = 50_000;

    /// <summary>SASL failures allowed on one stream before it is closed.</summary>
    public int MaxAuthFailuresPerStream { get; init; } = 3;

    /// <summary>Failures from one address within <see cref="AuthFailureWindow"/> that raise the repeated-failure event and slow answers.</summary>
    public int AuthFailuresBeforeThrottle { get; init; } = 10;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(5);

    public bool RequireTls { get; init; } = true;
}
