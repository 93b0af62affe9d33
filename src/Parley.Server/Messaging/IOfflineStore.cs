using Parley.Xmpp.Addressing;

namespace Parley.Server.Messaging;

public sealed record OfflineMessage(long Id, DateTimeOffset Stored, string StanzaXml);

/// <summary>Messages kept for users who are offline, oldest first, bounded per user.</summary>
public interface IOfflineStore
{
    /// <summary>Stores the stanza unless the user already has <paramref name="maxPerUser"/>; returns false when full.</summary>
    Task<bool> TryEnqueueAsync(Jid owner, string stanzaXml, int maxPerUser, CancellationToken cancellationToken);

    Task<IReadOnlyList<OfflineMessage>> PeekAsync(Jid owner, CancellationToken cancellationToken);

    /// <summary>Deletes the owner's messages with Id ≤ <paramref name="upToId"/>.</summary>
    Task RemoveAsync(Jid owner, long upToId, CancellationToken cancellationToken);
}
