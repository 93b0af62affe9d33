using System.Text;
using Parley.Server.Xmpp;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Messaging;

/// <summary>What one SIP MESSAGE or INFO carries: text (text/plain), or a typing state (isComposing).</summary>
public sealed record InstantMessageContent(string? Text, ChatState? State)
{
    public const string TextContentType = "text/plain;charset=UTF-8";

    /// <summary>The body types accepted, for Accept headers and 415 answers.</summary>
    public const string AcceptedTypes = "text/plain, " + IsComposingCodec.ContentType;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a request body. Fails with 415 for other types (message/cpim included: Parley carries plain text),
    /// 400 for text that is not UTF-8 or an isComposing document that does not parse, 413 above <paramref name="maxBytes"/>.
    /// </summary>
    public static bool TryRead(SipMessage message, int maxBytes, out InstantMessageContent? content, out int failureStatus, out string? failureReason)
    {
        content = null;
        failureStatus = 0;
        failureReason = null;
        var (mediaType, charset) = ParseContentType(message.Headers[SipHeaderNames.ContentType]);
        var body = message.Body.Span;
        if (body.Length > maxBytes)
        {
            (failureStatus, failureReason) = (413, $"Message body above {maxBytes} bytes");
            return false;
        }

        switch (mediaType)
        {
            case "text/plain":
                if (charset is not (null or "utf-8" or "us-ascii"))
                {
                    (failureStatus, failureReason) = (415, "Only UTF-8 text is accepted");
                    return false;
                }

                try
                {
                    content = new InstantMessageContent(StrictUtf8.GetString(body), null);
                    return true;
                }
                catch (DecoderFallbackException)
                {
                    (failureStatus, failureReason) = (400, "Text is not valid UTF-8");
                    return false;
                }

            case IsComposingCodec.ContentType:
                if (IsComposingCodec.Decode(body) is not { } state)
                {
                    (failureStatus, failureReason) = (400, "Malformed isComposing document");
                    return false;
                }

                content = new InstantMessageContent(null, state);
                return true;
            default:
                (failureStatus, failureReason) = (415, "Unsupported Media Type");
                return false;
        }
    }

    /// <summary>The XMPP chat message for this content (RFC 7572 §5): a body with chat state active, or a bare chat state.</summary>
    public Element ToXmppMessage(Jid from, Jid to, string id)
    {
        var message = new Element("message", XmppNamespaces.Client);
        message.SetAttribute("type", "chat");
        message.SetAttribute("id", id);
        message.SetAttribute("from", from.ToString());
        message.SetAttribute("to", to.ToString());
        if (Text is not null)
        {
            message.AddChild("body", XmppNamespaces.Client).AddText(Text);
        }

        ChatStates.Write(message, State ?? ChatState.Active);
        return message;
    }

    /// <summary>
    /// The SIP content for an XMPP message: its body as text, else its chat state as isComposing; null when it
    /// carries neither (receipts, markers: nothing a SIP client shows).
    /// </summary>
    public static InstantMessageContent? FromXmppMessage(Element message)
    {
        if (message.ChildText("body", XmppNamespaces.Client) is { } text)
        {
            return new InstantMessageContent(text, null);
        }

        return ChatStates.Read(message) is { } state ? new InstantMessageContent(null, state) : null;
    }

    /// <summary>Content-Type and body bytes to send this content in a SIP request.</summary>
    public (string ContentType, byte[] Body) ToSipBody()
        => Text is not null
            ? (TextContentType, Encoding.UTF8.GetBytes(Text))
            : (IsComposingCodec.ContentType, IsComposingCodec.Encode(State ?? ChatState.Active, State == ChatState.Composing ? 60 : null));

    private static (string? MediaType, string? Charset) ParseContentType(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, null);
        }

        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        string? charset = null;
        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                charset = parameter[(equals + 1)..].Trim().Trim('"').ToLowerInvariant();
            }
        }

        return (parts[0].ToLowerInvariant(), charset);
    }
}
