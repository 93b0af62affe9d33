using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Parley.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42, RFC 3581 rport): <c>SIP/2.0/UDP host:port;branch=...</c>.</summary>
public sealed class ViaHeader
{
    /// <summary>RFC 3261 §8.1.1.7: branches starting with this cookie are globally unique.</summary>
    public const string MagicCookie = "z9hG4bK";

    public ViaHeader(string transport, string host, int? port = null, string? branch = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(transport);
        ArgumentException.ThrowIfNullOrEmpty(host);
        Transport = transport.ToUpperInvariant();
        Host = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        Port = port;
        if (branch is not null)
        {
            Parameters.Set("branch", branch);
        }
    }

    /// <summary>Upper-cased transport token: UDP, TCP, TLS, SCTP, WS...</summary>
    public string Transport { get; }

    /// <summary>Protocol name and version, normally "SIP/2.0".</summary>
    public string Protocol { get; private init; } = "SIP/2.0";

    /// <summary>The sent-by host; IPv6 without brackets.</summary>
    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; private init; } = new();

    public string? Branch
    {
        get => Parameters["branch"];
        set => SetOrRemove("branch", value);
    }

    public string? Received
    {
        get => Parameters["received"];
        set => SetOrRemove("received", value);
    }

    /// <summary>True when an rport parameter is present, with or without a value (RFC 3581).</summary>
    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>The rport value filled in by the server, or null for the bare flag or a malformed value.</summary>
    public int? RPort
    {
        get => int.TryParse(Parameters["rport"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535 ? p : null;
        set => Parameters.Set("rport", value?.ToString(CultureInfo.InvariantCulture));
    }

    public string? MAddr => Parameters["maddr"];

    public bool HasMagicCookie => Branch?.StartsWith(MagicCookie, StringComparison.Ordinal) == true;

    public string HostReference => Host.Contains(':') ? "[" + Host + "]" : Host;

    public static ViaHeader Parse(string text) =>
        TryParse(text, out var via) ? via : throw new Parsing.SipParseException(Parsing.SipRejectionReason.BadHeader, "malformed Via");

    public static bool TryParse(string? text, [NotNullWhen(true)] out ViaHeader? via) => TryParse(text.AsSpan(), out via);

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out ViaHeader? via)
    {
        via = null;
        var i = 0;
        if (!ReadToken(text, ref i, out var name) || !ReadSlash(text, ref i)
            || !ReadToken(text, ref i, out var version) || !ReadSlash(text, ref i)
            || !ReadToken(text, ref i, out var transport))
        {
            return false;
        }
        var hostStart = SkipWhitespace(text, i);
        if (hostStart == i || hostStart == text.Length)
        {
            return false; // LWS is required between sent-protocol and sent-by
        }
        i = hostStart;
        if (text[i] == '[')
        {
            var close = text[i..].IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            i += close + 1;
        }
        while (i < text.Length && text[i] != ';' && !SipGrammar.IsWhitespace(text[i]) && text[i] != ':')
        {
            i++;
        }
        // The port may follow after optional whitespace around ':' (sent-by = host [ COLON port ]).
        var hostEnd = i;
        var j = SkipWhitespace(text, i);
        if (j < text.Length && text[j] == ':')
        {
            j = SkipWhitespace(text, j + 1);
            while (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                j++;
            }
            i = j;
        }
        // Whitespace around the colon is rare: only then is sent-by copied to remove it (this runs for every request).
        var rawSentBy = text[hostStart..i];
        ReadOnlySpan<char> sentBy = rawSentBy.ContainsAny(' ', '\t')
            ? string.Concat(text[hostStart..hostEnd], text[hostEnd..i].ToString().Replace(" ", "").Replace("\t", ""))
            : rawSentBy;
        if (!SipUri.TryParseHostPort(sentBy, out var host, out var port)
            || !SipParameters.TryParseHeaderParameters(text[i..], out var parameters))
        {
            return false;
        }
        via = new ViaHeader(KnownTransport(transport), host, port)
        {
            Protocol = name.SequenceEqual("SIP") && version.SequenceEqual("2.0") ? "SIP/2.0" : string.Concat(name, "/", version),
            Parameters = parameters,
        };
        return true;
    }

    /// <summary>The common transport tokens as shared strings: every received request's Via is parsed several times.</summary>
    private static string KnownTransport(ReadOnlySpan<char> token) => token switch
    {
        "UDP" => "UDP",
        "TCP" => "TCP",
        "TLS" => "TLS",
        _ => token.ToString(),
    };

    public ViaHeader Clone() => new(Transport, Host, Port) { Protocol = Protocol, Parameters = Parameters.Clone() };

    public override string ToString()
    {
        // Written for every received request (rport stamp) and every request sent: a stack buffer, not a StringBuilder.
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        builder.AppendLiteral(Protocol);
        builder.AppendFormatted('/');
        builder.AppendLiteral(Transport);
        builder.AppendFormatted(' ');
        if (Host.Contains(':'))
        {
            builder.AppendFormatted('[');
            builder.AppendLiteral(Host);
            builder.AppendFormatted(']');
        }
        else
        {
            builder.AppendLiteral(Host);
        }

        if (Port is { } port)
        {
            builder.AppendFormatted(':');
            builder.AppendFormatted(port);
        }

        Parameters.AppendTo(ref builder);
        return builder.ToStringAndClear();
    }

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
        {
            Parameters.Remove(name);
        }
        else
        {
            Parameters.Set(name, value);
        }
    }

    private static bool ReadToken(ReadOnlySpan<char> text, ref int i, out ReadOnlySpan<char> token)
    {
        i = SkipWhitespace(text, i);
        var start = i;
        while (i < text.Length && SipGrammar.TokenChars.Contains(text[i]))
        {
            i++;
        }
        token = text[start..i];
        return !token.IsEmpty;
    }

    private static bool ReadSlash(ReadOnlySpan<char> text, ref int i)
    {
        i = SkipWhitespace(text, i);
        if (i == text.Length || text[i] != '/')
        {
            return false;
        }
        i++;
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && SipGrammar.IsWhitespace(text[i]))
        {
            i++;
        }
        return i;
    }
}
