using Parley.Server.Roster;

namespace Parley.Server.Presence.Subscriptions;

/// <summary>What a subscription stanza does to a roster item, and whether the stanza goes on.</summary>
/// <param name="Item">The item after the transition.</param>
/// <param name="Changed">The stored state changed (persist and push).</param>
/// <param name="Forward">The stanza is routed on (outbound) or delivered to the user (inbound).</param>
public readonly record struct SubscriptionTransition(RosterItem Item, bool Changed, bool Forward);

/// <summary>
/// The subscription state tables of RFC 6121 Appendix A as pure functions. "User" is the side that wants to see
/// presence, "contact" the side whose presence is seen. Policy (auto-approve, limits, blocking) is decided elsewhere.
/// </summary>
public static class SubscriptionStateMachine
{
    /// <summary>A.2.1: the owner sends subscribe.</summary>
    public static SubscriptionTransition OutboundSubscribe(RosterItem item)
    {
        if (item.IsWatched || item.PendingOut)
        {
            return new(item, false, true);
        }

        return Changed(item with { PendingOut = true }, forward: true);
    }

    /// <summary>A.3.1: subscribe arrives for the owner (the owner is the contact).</summary>
    public static SubscriptionTransition InboundSubscribe(RosterItem item)
    {
        if (item.IsWatcher || item.PendingIn)
        {
            // Already approved (the server answers for the owner) or already asked: do not bother the owner again.
            return new(item, false, false);
        }

        return Changed(item with { PendingIn = true }, forward: true);
    }

    /// <summary>A.2.2: the owner sends subscribed — approval of a pending request, or pre-approval (RFC 6121 §3.4).</summary>
    public static SubscriptionTransition OutboundSubscribed(RosterItem item)
    {
        if (item.IsWatcher)
        {
            return new(item, false, false);
        }

        if (item.PendingIn)
        {
            var subscription = item.Subscription == Subscription.To ? Subscription.Both : Subscription.From;
            return Changed(item with { Subscription = subscription, PendingIn = false, PreApproved = false }, forward: true);
        }

        return item.PreApproved ? new(item, false, false) : Changed(item with { PreApproved = true }, forward: false);
    }

    /// <summary>A.3.2: subscribed arrives for the owner.</summary>
    public static SubscriptionTransition InboundSubscribed(RosterItem item)
    {
        if (!item.PendingOut || item.IsWatched)
        {
            return new(item, false, false);
        }

        var subscription = item.Subscription == Subscription.From ? Subscription.Both : Subscription.To;
        return Changed(item with { Subscription = subscription, PendingOut = false }, forward: true);
    }

    /// <summary>A.2.3: the owner sends unsubscribe (stops watching the contact).</summary>
    public static SubscriptionTransition OutboundUnsubscribe(RosterItem item)
    {
        var subscription = item.Subscription switch
        {
            Subscription.To => Subscription.None,
            Subscription.Both => Subscription.From,
            var other => other,
        };
        var next = item with { Subscription = subscription, PendingOut = false };
        return next == item ? new(item, false, true) : Changed(next, forward: true);
    }

    /// <summary>A.3.3: unsubscribe arrives for the owner (a watcher leaves).</summary>
    public static SubscriptionTransition InboundUnsubscribe(RosterItem item)
    {
        var subscription = item.Subscription switch
        {
            Subscription.From => Subscription.None,
            Subscription.Both => Subscription.To,
            var other => other,
        };
        var next = item with { Subscription = subscription, PendingIn = false, PreApproved = false };
        return next == item ? new(item, false, false) : Changed(next, forward: true);
    }

    /// <summary>A.2.4: the owner sends unsubscribed (denies a request or cancels a watcher, clears pre-approval).</summary>
    public static SubscriptionTransition OutboundUnsubscribed(RosterItem item)
    {
        var subscription = item.Subscription switch
        {
            Subscription.From => Subscription.None,
            Subscription.Both => Subscription.To,
            var other => other,
        };
        var next = item with { Subscription = subscription, PendingIn = false, PreApproved = false };

        // RFC 6121 §3.2.2 rule 2: cancelling only a pre-approval is not routed to the user (nor is unavailable sent).
        return next == item ? new(item, false, false) : Changed(next, forward: subscription != item.Subscription || item.PendingIn);
    }

    /// <summary>A.3.4: unsubscribed arrives for the owner (denied, or the contact stopped sharing).</summary>
    public static SubscriptionTransition InboundUnsubscribed(RosterItem item)
    {
        var subscription = item.Subscription switch
        {
            Subscription.To => Subscription.None,
            Subscription.Both => Subscription.From,
            var other => other,
        };
        var next = item with { Subscription = subscription, PendingOut = false };
        return next == item ? new(item, false, false) : Changed(next, forward: true);
    }

    private static SubscriptionTransition Changed(RosterItem item, bool forward) => new(item, true, forward);
}
