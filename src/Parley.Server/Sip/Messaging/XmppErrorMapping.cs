using Parley.Xmpp;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Messaging;

/// <summary>XMPP stanza errors to SIP response codes (RFC 7247 §6 table, used by RFC 7572 for messages).</summary>
public static class XmppErrorMapping
{
    public static int ToSipStatus(StanzaErrorCondition condition) => condition switch
    {
        StanzaErrorCondition.BadRequest or StanzaErrorCondition.Conflict or StanzaErrorCondition.JidMalformed or StanzaErrorCondition.UnexpectedRequest => 400,
        StanzaErrorCondition.NotAuthorized => 401,
        StanzaErrorCondition.Forbidden or StanzaErrorCondition.NotAllowed or StanzaErrorCondition.PolicyViolation => 403,
        StanzaErrorCondition.ItemNotFound or StanzaErrorCondition.RemoteServerNotFound => 404,
        StanzaErrorCondition.FeatureNotImplemented => 405,
        StanzaErrorCondition.NotAcceptable => 406,
        StanzaErrorCondition.RecipientUnavailable => 480,
        StanzaErrorCondition.ServiceUnavailable => 503,
        _ => 500,
    };

    /// <summary>The SIP status for an error stanza (500 when it names no known condition).</summary>
    public static int ToSipStatus(Element errorStanza)
    {
        var error = errorStanza.Child("error", errorStanza.Namespace);
        foreach (var child in error?.Elements() ?? [])
        {
            if (child.Namespace == XmppNamespaces.Stanzas && StanzaError.TryParseCondition(child.Name, out var condition))
            {
                return ToSipStatus(condition);
            }
        }

        return 500;
    }
}
