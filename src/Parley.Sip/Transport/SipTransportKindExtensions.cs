namespace Parley.Sip.Transport;

/// <summary>Wire spellings and defaults per transport.</summary>
public static class SipTransportKindExtensions
{
    /// <summary>The Via transport token (RFC 3261 §20.42).</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown SIP transport."),
    };

    /// <summary>Stream transports frame by Content-Length and need no retransmission (RFC 3261 §17.1.1.2).</summary>
    public static bool IsReliable(this SipTransportKind kind) => kind != SipTransportKind.Udp;

    /// <summary>RFC 3261 §19.1.2: 5060 for sip over UDP/TCP, 5061 for TLS.</summary>
    public static int DefaultPort(this SipTransportKind kind) => kind == SipTransportKind.Tls ? 5061 : 5060;

    /// <summary>Parses a Via transport token, case-insensitively; false for transports Parley does not speak (SCTP, WS).</summary>
    public static bool TryParseViaToken(string? token, out SipTransportKind kind)
    {
        if (string.Equals(token, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            kind = SipTransportKind.Udp;
            return true;
        }

        if (string.Equals(token, "TCP", StringComparison.OrdinalIgnoreCase))
        {
            kind = SipTransportKind.Tcp;
            return true;
        }

        if (string.Equals(token, "TLS", StringComparison.OrdinalIgnoreCase))
        {
            kind = SipTransportKind.Tls;
            return true;
        }

        kind = default;
        return false;
    }
}
