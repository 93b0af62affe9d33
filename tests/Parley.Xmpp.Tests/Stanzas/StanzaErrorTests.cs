using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Tests.Stanzas;

public class StanzaErrorTests
{
    [Theory]
    [InlineData(StanzaErrorCondition.BadRequest, "bad-request", "modify")]
    [InlineData(StanzaErrorCondition.Conflict, "conflict", "cancel")]
    [InlineData(StanzaErrorCondition.FeatureNotImplemented, "feature-not-implemented", "cancel")]
    [InlineData(StanzaErrorCondition.Forbidden, "forbidden", "auth")]
    [InlineData(StanzaErrorCondition.ItemNotFound, "item-not-found", "cancel")]
    [InlineData(StanzaErrorCondition.NotAcceptable, "not-acceptable", "modify")]
    [InlineData(StanzaErrorCondition.NotAllowed, "not-allowed", "cancel")]
    [InlineData(StanzaErrorCondition.NotAuthorized, "not-authorized", "auth")]
    [InlineData(StanzaErrorCondition.PolicyViolation, "policy-violation", "modify")]
    [InlineData(StanzaErrorCondition.RecipientUnavailable, "recipient-unavailable", "wait")]
    [InlineData(StanzaErrorCondition.RemoteServerNotFound, "remote-server-not-found", "cancel")]
    [InlineData(StanzaErrorCondition.ResourceConstraint, "resource-constraint", "wait")]
    [InlineData(StanzaErrorCondition.ServiceUnavailable, "service-unavailable", "cancel")]
    [InlineData(StanzaErrorCondition.JidMalformed, "jid-malformed", "modify")]
    [InlineData(StanzaErrorCondition.InternalServerError, "internal-server-error", "cancel")]
    [InlineData(StanzaErrorCondition.UndefinedCondition, "undefined-condition", "cancel")]
    [InlineData(StanzaErrorCondition.UnexpectedRequest, "unexpected-request", "modify")]
    public void Each_condition_has_its_rfc_name_and_default_type(StanzaErrorCondition condition, string name, string type)
    {
        Assert.Equal(name, StanzaError.ConditionName(condition));
        Assert.Equal(type, StanzaError.TypeName(StanzaError.DefaultType(condition)));
        Assert.True(StanzaError.TryParseCondition(name, out var parsed));
        Assert.Equal(condition, parsed);
    }

    [Fact]
    public void Reply_swaps_addresses_and_carries_the_error()
    {
        var iq = new Element("iq", XmppNamespaces.Client).SetAttribute("id", "q1").SetAttribute("type", "get")
            .SetAttribute("from", "romeo@example.net/orchard").SetAttribute("to", "example.net");
        iq.AddChild("query", "urn:unknown");

        var reply = StanzaError.CreateReply(iq, StanzaErrorCondition.ServiceUnavailable, "no such service");

        Assert.Equal(
            "<iq xmlns='jabber:client' id='q1' to='romeo@example.net/orchard' from='example.net' type='error'>" +
            "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" +
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no such service</text></error></iq>",
            reply.ToString());
    }

    [Fact]
    public void Reply_can_include_payload_application_condition_and_type_override()
    {
        var message = new Element("message", XmppNamespaces.Client).SetAttribute("to", "juliet@example.com");
        message.AddChild("body", XmppNamespaces.Client).AddText("hi");
        var blocked = new Element("blocked", XmppNamespaces.BlockingErrors);

        var reply = StanzaError.CreateReply(message, StanzaErrorCondition.NotAcceptable, applicationCondition: blocked,
            type: StanzaErrorType.Cancel, includeOriginalPayload: true);

        Assert.Equal(
            "<message xmlns='jabber:client' from='juliet@example.com' type='error'><body>hi</body>" +
            "<error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><blocked xmlns='urn:xmpp:blocking:errors'/></error></message>",
            reply.ToString());
        Assert.Null(reply.GetAttribute("to"));
    }

    [Fact]
    public void Errors_are_never_answered_with_errors()
    {
        var error = new Element("message", XmppNamespaces.Client).SetAttribute("type", "error");
        Assert.Throws<ArgumentException>(() => StanzaError.CreateReply(error, StanzaErrorCondition.BadRequest));
    }

    [Fact]
    public void Every_condition_has_a_table_row()
    {
        foreach (var condition in Enum.GetValues<StanzaErrorCondition>())
        {
            Assert.NotEmpty(StanzaError.ConditionName(condition));
        }
    }
}
