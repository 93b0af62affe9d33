using System.Net;
using Parley.Sip.Messages;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Registrar;

/// <summary>
/// The network path a registration came over (RFC 5626 "flow"). Requests to the contact reuse its open TCP/TLS
/// connection, since a client behind NAT can be reached on nothing else; otherwise they go to the Contact URI (RFC 3261
/// §16.6), and over UDP to this source address only when the Contact is unusable (see
/// <see cref="Core.SipOutbound.ResolveBindingAsync"/>). <see cref="Connection"/> is the live stream connection; it is
/// not persisted.
/// </summary>
public sealed record SipFlow(SipTransportKind Transport, IPEndPoint Remote, IPEndPoint Local, ISipConnection? Connection = null)
{
    public static SipFlow From(SipSource source) => new(source.Transport, source.Remote, source.Local, source.Connection);

    public override string ToString() => $"{Transport} {Remote}";
}

/// <summary>
/// One registered contact of a user (RFC 3261 §10.3): the contact URI, the Call-ID and CSeq of the REGISTER that set
/// it (for ordering), when it expires, its q-value, and the flow to reach it.
/// </summary>
public sealed record Binding(Jid User, SipUri Contact, string CallId, uint CSeq, DateTimeOffset Expires, double? Q, SipFlow Flow, string? UserAgent)
{
    /// <summary>The contact URI as stored and compared (RFC 3261 §19.1.4 equality through <see cref="SipUri.Equals(SipUri?)"/>).</summary>
    public string ContactKey => Contact.ToString();

    /// <summary>Whole seconds left, at least 0, for the Contact expires parameter of a 200 response.</summary>
    public int SecondsLeft(DateTimeOffset now) => (int)Math.Max(0, Math.Ceiling((Expires - now).TotalSeconds));
}
