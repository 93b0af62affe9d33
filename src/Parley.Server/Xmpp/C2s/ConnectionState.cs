namespace Parley.Server.Xmpp.C2s;

/// <summary>Where a client stream is in RFC 6120 negotiation.</summary>
internal enum ConnectionState
{
    /// <summary>Waiting for the client's stream header (at the start, after STARTTLS, after SASL).</summary>
    AwaitingStreamHeader,

    /// <summary>Features sent; STARTTLS and SASL are possible.</summary>
    Negotiating,

    /// <summary>Inside a SCRAM exchange, waiting for the client's response.</summary>
    AwaitingSaslResponse,

    /// <summary>Authenticated on a restarted stream; bind or resume expected.</summary>
    Authenticated,

    /// <summary>A resource is bound; stanzas flow.</summary>
    Established,

    Closed,
}
