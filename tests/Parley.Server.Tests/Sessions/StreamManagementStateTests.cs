using Parley.Server.Sessions;
using Parley.Xmpp;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Sessions;

public sealed class StreamManagementStateTests
{
    [Fact]
    public void Ack_removes_exactly_the_acknowledged_stanzas()
    {
        var state = new StreamManagementState("id", resumable: true);
        for (var i = 0; i < 5; i++)
        {
            state.Track(Message(i));
        }

        Assert.True(state.Acknowledge(3));

        Assert.Equal(2, state.UnackedCount);
        Assert.Equal(["3", "4"], state.Unacked().Select(s => s.GetAttribute("id")));
    }

    [Fact]
    public void Ack_of_more_than_was_sent_is_refused_and_changes_nothing()
    {
        var state = new StreamManagementState("id", resumable: true);
        state.Track(Message(0));

        Assert.False(state.Acknowledge(2));
        Assert.Equal(1, state.UnackedCount);
    }

    [Fact]
    public void Repeated_ack_with_the_same_count_is_harmless()
    {
        var state = new StreamManagementState("id", resumable: true);
        state.Track(Message(0));
        state.Track(Message(1));

        Assert.True(state.Acknowledge(1));
        Assert.True(state.Acknowledge(1));
        Assert.Equal(1, state.UnackedCount);
    }

    [Fact]
    public void Drain_returns_everything_unacknowledged_in_order()
    {
        var state = new StreamManagementState("id", resumable: false);
        state.Track(Message(0));
        state.Track(Message(1));

        var drained = state.DrainUnacked();

        Assert.Equal(["0", "1"], drained.Select(s => s.GetAttribute("id")));
        Assert.Equal(0, state.UnackedCount);
    }

    private static Element Message(int id) => new Element("message", XmppNamespaces.Client).SetAttribute("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
