using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Tests.Parsing;

/// <summary>FsCheck: any message built through the model writes, parses back to the same fields and rewrites identically.</summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Gen<string> Token =
        Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".ToCharArray())
            .NonEmptyListOf().Select(chars => new string(chars.Take(24).ToArray()));

    /// <summary>Any text without CR/LF or lone surrogates: printable ASCII, controls, Latin-1, CJK, emoji.</summary>
    private static readonly Gen<string> AnyText =
        Gen.OneOf(
                Gen.Choose(0x20, 0x7E), Gen.Choose(0x00, 0x09), Gen.Choose(0xA0, 0x17F), Gen.Choose(0x4E00, 0x4E80),
                Gen.Constant(0x1F600))
            .ListOf().Select(points => string.Concat(points.Take(30).Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> Host = Gen.OneOf(
        Token.Select(t => t.ToLowerInvariant().Trim('-', '.', '!', '%', '*', '_', '+', '`', '\'', '~') is { Length: > 0 } h && char.IsAsciiLetterOrDigit(h[0]) && h.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? h + ".example" : "example.com"),
        Gen.Choose(0, 255).Four().Select(t => $"{t.Item1}.{t.Item2}.{t.Item3}.{t.Item4}"),
        Gen.Choose(0, 0xFFFF).Three().Select(t => $"2001:db8:{t.Item1:x}::{t.Item2:x}:{t.Item3:x}"));

    private static readonly Gen<SipUri> Uri =
        from scheme in Gen.Elements("sip", "sips")
        from user in Gen.OneOf(Gen.Constant<string?>(null), AnyText.Where(t => t.Length > 0).Select(t => (string?)t))
        from host in Host
        from port in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(1, 65535).Select(p => (int?)p))
        from transport in Gen.Elements<string?>(null, "udp", "tcp", "tls")
        from lr in Gen.Elements(true, false)
        select Build(scheme, user, host, port, transport, lr);

    private static readonly Gen<SipMessage> Message =
        from isRequest in Gen.Elements(true, false)
        from method in Gen.OneOf(Gen.Elements(SipMethods.Invite, SipMethods.Register, SipMethods.Message, SipMethods.Notify), Token)
        from status in Gen.Choose(100, 699)
        from reason in AnyText.Select(r => r.Replace("\t", "").Trim(' ')).Where(r => !r.Any(char.IsControl))
        from requestUri in Uri
        from fromUri in Uri
        from fromName in Gen.OneOf(Gen.Constant<string?>(null), AnyText.Select(t => (string?)t))
        from fromTag in Token
        from to in Uri
        from callId in Token
        from cseq in Gen.Choose(0, int.MaxValue)
        from viaHost in Host
        from branch in Token
        from rport in Gen.Elements(true, false)
        from extra in AnyText.Select(t => t.Replace('\t', ' ').Trim(' ')).Where(t => !t.Any(char.IsControl)).ListOf()
        from body in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()
        select Compose(isRequest, method, status, reason, requestUri, fromUri, fromName, fromTag, to, callId, (uint)cseq, viaHost, branch, rport, extra.Take(5).ToList(), body);

    [Fact]
    public void Written_message_parses_back_to_the_same_fields_and_bytes()
    {
        var parser = new SipMessageParser(new SipLimits());
        var property = Prop.ForAll(Message.ToArbitrary(), original =>
        {
            var bytes = SipMessageWriter.ToBytes(original);
            Assert.Equal(SipMessageWriter.Measure(original), bytes.Length);
            var parsed = parser.ParseDatagram(bytes);
            Assert.Equal(bytes, SipMessageWriter.ToBytes(parsed));

            Assert.Equal(original.CallId, parsed.CallId);
            Assert.Equal(original.CSeq, parsed.CSeq);
            Assert.Equal(original.From.DisplayName, parsed.From.DisplayName);
            Assert.Equal(original.From.Uri, parsed.From.Uri);
            Assert.Equal(original.From.Uri.User, parsed.From.Uri.User);
            Assert.Equal(original.From.Tag, parsed.From.Tag);
            Assert.Equal(original.To.Uri, parsed.To.Uri);
            Assert.Equal(original.TopVia.ToString(), parsed.TopVia.ToString());
            Assert.Equal(original.Body.ToArray(), parsed.Body.ToArray());
            Assert.Equal(original.Headers.GetAll("X-Extra"), parsed.Headers.GetAll("X-Extra"));
            switch (original)
            {
                case SipRequest request:
                    var parsedRequest = Assert.IsType<SipRequest>(parsed);
                    Assert.Equal(request.Method, parsedRequest.Method);
                    Assert.Equal(request.RequestUri, parsedRequest.RequestUri);
                    Assert.Equal(request.RequestUri.Host, parsedRequest.RequestUri.Host);
                    break;
                case SipResponse response:
                    var parsedResponse = Assert.IsType<SipResponse>(parsed);
                    Assert.Equal(response.StatusCode, parsedResponse.StatusCode);
                    Assert.Equal(response.ReasonPhrase, parsedResponse.ReasonPhrase);
                    break;
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    private static SipUri Build(string scheme, string? user, string host, int? port, string? transport, bool lr)
    {
        var uri = new SipUri(scheme, user, host, port);
        if (transport is not null)
        {
            uri.Parameters.Set("transport", transport);
        }
        if (lr)
        {
            uri.Parameters.Set("lr", null);
        }
        return uri;
    }

    private static SipMessage Compose(bool isRequest, string method, int status, string reason, SipUri requestUri, SipUri from, string? fromName,
        string fromTag, SipUri to, string callId, uint cseq, string viaHost, string branch, bool rport, List<string> extra, byte[] body)
    {
        SipMessage message = isRequest ? SipRequest.Create(method, requestUri) : SipResponse.Create(status, reason);
        var via = new ViaHeader("UDP", viaHost, 5060, ViaHeader.MagicCookie + branch);
        if (rport)
        {
            via.Parameters.Set("rport", null);
        }
        message.Headers.Add(SipHeaderNames.Via, via.ToString());
        message.From = new NameAddress(from, fromName) { Tag = fromTag };
        message.To = new NameAddress(to);
        message.CallId = callId;
        message.CSeq = new CSeqHeader(cseq, isRequest ? ((SipRequest)message).Method : SipMethods.Invite);
        foreach (var value in extra)
        {
            message.Headers.Add("X-Extra", value);
        }
        message.Body = body;
        return message;
    }
}
