using System.Net;

namespace Parley.Sip.Transport;

/// <summary>Where to send a message. <paramref name="Host"/> is the TLS server name to verify, when known.</summary>
public sealed record SipDestination(SipTransportKind Transport, IPEndPoint EndPoint, string? Host = null);
