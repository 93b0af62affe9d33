using Parley.Server.Presence.Subscriptions;
using Parley.Server.Roster;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Presence.Subscriptions;

/// <summary>
/// RFC 6121 Appendix A, row by row. States are written as in the RFC: "None", "None + Pending Out",
/// "None + Pending In", "None + Pending Out/In", "To", "To + Pending In", "From", "From + Pending Out", "Both".
/// </summary>
public sealed class SubscriptionStateMachineTests
{
    private static readonly Jid Contact = Jid.Parse("juliet@example.com");

    public static TheoryData<string, string, bool> OutboundSubscribeRows => new()
    {
        // A.2.1: state before, state after, routed.
        { "None", "None + Pending Out", true },
        { "None + Pending Out", "None + Pending Out", true },
        { "None + Pending In", "None + Pending Out/In", true },
        { "None + Pending Out/In", "None + Pending Out/In", true },
        { "To", "To", true },
        { "To + Pending In", "To + Pending In", true },
        { "From", "From + Pending Out", true },
        { "From + Pending Out", "From + Pending Out", true },
        { "Both", "Both", true },
    };

    public static TheoryData<string, string, bool> OutboundSubscribedRows => new()
    {
        // A.2.2 (a "None" or "To" without a pending request becomes a pre-approval, RFC 6121 §3.4, not routed).
        { "None + Pending In", "From", true },
        { "None + Pending Out/In", "From + Pending Out", true },
        { "To + Pending In", "Both", true },
        { "From", "From", false },
        { "From + Pending Out", "From + Pending Out", false },
        { "Both", "Both", false },
    };

    public static TheoryData<string, string, bool> OutboundUnsubscribeRows => new()
    {
        // A.2.3
        { "None + Pending Out", "None", true },
        { "None + Pending Out/In", "None + Pending In", true },
        { "To", "None", true },
        { "To + Pending In", "None + Pending In", true },
        { "From + Pending Out", "From", true },
        { "Both", "From", true },
    };

    public static TheoryData<string, string, bool> OutboundUnsubscribedRows => new()
    {
        // A.2.4
        { "None + Pending In", "None", true },
        { "None + Pending Out/In", "None + Pending Out", true },
        { "To + Pending In", "To", true },
        { "From", "None", true },
        { "From + Pending Out", "None + Pending Out", true },
        { "Both", "To", true },
        { "None", "None", false },
        { "To", "To", false },
    };

    public static TheoryData<string, string, bool> InboundSubscribeRows => new()
    {
        // A.3.1: state before, state after, delivered to the user.
        { "None", "None + Pending In", true },
        { "None + Pending Out", "None + Pending Out/In", true },
        { "None + Pending In", "None + Pending In", false },
        { "None + Pending Out/In", "None + Pending Out/In", false },
        { "To", "To + Pending In", true },
        { "To + Pending In", "To + Pending In", false },
        { "From", "From", false },
        { "From + Pending Out", "From + Pending Out", false },
        { "Both", "Both", false },
    };

    public static TheoryData<string, string, bool> InboundSubscribedRows => new()
    {
        // A.3.2
        { "None", "None", false },
        { "None + Pending Out", "To", true },
        { "None + Pending In", "None + Pending In", false },
        { "None + Pending Out/In", "To + Pending In", true },
        { "To", "To", false },
        { "To + Pending In", "To + Pending In", false },
        { "From", "From", false },
        { "From + Pending Out", "Both", true },
        { "Both", "Both", false },
    };

    public static TheoryData<string, string, bool> InboundUnsubscribeRows => new()
    {
        // A.3.3
        { "None", "None", false },
        { "None + Pending Out", "None + Pending Out", false },
        { "None + Pending In", "None", true },
        { "None + Pending Out/In", "None + Pending Out", true },
        { "To", "To", false },
        { "To + Pending In", "To", true },
        { "From", "None", true },
        { "From + Pending Out", "None + Pending Out", true },
        { "Both", "To", true },
    };

    public static TheoryData<string, string, bool> InboundUnsubscribedRows => new()
    {
        // A.3.4
        { "None", "None", false },
        { "None + Pending Out", "None", true },
        { "None + Pending In", "None + Pending In", false },
        { "None + Pending Out/In", "None + Pending In", true },
        { "To", "None", true },
        { "To + Pending In", "None + Pending In", true },
        { "From", "From", false },
        { "From + Pending Out", "From", true },
        { "Both", "From", true },
    };

    [Theory]
    [MemberData(nameof(OutboundSubscribeRows))]
    public void Outbound_subscribe_follows_RFC_6121_A_2_1(string before, string after, bool routed)
        => AssertRow(SubscriptionStateMachine.OutboundSubscribe, before, after, routed);

    [Theory]
    [MemberData(nameof(OutboundSubscribedRows))]
    public void Outbound_subscribed_follows_RFC_6121_A_2_2(string before, string after, bool routed)
        => AssertRow(SubscriptionStateMachine.OutboundSubscribed, before, after, routed);

    [Theory]
    [MemberData(nameof(OutboundUnsubscribeRows))]
    public void Outbound_unsubscribe_follows_RFC_6121_A_2_3(string before, string after, bool routed)
        => AssertRow(SubscriptionStateMachine.OutboundUnsubscribe, before, after, routed);

    [Theory]
    [MemberData(nameof(OutboundUnsubscribedRows))]
    public void Outbound_unsubscribed_follows_RFC_6121_A_2_4(string before, string after, bool routed)
        => AssertRow(SubscriptionStateMachine.OutboundUnsubscribed, before, after, routed);

    [Theory]
    [MemberData(nameof(InboundSubscribeRows))]
    public void Inbound_subscribe_follows_RFC_6121_A_3_1(string before, string after, bool delivered)
        => AssertRow(SubscriptionStateMachine.InboundSubscribe, before, after, delivered);

    [Theory]
    [MemberData(nameof(InboundSubscribedRows))]
    public void Inbound_subscribed_follows_RFC_6121_A_3_2(string before, string after, bool delivered)
        => AssertRow(SubscriptionStateMachine.InboundSubscribed, before, after, delivered);

    [Theory]
    [MemberData(nameof(InboundUnsubscribeRows))]
    public void Inbound_unsubscribe_follows_RFC_6121_A_3_3(string before, string after, bool delivered)
        => AssertRow(SubscriptionStateMachine.InboundUnsubscribe, before, after, delivered);

    [Theory]
    [MemberData(nameof(InboundUnsubscribedRows))]
    public void Inbound_unsubscribed_follows_RFC_6121_A_3_4(string before, string after, bool delivered)
        => AssertRow(SubscriptionStateMachine.InboundUnsubscribed, before, after, delivered);

    [Theory]
    [InlineData("None")]
    [InlineData("To")]
    public void Subscribed_without_a_pending_request_is_a_pre_approval(string before)
    {
        var transition = SubscriptionStateMachine.OutboundSubscribed(Item(before));

        Assert.True(transition.Item.PreApproved);
        Assert.True(transition.Changed);
        Assert.False(transition.Forward);
        Assert.Equal(before, Describe(transition.Item));
    }

    [Fact]
    public void Pre_approval_is_cleared_when_the_owner_sends_unsubscribed()
    {
        var preApproved = Item("None") with { PreApproved = true };

        var transition = SubscriptionStateMachine.OutboundUnsubscribed(preApproved);

        Assert.False(transition.Item.PreApproved);
        Assert.True(transition.Changed);
    }

    private static void AssertRow(Func<RosterItem, SubscriptionTransition> apply, string before, string after, bool forwarded)
    {
        var transition = apply(Item(before));

        Assert.Equal(after, Describe(transition.Item));
        Assert.Equal(forwarded, transition.Forward);
        Assert.Equal(before != after, transition.Changed);
    }

    private static RosterItem Item(string state)
    {
        var parts = state.Split(" + ");
        var subscription = Enum.Parse<Subscription>(parts[0]);
        var pending = parts.Length > 1 ? parts[1] : string.Empty;
        return RosterItem.Empty(Contact) with
        {
            Subscription = subscription,
            PendingOut = pending is "Pending Out" or "Pending Out/In",
            PendingIn = pending is "Pending In" or "Pending Out/In",
        };
    }

    private static string Describe(RosterItem item)
    {
        var pending = (item.PendingOut, item.PendingIn) switch
        {
            (true, true) => " + Pending Out/In",
            (true, false) => " + Pending Out",
            (false, true) => " + Pending In",
            _ => string.Empty,
        };
        return item.Subscription + pending;
    }
}
