using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Stanzas;

/// <summary>Builds stanza error replies (RFC 6120 §8.3) and maps conditions to names and default types.</summary>
public static class StanzaError
{
    /// <summary>The one table: element name and default error type of each condition (RFC 6120 §8.3.3).</summary>
    public static (string Name, StanzaErrorType DefaultType) Describe(StanzaErrorCondition condition) => condition switch
    {
        StanzaErrorCondition.BadRequest => ("bad-request", StanzaErrorType.Modify),
        StanzaErrorCondition.Conflict => ("conflict", StanzaErrorType.Cancel),
        StanzaErrorCondition.FeatureNotImplemented => ("feature-not-implemented", StanzaErrorType.Cancel),
        StanzaErrorCondition.Forbidden => ("forbidden", StanzaErrorType.Auth),
        StanzaErrorCondition.ItemNotFound => ("item-not-found", StanzaErrorType.Cancel),
        StanzaErrorCondition.NotAcceptable => ("not-acceptable", StanzaErrorType.Modify),
        StanzaErrorCondition.NotAllowed => ("not-allowed", StanzaErrorType.Cancel),
        StanzaErrorCondition.NotAuthorized => ("not-authorized", StanzaErrorType.Auth),
        StanzaErrorCondition.PolicyViolation => ("policy-violation", StanzaErrorType.Modify),
        StanzaErrorCondition.RecipientUnavailable => ("recipient-unavailable", StanzaErrorType.Wait),
        StanzaErrorCondition.RemoteServerNotFound => ("remote-server-not-found", StanzaErrorType.Cancel),
        StanzaErrorCondition.ResourceConstraint => ("resource-constraint", StanzaErrorType.Wait),
        StanzaErrorCondition.ServiceUnavailable => ("service-unavailable", StanzaErrorType.Cancel),
        StanzaErrorCondition.JidMalformed => ("jid-malformed", StanzaErrorType.Modify),
        StanzaErrorCondition.InternalServerError => ("internal-server-error", StanzaErrorType.Cancel),
        StanzaErrorCondition.UndefinedCondition => ("undefined-condition", StanzaErrorType.Cancel),
        StanzaErrorCondition.UnexpectedRequest => ("unexpected-request", StanzaErrorType.Modify),
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "internal bug: stanza error condition without a table row"),
    };

    public static string ConditionName(StanzaErrorCondition condition) => Describe(condition).Name;

    public static StanzaErrorType DefaultType(StanzaErrorCondition condition) => Describe(condition).DefaultType;

    public static string TypeName(StanzaErrorType type) => type switch
    {
        StanzaErrorType.Cancel => "cancel",
        StanzaErrorType.Modify => "modify",
        StanzaErrorType.Auth => "auth",
        StanzaErrorType.Wait => "wait",
        StanzaErrorType.Continue => "continue",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "internal bug: unknown stanza error type"),
    };

    /// <summary>The condition named by an element in the stanzas namespace, if Parley knows it.</summary>
    public static bool TryParseCondition(string name, out StanzaErrorCondition condition)
    {
        foreach (var candidate in Enum.GetValues<StanzaErrorCondition>())
        {
            if (ConditionName(candidate) == name)
            {
                condition = candidate;
                return true;
            }
        }

        condition = default;
        return false;
    }

    /// <summary>
    /// The &lt;error/&gt; element: &lt;error type='…' [by='…']&gt;&lt;condition xmlns='…stanzas'/&gt;[&lt;text/&gt;][application condition]&lt;/error&gt;.
    /// </summary>
    public static Element CreateErrorElement(
        StanzaErrorCondition condition,
        string contentNamespace,
        string? text = null,
        Element? applicationCondition = null,
        StanzaErrorType? type = null,
        string? by = null)
    {
        var (name, defaultType) = Describe(condition);
        var error = new Element("error", contentNamespace);
        error.SetAttribute("type", TypeName(type ?? defaultType));
        error.SetAttribute("by", by);
        error.AddChild(name, XmppNamespaces.Stanzas);
        if (!string.IsNullOrEmpty(text))
        {
            error.AddChild("text", XmppNamespaces.Stanzas).AddText(text);
        }

        if (applicationCondition is not null)
        {
            error.Add(applicationCondition);
        }

        return error;
    }

    /// <summary>
    /// The error reply to <paramref name="stanza"/> (RFC 6120 §8.3.1): same kind and id, to/from swapped,
    /// type='error', and the error element. The original payload is copied only when asked (the RFC's MAY).
    /// </summary>
    public static Element CreateReply(
        Element stanza,
        StanzaErrorCondition condition,
        string? text = null,
        Element? applicationCondition = null,
        StanzaErrorType? type = null,
        bool includeOriginalPayload = false)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        if (stanza.GetAttribute("type") == "error")
        {
            // RFC 6120 §8.3.1: an error must never be answered with an error (avoids loops).
            throw new ArgumentException("an error stanza must not be answered with an error", nameof(stanza));
        }

        var reply = new Element(stanza.Name, stanza.Namespace);
        reply.SetAttribute("id", stanza.GetAttribute("id"));
        reply.SetAttribute("to", stanza.GetAttribute("from"));
        reply.SetAttribute("from", stanza.GetAttribute("to"));
        reply.SetAttribute("type", "error");
        if (includeOriginalPayload)
        {
            foreach (var node in stanza.Nodes)
            {
                reply.Add(node is Element child ? child.Clone() : new XmlText(((XmlText)node).Value));
            }
        }

        reply.Add(CreateErrorElement(condition, stanza.Namespace, text, applicationCondition, type));
        return reply;
    }
}
