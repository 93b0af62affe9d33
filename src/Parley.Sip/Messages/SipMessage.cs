using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Parley.Sip.Parsing;

namespace Parley.Sip.Messages;

/// <summary>
/// A SIP request or response: headers and body. Typed getters parse the header text and return a fresh object (change
/// a header by setting it back), except the top Via and CSeq, which the transport and transaction layers read several
/// times per message: their parsed values are kept until the headers change, so treat a <see cref="TopVia"/> as
/// read-only unless it is set back as the top Via value. Getters throw
/// <see cref="SipParseException"/> with <see cref="SipRejectionReason.BadHeader"/> or
/// <see cref="SipRejectionReason.MissingRequiredHeader"/>; the Try* variants do not.
/// </summary>
public abstract class SipMessage
{
    private protected SipMessage(SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        Headers = headers;
        Body = body;
    }

    public SipHeaderCollection Headers { get; }

    // Parsed values kept while Headers.Version is unchanged (-1: nothing kept).
    private ViaHeader? _topVia;
    private int _topViaVersion = -1;
    private string? _topViaText; // the Via line _topVia was parsed from: still valid while that line is unchanged
    private CSeqHeader _cseq;
    private int _cseqVersion = -1;
    private NameAddress? _from;
    private int _fromVersion = -1;
    private NameAddress? _to;
    private int _toVersion = -1;

    /// <summary>The body; the writer sets Content-Length from its length.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>"SIP/2.0"; the parser rejects any other version.</summary>
    public string Version => "SIP/2.0";

    public string CallId
    {
        get => Headers[SipHeaderNames.CallId] is { Length: > 0 } value ? value.Trim() : Missing(SipHeaderNames.CallId);
        set => Headers.Set(SipHeaderNames.CallId, value);
    }

    public CSeqHeader CSeq
    {
        get => TryGetCSeq(out var cseq) ? cseq : Bad<CSeqHeader>(SipHeaderNames.CSeq);
        set => Headers.Set(SipHeaderNames.CSeq, value.ToString());
    }

    public ViaHeader TopVia => TryGetTopVia(out var via) ? via : Bad<ViaHeader>(SipHeaderNames.Via);

    /// <summary>Every Via value, top first (comma-joined and repeated lines alike).</summary>
    public IReadOnlyList<ViaHeader> Vias
    {
        get
        {
            var values = Headers.GetValues(SipHeaderNames.Via);
            var vias = new ViaHeader[values.Count];
            for (var i = 0; i < vias.Length; i++)
            {
                vias[i] = ViaHeader.TryParse(values[i], out var via) ? via : Bad<ViaHeader>(SipHeaderNames.Via);
            }
            return vias;
        }
    }

    public NameAddress From
    {
        get => TryGetFrom(out var value) ? value : Bad<NameAddress>(SipHeaderNames.From);
        set => Headers.Set(SipHeaderNames.From, value.ToString());
    }

    public NameAddress To
    {
        get => TryGetTo(out var value) ? value : Bad<NameAddress>(SipHeaderNames.To);
        set => Headers.Set(SipHeaderNames.To, value.ToString());
    }

    /// <summary>Max-Forwards (0-255), or null when absent.</summary>
    public int? MaxForwards
    {
        get => ParseOptionalInt(SipHeaderNames.MaxForwards, 255);
        set => SetOptional(SipHeaderNames.MaxForwards, value);
    }

    public string? ContentType
    {
        get => Headers[SipHeaderNames.ContentType]?.Trim();
        set
        {
            if (value is null)
            {
                Headers.Remove(SipHeaderNames.ContentType);
            }
            else
            {
                Headers.Set(SipHeaderNames.ContentType, value);
            }
        }
    }

    /// <summary>The Expires header in seconds, or null when absent.</summary>
    public int? Expires
    {
        get => ParseOptionalInt(SipHeaderNames.Expires, int.MaxValue);
        set => SetOptional(SipHeaderNames.Expires, value);
    }

    public bool TryGetCSeq(out CSeqHeader cseq)
    {
        var version = Headers.Version;
        if (_cseqVersion == version)
        {
            cseq = _cseq;
            return true;
        }

        cseq = default;
        if (Headers[SipHeaderNames.CSeq] is { } text && CSeqHeader.TryParse(text, out cseq))
        {
            _cseq = cseq;
            _cseqVersion = version;
            return true;
        }

        return false;
    }

    public bool TryGetTopVia([NotNullWhen(true)] out ViaHeader? via)
    {
        var version = Headers.Version;
        if (_topViaVersion == version && _topVia is not null)
        {
            via = _topVia;
            return true;
        }

        via = null;
        var first = Headers[SipHeaderNames.Via];
        if (first is null)
        {
            return false;
        }

        // Other headers changed (a response gets Server, Contact...), not the top Via line: the parsed value stands.
        if (_topVia is not null && ReferenceEquals(first, _topViaText))
        {
            via = _topVia;
            _topViaVersion = version;
            return true;
        }

        // The usual case, one Via per line, needs no split of the whole list.
        var top = HeaderValueSplitter.NextComma(first, 0) < 0 && first.AsSpan().Trim(" \t\r\n") is { Length: > 0 } trimmed
            ? (trimmed.Length == first.Length ? first : trimmed.ToString())
            : Headers.GetValues(SipHeaderNames.Via) is { Count: > 0 } values ? values[0] : null;
        if (top is null || !ViaHeader.TryParse(top, out via))
        {
            return false;
        }

        _topVia = via;
        _topViaVersion = version;
        _topViaText = first;
        return true;
    }

    /// <summary>Keeps <paramref name="via"/> as the parsed top Via after the caller set it back as the top Via value.</summary>
    internal void KeepTopVia(ViaHeader via)
    {
        _topVia = via;
        _topViaVersion = Headers.Version;
        _topViaText = Headers[SipHeaderNames.Via];
    }

    /// <summary>
    /// Takes <paramref name="source"/>'s parsed top Via when this message's top Via line is the same string (a response
    /// copies its request's Via lines): the transport reads it to address the response, without parsing it again.
    /// </summary>
    internal void ShareTopVia(SipMessage source)
    {
        if (source._topVia is { } via && source._topViaText is { } text && ReferenceEquals(Headers[SipHeaderNames.Via], text))
        {
            _topVia = via;
            _topViaText = text;
            _topViaVersion = Headers.Version;
        }
    }

    /// <summary>The parsed From, kept while the headers are unchanged: the instance is shared, so Clone() it before changing it.</summary>
    public bool TryGetFrom([NotNullWhen(true)] out NameAddress? from) => TryGetAddress(SipHeaderNames.From, ref _from, ref _fromVersion, out from);

    /// <summary>The parsed To, kept while the headers are unchanged: the instance is shared, so Clone() it before changing it.</summary>
    public bool TryGetTo([NotNullWhen(true)] out NameAddress? to) => TryGetAddress(SipHeaderNames.To, ref _to, ref _toVersion, out to);

    /// <summary>Every Via value; false when any of them is malformed (or there is none).</summary>
    public bool TryGetVias([NotNullWhen(true)] out IReadOnlyList<ViaHeader>? vias)
    {
        vias = null;
        var values = Headers.GetValues(SipHeaderNames.Via);
        var parsed = new ViaHeader[values.Count];
        for (var i = 0; i < parsed.Length; i++)
        {
            if (!ViaHeader.TryParse(values[i], out var via))
            {
                return false;
            }
            parsed[i] = via;
        }
        vias = parsed;
        return parsed.Length > 0;
    }

    /// <summary>Max-Forwards: true with null when absent, false when malformed or above 255.</summary>
    public bool TryGetMaxForwards(out int? maxForwards) => TryParseOptionalInt(SipHeaderNames.MaxForwards, 255, out maxForwards);

    /// <summary>Expires: true with null when absent, false when malformed or above int.MaxValue.</summary>
    public bool TryGetExpires(out int? expires) => TryParseOptionalInt(SipHeaderNames.Expires, int.MaxValue, out expires);

    public bool TryGetCallId([NotNullWhen(true)] out string? callId)
    {
        callId = Headers[SipHeaderNames.CallId]?.Trim();
        return !string.IsNullOrEmpty(callId);
    }

    public override string ToString() => System.Text.Encoding.UTF8.GetString(SipMessageWriter.ToBytes(this));

    private int? ParseOptionalInt(string name, int max) =>
        TryParseOptionalInt(name, max, out var value) ? value : Bad<int?>(name);

    private bool TryParseOptionalInt(string name, int max, out int? value)
    {
        value = null;
        var text = Headers[name];
        if (text is null)
        {
            return true;
        }
        if (int.TryParse(text.AsSpan().Trim(" \t"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= max)
        {
            value = number;
            return true;
        }
        return false;
    }

    private void SetOptional(string name, int? value)
    {
        if (value is null)
        {
            Headers.Remove(name);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value.Value);
            Headers.Set(name, value.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    [DoesNotReturn]
    private T Bad<T>(string name)
    {
        if (!Headers.Contains(name))
        {
            Missing(name);
        }
        throw new SipParseException(SipRejectionReason.BadHeader, $"malformed {name} header", this as SipRequest);
    }

    [DoesNotReturn]
    private string Missing(string name) =>
        throw new SipParseException(SipRejectionReason.MissingRequiredHeader, $"no {name} header", this as SipRequest);

    // From and To are read many times per request (routing, authentication, delivery); parsing them once each
    // removed a large share of the allocations per relayed MESSAGE.
    private bool TryGetAddress(string name, ref NameAddress? cached, ref int cachedVersion, [NotNullWhen(true)] out NameAddress? value)
    {
        var version = Headers.Version;
        if (cachedVersion == version && cached is not null)
        {
            value = cached;
            return true;
        }

        if (Headers[name] is { } text && NameAddress.TryParse(text, out value))
        {
            cached = value;
            cachedVersion = version;
            return true;
        }

        value = null;
        return false;
    }
}
