using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Proxy;

/// <summary>
/// Proxy loop detection (RFC 3261 §16.3 item 4) with the branch of §16.6 step 8. Our branch is
/// <c>z9hG4bK</c> + a hash of everything that affects routing the request as received + <c>.</c> + the fork
/// index. When a request comes back carrying one of our Vias, recomputing the hash tells a loop (same) from a spiral
/// (changed). The method is left out so a CANCEL gets its INVITE's branch; Via and Max-Forwards are left out because
/// every hop changes them. Pure functions.
/// </summary>
public static class LoopDetection
{
    private const string Separator = "\u0001";

    /// <summary>
    /// The branch for forwarding <paramref name="received"/> (as it arrived, before this proxy changed anything) to its
    /// <paramref name="fork"/>-th target.
    /// </summary>
    public static string ComputeBranch(SipRequest received, int fork = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fork);
        return ViaHeader.MagicCookie + LoopHash(received) + "." + fork.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// §16.3 item 4: looks for a Via whose sent-by is ours (<paramref name="ourHost"/>, <paramref name="ourPort"/>);
    /// if one carries the branch hash this request would get now, it has looped.
    /// </summary>
    public static LoopCheck Check(SipRequest received, string ourHost, int ourPort)
    {
        ArgumentNullException.ThrowIfNull(received);
        ArgumentException.ThrowIfNullOrEmpty(ourHost);
        if (!MentionsHost(received, ourHost))
        {
            // Nearly every request comes straight from a client: no Via can name us, so none needs parsing.
            return LoopCheck.None;
        }

        string? hash = null;
        var ours = false;
        foreach (var via in ViasOf(received))
        {
            if (!string.Equals(via.Host, ourHost, StringComparison.OrdinalIgnoreCase) || (via.Port ?? DefaultPort(via)) != ourPort)
            {
                continue;
            }

            ours = true;
            hash ??= ViaHeader.MagicCookie + LoopHash(received) + ".";
            if (via.Branch is { } branch && branch.StartsWith(hash, StringComparison.Ordinal))
            {
                return LoopCheck.Loop;
            }
        }

        return ours ? LoopCheck.Spiral : LoopCheck.None;
    }

    /// <summary>The Vias; a single one is the top Via the transport already parsed.</summary>
    private static IReadOnlyList<ViaHeader> ViasOf(SipRequest received)
        => received.Headers.Count(SipHeaderNames.Via) == 1 && HeaderValueSplitter.NextComma(received.Headers[SipHeaderNames.Via]!, 0) < 0
           && received.TryGetTopVia(out var top)
            ? [top]
            : received.Vias;

    /// <summary>Whether any Via line contains the host text at all (a sent-by equal to it must).</summary>
    private static bool MentionsHost(SipRequest received, string host)
    {
        foreach (var value in received.Headers.GetAll(SipHeaderNames.Via))
        {
            if (value.Contains(host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>§16.3 item 3: a request that arrives with Max-Forwards 0 must not be forwarded (483 unless OPTIONS to us).</summary>
    public static bool HopsExhausted(SipRequest received) => received.MaxForwards is 0;

    /// <summary>Hex SHA-256 (first 128 bits) over the fields that affect routing and admission of the request.</summary>
    public static string LoopHash(SipRequest received)
    {
        ArgumentNullException.ThrowIfNull(received);
        var text = new StringBuilder(256)
            .Append(received.RequestUri.ToString()).Append(Separator)
            .Append(received.CallId).Append(Separator)
            .Append(received.From.Tag).Append(Separator)
            .Append(received.To.Tag).Append(Separator)
            .Append(received.CSeq.Number.ToString(CultureInfo.InvariantCulture)).Append(Separator);
        foreach (var name in new[] { SipHeaderNames.Route, SipHeaderNames.ProxyRequire, SipHeaderNames.ProxyAuthorization })
        {
            foreach (var value in received.Headers.GetAll(name))
            {
                text.Append(name).Append(':').Append(value.Trim()).Append(Separator);
            }
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    private static int DefaultPort(ViaHeader via) =>
        SipTransportKindExtensions.TryParseViaToken(via.Transport, out var transport) ? transport.DefaultPort() : 5060;
}
