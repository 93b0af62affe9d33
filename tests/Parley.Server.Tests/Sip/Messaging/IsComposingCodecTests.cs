using System.Text;
using Parley.Server.Sip.Messaging;

namespace Parley.Server.Tests.Sip.Messaging;

/// <summary>RFC 3994 isComposing ↔ XEP-0085 chat states.</summary>
public sealed class IsComposingCodecTests
{
    [Theory]
    [InlineData(ChatState.Composing, ChatState.Composing)]
    [InlineData(ChatState.Paused, ChatState.Paused)]
    [InlineData(ChatState.Active, ChatState.Paused)]
    [InlineData(ChatState.Gone, ChatState.Paused)]
    public void Encoded_states_decode_as_active_or_idle(ChatState sent, ChatState received)
        => Assert.Equal(received, IsComposingCodec.Decode(IsComposingCodec.Encode(sent, 60)));

    [Fact]
    public void Composing_is_state_active_with_refresh_and_idle_has_no_refresh()
    {
        var composing = Encoding.UTF8.GetString(IsComposingCodec.Encode(ChatState.Composing, 60));
        var idle = Encoding.UTF8.GetString(IsComposingCodec.Encode(ChatState.Paused, 60));

        Assert.Contains("<state>active</state>", composing, StringComparison.Ordinal);
        Assert.Contains("<refresh>60</refresh>", composing, StringComparison.Ordinal);
        Assert.Contains("<state>idle</state>", idle, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh", idle, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml")]
    [InlineData("<isComposing><state>active</state></isComposing>")]
    [InlineData("<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>typing</state></isComposing>")]
    [InlineData("<!DOCTYPE x [<!ENTITY a 'active'>]><isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>&a;</state></isComposing>")]
    public void Malformed_foreign_or_entity_laden_documents_are_refused(string document)
        => Assert.Null(IsComposingCodec.Decode(Encoding.UTF8.GetBytes(document)));

    [Fact]
    public void Oversized_documents_are_refused_before_parsing()
    {
        var huge = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state>" + new string(' ', IsComposingCodec.MaxDocumentBytes) + "</isComposing>";

        Assert.Null(IsComposingCodec.Decode(Encoding.UTF8.GetBytes(huge)));
    }
}
